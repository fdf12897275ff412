package io.pgintel.test;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * Hands tests a running PostgreSQL. On a {@link PgTest} method it runs the test once per selected server; on a
 * plain {@code @Test} with a {@link PgServer} parameter it hands the newest selected server.
 */
public final class PostgresExtension implements TestTemplateInvocationContextProvider, ParameterResolver {

  @Override
  public boolean supportsTestTemplate(ExtensionContext context) {
    return context.getRequiredTestMethod().isAnnotationPresent(PgTest.class);
  }

  @Override
  public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
    List<PostgresServers.Target> targets = PostgresServers.targets();
    return targets.stream().map(target -> new TestTemplateInvocationContext() {
      @Override
      public String getDisplayName(int invocationIndex) {
        return target.label();
      }

      @Override
      public List<org.junit.jupiter.api.extension.Extension> getAdditionalExtensions() {
        return List.of(new Fixed(target));
      }
    });
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == PgServer.class
        && !context.getRequiredTestMethod().isAnnotationPresent(PgTest.class);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    List<PostgresServers.Target> targets = PostgresServers.targets();
    return PostgresServers.shared(targets.get(targets.size() - 1));
  }

  private record Fixed(PostgresServers.Target target) implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == PgServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return PostgresServers.shared(target);
    }
  }
}
