package io.pgintel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.pgintel.test.OtlpReceiver;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresExtension;
import io.pgintel.test.Stats;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Without an application SDK, pgintel's own SDK exports OTLP, configured by the standard otel.* settings. */
@ExtendWith(PostgresExtension.class)
class OwnSdkExportTest {

  @Test
  void ownSdkSendsServerMetricsOverOtlpToARealReceiver(PgServer pg) throws Exception {
    assertFalse(GlobalOpenTelemetry.isSet(), "this test needs a JVM where no global OpenTelemetry is set");
    // a system property loses to what the builder is given
    System.setProperty("otel.service.name", "from-a-system-property");
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      // no protocol and no compression given: OTLP over HTTP, gzip, by default
      PgIntel p = PgIntel.builder().dataSource(pg.dataSource()).borrowTimeout(Duration.ofSeconds(10))
          .setting("otel.exporter.otlp.endpoint", receiver.endpoint())
          .setting("otel.service.name", "checkout-service")
          .setting("otel.metric.export.interval", "3600000")
          .build();
      p.collectNow();
      p.close();

      List<OtlpReceiver.Received> received = receiver.receivedMetrics();
      OtlpReceiver.Received commits = received.stream()
          .filter(r -> r.metric().getName().equals("postgresql.commits")).findFirst().orElseThrow();
      assertEquals("checkout-service", commits.resourceAttribute("service.name"));
      assertEquals("io.pgintel", commits.scope());
      assertTrue(commits.metric().getSum().getIsMonotonic());
      NumberDataPoint postgres = commits.metric().getSum().getDataPointsList().stream()
          .filter(dp -> dp.getAttributesList().stream().anyMatch(a -> a.getKey().equals("db.namespace")
              && a.getValue().getStringValue().equals("postgres"))).findFirst().orElseThrow();
      double serverNow = Stats.read(pg, "SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'");
      assertTrue(postgres.getAsInt() > 0 && postgres.getAsInt() <= serverNow,
          postgres.getAsInt() + " commits exported, server has " + serverNow);
      assertTrue(!receiver.encodings().isEmpty()
          && receiver.encodings().stream().allMatch("gzip"::equalsIgnoreCase), receiver.encodings().toString());
    } finally {
      System.clearProperty("otel.service.name");
    }
  }
}
