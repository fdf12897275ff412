package io.pgintel.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.pgintel.PgIntel;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The starter ties the application's statements to its spans without changing the DataSource's type. */
class CorrelationTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static PgServer pg;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(PgIntelAutoConfiguration.class))
      .withUserConfiguration(Pool.class, Telemetry.class)
      .withPropertyValues("pgintel.collectors.activity.long-query-threshold=500ms");

  @BeforeAll
  static void server() {
    pg = PostgresServers.newest();
  }

  @Test
  void statementsOfTheApplicationsPoolCarryItsSpanAndCode() {
    runner.run(context -> {
      assertThat(context).hasNotFailed();
      DataSource ds = context.getBean(DataSource.class);
      assertThat(ds).isInstanceOf(HikariDataSource.class);
      assertThat(AopUtils.isAopProxy(ds)).isTrue();
      PgIntel pgintel = context.getBean(PgIntelMonitors.class).forDataSource("dataSource");
      ExecutorService sampler = Executors.newSingleThreadExecutor();
      AtomicBoolean running = new AtomicBoolean(true);
      try {
        Future<?> sampling = sampler.submit(() -> {
          while (running.get()) {
            pgintel.collectNow();
            Thread.sleep(150);
          }
          return null;
        });
        SpanContext span = SpanContext.create(TRACE, "00f067aa0ba902b7", TraceFlags.getSampled(),
            TraceState.getDefault());
        try (Scope ignored = Span.wrap(span).makeCurrent(); Connection c = ds.getConnection();
            Statement s = c.createStatement()) {
          s.execute("SELECT pg_sleep(1.5)");
        }
        running.set(false);
        sampling.get();
      } finally {
        sampler.shutdownNow();
      }
      List<LogRecordData> samples = context.getBean(InMemoryLogRecordExporter.class).getFinishedLogRecordItems()
          .stream().filter(r -> "db.server.query_sample".equals(r.getEventName()))
          .filter(r -> r.getSpanContext().getTraceId().equals(TRACE)).toList();
      assertThat(samples).hasSize(1);
      assertThat(samples.get(0).getAttributes().get(AttributeKey.stringKey("code.function")))
          .isEqualTo("statementsOfTheApplicationsPoolCarryItsSpanAndCode");
    });
  }

  @Test
  void correlationOffLeavesTheDataSourceAlone() {
    runner.withPropertyValues("pgintel.correlation.enabled=false").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(AopUtils.isAopProxy(context.getBean(DataSource.class))).isFalse();
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class Pool {
    @Bean(destroyMethod = "close")
    HikariDataSource dataSource() {
      HikariDataSource ds = new HikariDataSource();
      ds.setJdbcUrl(pg.jdbcUrl("postgres"));
      ds.setUsername(pg.user());
      ds.setMaximumPoolSize(3);
      return ds;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Telemetry {
    @Bean
    InMemoryLogRecordExporter logExporter() {
      return InMemoryLogRecordExporter.create();
    }

    @Bean(destroyMethod = "close")
    OpenTelemetrySdk openTelemetry(InMemoryLogRecordExporter logs) {
      return OpenTelemetrySdk.builder().setMeterProvider(SdkMeterProvider.builder().build())
          .setLoggerProvider(SdkLoggerProvider.builder().addLogRecordProcessor(SimpleLogRecordProcessor.create(logs))
              .build())
          .build();
    }
  }
}
