package io.pgintel.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.pgintel.PgIntel;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;

/** The auto-configuration on Boot 3.5, against a real PostgreSQL (core's embedded test server). */
class PgIntelAutoConfigurationTest {

  private static PgServer pg;
  private static String otherDatabase;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(PgIntelAutoConfiguration.class))
      // the endpoint is only created when exposed
      .withPropertyValues("management.endpoints.web.exposure.include=health,pgintel");

  @BeforeAll
  static void server() throws Exception {
    pg = PostgresServers.newest();
    otherDatabase = pg.createDatabase("starter");
  }

  @Test
  void monitorsThePostgresDataSourceByDefault() {
    runner.withUserConfiguration(OneDataSource.class, InMemoryTelemetry.class).run(context -> {
      assertThat(context).hasNotFailed();
      PgIntelMonitors monitors = context.getBean(PgIntelMonitors.class);
      assertThat(monitors.byDataSource()).containsOnlyKeys("dataSource");
      assertThat(monitors.monitors().get(0).database()).isEqualTo("localhost:" + pg.port() + "/postgres");
      assertThat(monitors.isRunning()).isTrue();
      assertThat(context).hasSingleBean(PgIntelEndpoint.class).hasBean("pgintelHealthIndicator");
    });
  }

  @Test
  void theBeansThePostProcessorNeedsEarlyAreInfrastructureSoSpringDoesNotWarnAboutThem() {
    runner.withUserConfiguration(OneDataSource.class, InMemoryTelemetry.class).run(context -> {
      assertThat(context).hasNotFailed();
      for (String name : List.of("pgintelSessionRegistries", "pgintelCorrelationPostProcessor")) {
        // Spring's "is not eligible for getting processed by all BeanPostProcessors" skips infrastructure beans
        assertThat(context.getBeanFactory().getBeanDefinition(name).getRole()).as(name)
            .isEqualTo(org.springframework.beans.factory.config.BeanDefinition.ROLE_INFRASTRUCTURE);
      }
    });
  }

  @Test
  void closesEveryInstanceWhenTheContextCloses() {
    PgIntel[] seen = new PgIntel[1];
    runner.withUserConfiguration(OneDataSource.class, InMemoryTelemetry.class).run(context -> {
      seen[0] = context.getBean(PgIntelMonitors.class).forDataSource("dataSource");
      assertThat(seen[0].status()).extracting(CollectorStatus::state).contains(CollectorStatus.State.ACTIVE);
    });
    assertThat(seen[0].status()).extracting(CollectorStatus::state)
        .doesNotContain(CollectorStatus.State.ACTIVE, CollectorStatus.State.BACKING_OFF);
  }

  @Test
  void switchedOffByProperty() {
    runner.withUserConfiguration(OneDataSource.class).withPropertyValues("pgintel.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(PgIntelMonitors.class)
            .doesNotHaveBean(PgIntelEndpoint.class).doesNotHaveBean("pgintelHealthIndicator"));
  }

  @Test
  void nothingWithoutADataSource() {
    runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(PgIntelMonitors.class)
        .doesNotHaveBean(PgIntelEndpoint.class).doesNotHaveBean("pgintelHealthIndicator"));
  }

  @Test
  void oneMonitorPerDatabaseAndNoneForRoutingOrOtherDatabases() {
    runner.withUserConfiguration(SeveralDataSources.class, InMemoryTelemetry.class).run(context -> {
      PgIntelMonitors monitors = context.getBean(PgIntelMonitors.class);
      // 'alsoPostgres' reaches the database of 'primary'; 'h2' is not PostgreSQL; 'routing' routes
      assertThat(monitors.byDataSource()).containsOnlyKeys("primary", "other");
      assertThat(monitors.monitors().get(0).sharedWith()).containsExactly("alsoPostgres");
      assertThat(monitors.forDataSource("alsoPostgres")).isSameAs(monitors.forDataSource("primary"));
      assertThat(monitors.forDataSource("h2")).isNull();
    });
  }

  @Test
  void includeSelectsBeansByName() {
    runner.withUserConfiguration(SeveralDataSources.class, InMemoryTelemetry.class)
        .withPropertyValues("pgintel.datasources.include=other,alsoPostgres")
        .run(context -> assertThat(context.getBean(PgIntelMonitors.class).byDataSource())
            .containsOnlyKeys("alsoPostgres", "other"));
  }

  @Test
  void excludeWinsOverInclude() {
    runner.withUserConfiguration(SeveralDataSources.class, InMemoryTelemetry.class)
        .withPropertyValues("pgintel.datasources.include=primary,other", "pgintel.datasources.exclude=primary")
        .run(context -> assertThat(context.getBean(PgIntelMonitors.class).byDataSource())
            .containsOnlyKeys("other"));
  }

  @Test
  void metricsGoThroughTheApplicationsOpenTelemetryBean() {
    runner.withUserConfiguration(OneDataSource.class, InMemoryTelemetry.class).run(context -> {
      context.getBean(PgIntelMonitors.class).collectNow();
      Collection<MetricData> metrics = context.getBean(InMemoryMetricReader.class).collectAllMetrics();
      assertThat(metrics).extracting(MetricData::getName).contains("postgresql.commits", "postgresql.backends");
      MetricData commits = metrics.stream().filter(m -> m.getName().equals("postgresql.commits")).findFirst()
          .orElseThrow();
      assertThat(commits.getResource().getAttribute(AttributeKey.stringKey("service.name")))
          .isEqualTo("starter-test-app");
    });
  }

  @Test
  void invalidPropertyFailsStartupNamingIt() {
    runner.withUserConfiguration(OneDataSource.class, InMemoryTelemetry.class)
        .withPropertyValues("pgintel.collectors.database.interval=-5s").run(context -> {
          assertThat(context).hasFailed();
          Throwable failure = context.getStartupFailure();
          InvalidPgIntelSettingException cause = findCause(failure, InvalidPgIntelSettingException.class);
          assertThat(cause.property()).isEqualTo("pgintel.collectors.database.interval");
          assertThat(cause.getMessage()).contains("pgintel.collectors.database.interval").contains("100ms");
          FailureAnalysis analysis = new PgIntelSettingFailureAnalyzer().analyze(failure);
          assertThat(analysis.getDescription()).contains("'pgintel.collectors.database.interval'");
          assertThat(analysis.getAction()).contains("pgintel.collectors.database.interval");
        });
  }

  @Test
  void unknownCollectorFailsStartupNamingIt() {
    runner.withUserConfiguration(OneDataSource.class, InMemoryTelemetry.class)
        .withPropertyValues("pgintel.collectors.activty.enabled=true").run(context -> {
          assertThat(context).hasFailed();
          assertThat(findCause(context.getStartupFailure(), InvalidPgIntelSettingException.class).getMessage())
              .contains("pgintel.collectors.activty.enabled").contains("unknown collector 'activty'");
        });
  }

  /** No OpenTelemetry bean and no Spring OpenTelemetry support: pgintel falls back to its own SDK and runs. */
  @Test
  void runsWithoutAnyOpenTelemetryOfTheApplication() {
    // pgintel's own SDK reads otel.* from system properties; no collector listens in this test
    System.setProperty("otel.metrics.exporter", "none");
    System.setProperty("otel.logs.exporter", "none");
    try {
      runsWithOwnSdk();
    } finally {
      System.clearProperty("otel.metrics.exporter");
      System.clearProperty("otel.logs.exporter");
    }
  }

  private void runsWithOwnSdk() {
    runner.withUserConfiguration(OneDataSource.class)
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate.autoconfigure.opentelemetry",
            "io.micrometer.registry.otlp"))
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(io.opentelemetry.api.OpenTelemetry.class);
          PgIntelMonitors monitors = context.getBean(PgIntelMonitors.class);
          assertThat(monitors.isRunning()).isTrue();
          monitors.forDataSource("dataSource").collectNow();
          assertThat(monitors.forDataSource("dataSource").status())
              .anySatisfy(s -> assertThat(s.lastSuccess()).isNotNull());
        });
  }

  @Test
  void worksWithoutActuator() {
    runner.withUserConfiguration(OneDataSource.class, InMemoryTelemetry.class)
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(PgIntelMonitors.class)
            .doesNotHaveBean(PgIntelEndpoint.class).doesNotHaveBean("pgintelHealthIndicator"));
  }

  @Test
  void standsDownWhenTheAgentIsActive() {
    System.setProperty(MonitorFactory.AGENT_ACTIVE, "true");
    try {
      runner.withUserConfiguration(OneDataSource.class, InMemoryTelemetry.class).run(context -> {
        assertThat(context.getBean(PgIntelMonitors.class).monitors()).isEmpty();
        Health health = context.getBean("pgintelHealthIndicator", Boot3HealthIndicator.class).health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsKey("monitors");
      });
    } finally {
      System.clearProperty(MonitorFactory.AGENT_ACTIVE);
    }
  }

  @Test
  void healthShowsCollectorsAndLastSuccess() {
    runner.withUserConfiguration(OneDataSource.class, InMemoryTelemetry.class).run(context -> {
      context.getBean(PgIntelMonitors.class).collectNow();
      Health health = context.getBean("pgintelHealthIndicator", Boot3HealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      @SuppressWarnings("unchecked")
      Map<String, Object> one = (Map<String, Object>) health.getDetails().get("dataSource");
      assertThat(one).containsKeys("collectors", "lastSuccess");
      assertThat(one.get("collectors")).asString().contains("database=ACTIVE");
    });
  }

  @Test
  void failingCollectorsLeaveHealthUpUnlessFailOnError() {
    runner.withUserConfiguration(UnreachableDataSource.class, InMemoryTelemetry.class).run(context -> {
      context.getBean(PgIntelMonitors.class).collectNow();
      Health health = context.getBean("pgintelHealthIndicator", Boot3HealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails().toString()).contains("problems");
    });
    runner.withUserConfiguration(UnreachableDataSource.class, InMemoryTelemetry.class)
        .withPropertyValues("pgintel.health.fail-on-error=true").run(context -> {
          context.getBean(PgIntelMonitors.class).collectNow();
          Health health = context.getBean("pgintelHealthIndicator", Boot3HealthIndicator.class).health();
          assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        });
  }

  @Test
  void endpointShowsCollectorsAndTheWorkloadsTopQueries() {
    runner.withUserConfiguration(OtherDatabase.class, InMemoryTelemetry.class).run(context -> {
      PgIntelMonitors monitors = context.getBean(PgIntelMonitors.class);
      DataSource ds = context.getBean(DataSource.class);
      // the statements collector reports deltas between two reads
      monitors.collectNow();
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS starter_items(id int PRIMARY KEY, name text)");
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM starter_items WHERE id = ?")) {
          for (int i = 0; i < 25; i++) {
            ps.setInt(1, i);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
            }
          }
        }
      }
      monitors.collectNow();
      PgIntelEndpoint.Report report = context.getBean(PgIntelEndpoint.class).report();
      PgIntelEndpoint.Database db = report.databases().get(0);
      assertThat(db.dataSource()).isEqualTo("dataSource");
      assertThat(db.collectors()).extracting(PgIntelEndpoint.Collector::name).contains("statements", "database");
      assertThat(db.circuits()).first().isEqualTo(new PgIntelEndpoint.Circuit("server", "closed", 0, null, null));
      PgIntelEndpoint.Query select = db.topQueries().stream()
          .filter(q -> q.query() != null && q.query().contains("starter_items WHERE id")).findFirst().orElseThrow();
      assertThat(select.calls()).isEqualTo(25);
      assertThat(select.summary()).isEqualTo("SELECT starter_items");
      assertThat(select.database()).isEqualTo(otherDatabase);
      assertThat(select.query()).doesNotContain("= 3");
    });
  }

  /** Through the DataSource bean the starter wraps, a top query in the endpoint names the line that runs it. */
  @Test
  void endpointNamesTheLineOfCodeThatRunsATopQuery() {
    runner.withUserConfiguration(OtherDatabase.class, InMemoryTelemetry.class).run(context -> {
      PgIntelMonitors monitors = context.getBean(PgIntelMonitors.class);
      DataSource ds = context.getBean(DataSource.class);
      monitors.collectNow();
      Thread report = new Thread(() -> runReport(ds), "report");
      long started = System.nanoTime();
      report.start();
      // while the report's statement runs (2 s): the activity sampler reads the thread's stack before its sample;
      // the statements collector then reports it only after it ended, in the last collection
      Thread.sleep(300);
      monitors.collectNow();
      if (System.nanoTime() - started < 1_000_000_000L) {
        monitors.collectNow();
      }
      report.join();
      monitors.collectNow();
      PgIntelEndpoint.Query q = context.getBean(PgIntelEndpoint.class).report().databases().get(0).topQueries()
          .stream().filter(t -> t.query() != null && t.query().contains("AS starter_report")).findFirst()
          .orElseThrow(() -> new AssertionError("no top query of the report: " + context.getBean(
              PgIntelEndpoint.class).report().databases().get(0).topQueries()));
      String self = PgIntelAutoConfigurationTest.class.getName();
      assertThat(q.code()).hasSize(1);
      assertThat(q.code().get(0)).startsWith(self + ".runReport:" + REPORT_LINE.get() + " from " + self
          + ".endpointNamesTheLineOfCodeThatRunsATopQuery:");
    });
  }

  private static final java.util.concurrent.atomic.AtomicInteger REPORT_LINE =
      new java.util.concurrent.atomic.AtomicInteger();

  /** The application's code: one statement, long enough for a sample to catch it running. */
  private static void runReport(DataSource ds) {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      REPORT_LINE.set(new Throwable().getStackTrace()[0].getLineNumber() + 1);
      s.execute("SELECT pg_sleep(2), 1 AS starter_report");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + failure, failure);
  }

  static PGSimpleDataSource postgres(String database) {
    return (PGSimpleDataSource) pg.dataSource(database);
  }

  @Configuration(proxyBeanMethods = false)
  static class InMemoryTelemetry {

    @Bean
    InMemoryMetricReader metricReader() {
      return InMemoryMetricReader.create();
    }

    @Bean(destroyMethod = "close")
    OpenTelemetrySdk openTelemetry(InMemoryMetricReader reader) {
      return OpenTelemetrySdk.builder()
          .setMeterProvider(SdkMeterProvider.builder()
              .setResource(Resource.getDefault().merge(Resource.builder().put("service.name", "starter-test-app")
                  .build()))
              .registerMetricReader(reader).build())
          .build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OneDataSource {

    @Bean
    DataSource dataSource() {
      return postgres("postgres");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OtherDatabase {

    @Bean
    DataSource dataSource() {
      return postgres(otherDatabase);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UnreachableDataSource {

    @Bean
    DataSource dataSource() {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      // port 1 on loopback: refused at once
      ds.setUrl("jdbc:postgresql://127.0.0.1:1/postgres?connectTimeout=2");
      ds.setUser("postgres");
      return ds;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class SeveralDataSources {

    @Bean
    DataSource primary() {
      return postgres("postgres");
    }

    /** The same database behind a Spring proxy, with the URL spelt with its parameters. */
    @Bean
    DataSource alsoPostgres() {
      DriverManagerDataSource ds = new DriverManagerDataSource(
          "jdbc:postgresql://LOCALHOST:" + pg.port() + "/postgres?ApplicationName=other", pg.user(), "");
      return new LazyConnectionDataSourceProxy(ds);
    }

    @Bean
    DataSource other() {
      return postgres(otherDatabase);
    }

    @Bean
    DataSource h2() {
      return new DriverManagerDataSource("jdbc:h2:mem:orders");
    }

    @Bean
    DataSource routing() {
      AbstractRoutingDataSource routing = new AbstractRoutingDataSource() {
        @Override
        protected Object determineCurrentLookupKey() {
          return "primary";
        }
      };
      routing.setTargetDataSources(Map.of("primary", postgres("postgres")));
      routing.afterPropertiesSet();
      return routing;
    }
  }
}
