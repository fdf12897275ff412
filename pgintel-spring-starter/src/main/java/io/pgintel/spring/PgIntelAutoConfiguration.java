package io.pgintel.spring;

import io.opentelemetry.api.OpenTelemetry;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;

/**
 * pgintel for Spring Boot 3.5 and 4.x: a {@link PgIntelMonitors} bean watching every PostgreSQL DataSource bean,
 * and with Actuator a {@code pgintel} health contributor and endpoint.
 *
 * <p>Boot 4 moved the DataSource and OpenTelemetry auto-configurations (and the health API) to other packages,
 * so ordering and conditions name classes as strings, which a missing class cannot break, and each health API
 * gets its own adapter behind a condition on its class.
 */
@AutoConfiguration(afterName = {
    // Boot 3.5
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.opentelemetry.OpenTelemetryAutoConfiguration",
    // Boot 4
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration"})
@ConditionalOnClass(name = "javax.sql.DataSource")
@ConditionalOnBean(DataSource.class)
@ConditionalOnProperty(prefix = "pgintel", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(PgIntelProperties.class)
public final class PgIntelAutoConfiguration {

  /**
   * Built with the context so that a bad {@code pgintel.*} property fails startup; collection starts only once
   * the context is refreshed ({@link PgIntelMonitors#start()}).
   */
  @Bean
  @ConditionalOnMissingBean
  PgIntelMonitors pgintelMonitors(ListableBeanFactory beans, PgIntelProperties properties,
      ObjectProvider<OpenTelemetry> openTelemetry, SessionRegistries registries) {
    Map<String, DataSource> dataSources = beans.getBeansOfType(DataSource.class);
    // unset when the application has none (or several): core then takes the global one, else its own SDK
    return MonitorFactory.create(dataSources, properties, openTelemetry.getIfUnique(), registries);
  }

  /** Infrastructure: the post-processor needs it before the other post-processors exist, which is expected. */
  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  static SessionRegistries pgintelSessionRegistries() {
    return new SessionRegistries();
  }

  /** Static: a post-processor must exist before the DataSource beans it wraps. */
  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  @ConditionalOnProperty(prefix = "pgintel.correlation", name = "enabled", havingValue = "true",
      matchIfMissing = true)
  @ConditionalOnClass(name = "org.springframework.aop.framework.ProxyFactory")
  static CorrelationPostProcessor pgintelCorrelationPostProcessor(SessionRegistries registries) {
    return new CorrelationPostProcessor(registries);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.boot.actuate.endpoint.annotation.Endpoint",
      "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint"})
  static class EndpointConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = PgIntelEndpoint.class)
    PgIntelEndpoint pgintelEndpoint(PgIntelMonitors monitors) {
      return new PgIntelEndpoint(monitors);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
  @ConditionalOnProperty(prefix = "management.health.pgintel", name = "enabled", matchIfMissing = true)
  static class Boot3HealthConfiguration {

    /** Named so that the contributor is {@code pgintel}. */
    @Bean
    @ConditionalOnMissingBean(name = "pgintelHealthIndicator")
    Boot3HealthIndicator pgintelHealthIndicator(PgIntelMonitors monitors, PgIntelProperties properties) {
      return new Boot3HealthIndicator(new PgIntelHealth(monitors, properties.getHealth().isFailOnError()));
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnProperty(prefix = "management.health.pgintel", name = "enabled", matchIfMissing = true)
  static class Boot4HealthConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "pgintelHealthIndicator")
    Boot4HealthIndicator pgintelHealthIndicator(PgIntelMonitors monitors, PgIntelProperties properties) {
      return new Boot4HealthIndicator(new PgIntelHealth(monitors, properties.getHealth().isFailOnError()));
    }
  }
}
