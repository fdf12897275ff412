package io.pgintel.agent;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isBootstrapClassLoader;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.pgintel.agent.bootstrap.Bridge;
import java.lang.instrument.Instrumentation;
import java.util.concurrent.atomic.AtomicInteger;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;

/**
 * Weaves {@link DriverConnect} into the PostgreSQL driver's {@code connect(String, Properties)}, which finds
 * applications that use {@code DriverManager} only, {@link StatementExecute} into the driver's statement execution
 * (trace correlation), and {@link GetConnection} into every class that declares {@code getConnection()} and whose
 * name says it is a DataSource, including classes loaded before the agent was ready (retransformation).
 *
 * <p>The type is matched on the declaring class, not on {@code implements DataSource}: implementations often
 * inherit {@code getConnection} from a base that is not a DataSource itself (the PostgreSQL driver's
 * {@code PGSimpleDataSource} from {@code BaseDataSource}), and advice can only go where the method is declared.
 * The bridge checks {@code instanceof DataSource} on the instance. The name filter keeps the type check off
 * the thousands of classes an application loads.
 */
final class DataSourceInstrumentation {

  private static final ElementMatcher.Junction<MethodDescription> GET_CONNECTION = named("getConnection")
      .and(returns(named("java.sql.Connection"))).and(isPublic()).and(not(isAbstract()));

  private static final ElementMatcher.Junction<MethodDescription> CONNECT = named("connect")
      .and(takesArguments(2)).and(takesArgument(0, String.class)).and(takesArgument(1, named("java.util.Properties")))
      .and(isPublic()).and(not(isAbstract()));

  /**
   * pgjdbc's statement execution: every execute of a {@code Statement}, {@code PreparedStatement} or
   * {@code CallableStatement} goes through {@code execute(CachedQuery, ParameterList, int)}, every batch through
   * {@code internalExecuteBatch()} (pgjdbc 42.x). Both are {@code PgStatement}'s own, not overridden.
   */
  private static final ElementMatcher.Junction<MethodDescription> EXECUTE = named("execute")
      .and(takesArguments(3)).and(takesArgument(0, named("org.postgresql.core.CachedQuery")))
      .and(not(isAbstract()));
  private static final ElementMatcher.Junction<MethodDescription> EXECUTE_BATCH = named("internalExecuteBatch")
      .and(takesArguments(0)).and(not(isAbstract()));

  private static final String ISOLATED_LOADER = IsolatedDriver.Loader.class.getName();
  private static final int MAX_ERRORS_LOGGED = 5;

  private DataSourceInstrumentation() {}

  /** @param correlation whether to weave the statement hooks too ({@code pgintel.agent.correlation}) */
  static void install(Instrumentation instrumentation, Logger log, boolean correlation) {
    AtomicInteger errors = new AtomicInteger();
    // only the methods a class declares are looked at, never its whole hierarchy: another agent (the OpenTelemetry
    // javaagent's virtual fields) may have given a class an interface of its own making, which has no class file
    // to describe it, and resolving it would fail the class's transformation (HikariDataSource, PgStatement)
    ByteBuddy declaredOnly = new ByteBuddy().with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE);
    AgentBuilder builder = new AgentBuilder.Default(declaredOnly)
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        .with(AgentBuilder.TypeStrategy.Default.DECORATE)
        .with(new AgentBuilder.Listener.Adapter() {
          @Override
          public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded,
              Throwable throwable) {
            // a DataSource left as it is goes unseen: say so, a few times at most (the agent's own logger, on
            // whichever thread loads the class)
            if (errors.incrementAndGet() <= MAX_ERRORS_LOGGED) {
              log.warn("pgintel agent: could not instrument {} ({}); its connections are not seen", typeName,
                  throwable.toString());
            }
          }
        })
        .ignore(nameStartsWith("java.").or(nameStartsWith("javax.")).or(nameStartsWith("jdk."))
            .or(nameStartsWith("sun.")).or(nameStartsWith("com.sun.")).or(nameStartsWith("io.pgintel."))
            .or(nameStartsWith("net.bytebuddy.")).or(isSynthetic()))
        // pgintel's own copy of the driver, in whichever copy of pgintel (the agent's or one linked to a host SDK);
        // or'ed to the names above: a second ignore() would replace them
        .or(any(), loader -> loader != null && loader.getClass().getName().equals(ISOLATED_LOADER))
        .type(nameContains("DataSource").and(not(isInterface())).and(declaresMethod(GET_CONNECTION)),
            not(isBootstrapClassLoader()))
        .transform((b, type, loader, module, domain) -> b.visit(Advice.to(GetConnection.class).on(GET_CONNECTION)))
        .type(named("org.postgresql.Driver"), not(isBootstrapClassLoader()))
        .transform((b, type, loader, module, domain) -> b.visit(Advice.to(DriverConnect.class).on(CONNECT)));
    if (correlation) {
      builder = builder.type(named("org.postgresql.jdbc.PgStatement"), not(isBootstrapClassLoader()))
          .transform((b, type, loader, module, domain) -> {
            DynamicType.Builder<?> hooked = b.visit(Advice.to(StatementExecute.class).on(EXECUTE));
            // the batch's advice reads a field: a driver without it keeps the execute hook, its batches unnamed
            return type.getDeclaredFields().filter(named("batchStatements")).isEmpty()
                ? hooked.visit(Advice.to(BatchWithoutText.class).on(EXECUTE_BATCH))
                : hooked.visit(Advice.to(BatchExecute.class).on(EXECUTE_BATCH));
          });
    }
    builder.installOn(instrumentation);
  }

  /** Inlined into {@code getConnection}; names only the bridge, which every class loader can see. */
  static final class GetConnection {

    private GetConnection() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static boolean enter() {
      return Bridge.enter();
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Enter boolean outermost, @Advice.This Object dataSource,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object connection) {
      connection = Bridge.exit(outermost, dataSource, connection);
    }
  }

  /**
   * Inlined into pgjdbc's statement execution: the statement hooks of trace correlation, on the driver's own
   * connection (the statement's {@code connection} field), with no wrapper around the application's objects. The
   * query object is handed over as it is, a reference the sampler reads the statement's text from later.
   */
  static final class StatementExecute {

    private StatementExecute() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.FieldValue(value = "connection", typing = Assigner.Typing.DYNAMIC) Object connection,
        @Advice.Argument(value = 0, typing = Assigner.Typing.DYNAMIC) Object query) {
      return Bridge.statementEnter(connection, query);
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Enter Object token) {
      Bridge.statementExit(token);
    }
  }

  /**
   * As {@link StatementExecute}, for a batch: a prepared statement's batch runs one text, and the first of its
   * queries ({@code batchStatements}, which the driver empties before it runs them) stands for it; a plain
   * statement's batch of several texts is named by none of them.
   */
  static final class BatchExecute {

    private BatchExecute() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.This Object statement,
        @Advice.FieldValue(value = "connection", typing = Assigner.Typing.DYNAMIC) Object connection,
        @Advice.FieldValue(value = "batchStatements", typing = Assigner.Typing.DYNAMIC) java.util.List<?> batch) {
      boolean oneText = statement instanceof java.sql.PreparedStatement && batch != null && !batch.isEmpty();
      return Bridge.statementEnter(connection, oneText ? batch.get(0) : null);
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Enter Object token) {
      Bridge.statementExit(token);
    }
  }

  /** {@link BatchExecute} for a driver whose statements have no {@code batchStatements}: the batch unnamed. */
  static final class BatchWithoutText {

    private BatchWithoutText() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.FieldValue(value = "connection", typing = Assigner.Typing.DYNAMIC) Object connection) {
      return Bridge.statementEnter(connection, null);
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Enter Object token) {
      Bridge.statementExit(token);
    }
  }

  /** Inlined into the PostgreSQL driver's {@code connect}; shares the bridge's nesting with the DataSources. */
  static final class DriverConnect {

    private DriverConnect() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static boolean enter() {
      return Bridge.enter();
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Enter boolean outermost, @Advice.This Object driver,
        @Advice.Argument(0) Object url, @Advice.Argument(1) Object info,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object connection) {
      connection = Bridge.driverExit(outermost, driver, url, info, connection);
    }
  }
}
