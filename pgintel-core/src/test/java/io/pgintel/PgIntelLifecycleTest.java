package io.pgintel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricExporter;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresExtension;
import io.pgintel.test.TestDataSources;
import io.pgintel.test.TestTelemetry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PgIntelLifecycleTest {

  @Test
  void closeExportsWhatWasCollectedAndIsIdempotent(PgServer pg) {
    InMemoryMetricExporter exporter = InMemoryMetricExporter.create();
    try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setMeterProvider(SdkMeterProvider.builder()
        .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
        .build()).build()) {
      PgIntel p = PgIntel.builder().dataSource(pg.dataSource()).openTelemetry(sdk)
          .borrowTimeout(Duration.ofSeconds(10)).build();
      p.start();
      p.collectNow();
      assertTrue(exporter.getFinishedMetricItems().isEmpty(), "nothing exported before the hourly export");
      p.close();
      assertTrue(exporter.getFinishedMetricItems().stream().anyMatch(m -> m.getName().equals("postgresql.commits")),
          "close() flushed the last collection");
      p.close();
      p.start();
      assertTrue(p.status().stream().allMatch(s -> s.state() == CollectorStatus.State.STOPPED
          || s.state() == CollectorStatus.State.DISABLED), "a closed instance does not start again");
    }
  }

  @Test
  void disabledInstanceBorrowsNoConnection(PgServer pg) throws Exception {
    AtomicInteger borrows = new AtomicInteger();
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = PgIntel.builder().dataSource(TestDataSources.counting(pg.dataSource(), borrows))
            .openTelemetry(otel.openTelemetry()).setting("pgintel.enabled", false)
            .collectorInterval("database", Duration.ofMillis(100)).build()) {
      p.start();
      Thread.sleep(400);
    }
    assertEquals(0, borrows.get());
  }

  @Test
  void startedInstanceReturnsAtOnceAndCollectsOnItsOwn(PgServer pg) throws Exception {
    AtomicInteger borrows = new AtomicInteger();
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = PgIntel.builder().dataSource(TestDataSources.counting(pg.dataSource(), borrows))
            .openTelemetry(otel.openTelemetry()).borrowTimeout(Duration.ofSeconds(10))
            .collectorInterval("database", Duration.ofMillis(200)).build()) {
      long start = System.nanoTime();
      p.start();
      assertTrue(System.nanoTime() - start < Duration.ofMillis(200).toNanos(), "start() does no I/O");
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (otel.value("postgresql.commits", java.util.Map.of("db.namespace", "postgres")).isEmpty()
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(otel.value("postgresql.commits", java.util.Map.of("db.namespace", "postgres")).isPresent());
      assertTrue(borrows.get() >= 1);
    }
  }
}
