package io.pgintel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresExtension;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Strings the server reports as they are (here an application name) leave pgintel only after the PII check. */
@ExtendWith(PostgresExtension.class)
class PiiRedactionTest {

  private static final String APP = "checkout for bob.smith@example.com";
  private static final AttributeKey<String> APPLICATION = AttributeKey.stringKey("postgresql.application_name");

  private static String everything(TestTelemetry otel) {
    StringBuilder all = new StringBuilder();
    for (MetricData m : otel.collect()) {
      for (PointData p : m.getData().getPoints()) {
        all.append(p.getAttributes()).append('\n');
      }
    }
    return all.toString();
  }

  private static Connection session(PgServer pg) throws Exception {
    Properties props = new Properties();
    props.setProperty("user", pg.user());
    props.setProperty("ApplicationName", APP);
    return DriverManager.getConnection(pg.jdbcUrl("postgres"), props);
  }

  @Test
  void emailInAnApplicationNameIsRedactedAndCounted(PgServer pg) throws Exception {
    try (Connection app = session(pg); TestTelemetry otel = new TestTelemetry();
        PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel), "connections").build()) {
      p.collectNow();
      String all = everything(otel);
      assertFalse(all.contains("bob.smith@example.com"), all);
      assertTrue(otel.points("postgresql.connection.count", Map.of()).stream()
          .anyMatch(pt -> "checkout for [REDACTED:email]".equals(pt.getAttributes().get(APPLICATION))), all);
      assertTrue(otel.value("pgintel.pii.redactions", Map.of("pgintel.pii.kind", "email")).orElseThrow() >= 1);
      // the monitored server's own address is what server.address is for: the IP detector leaves it alone
      assertTrue(otel.points("postgresql.connection.count", Map.of("server.address", "localhost")).size() > 0);
    }
  }

  @Test
  void switchedOffOrWithoutThatDetectorTheStringPassesAsItIs(PgServer pg) throws Exception {
    for (Map.Entry<String, Object> setting : Map.<String, Object>of("pgintel.pii.enabled", false,
        "pgintel.pii.detectors", "card,ssn,ip").entrySet()) {
      try (Connection app = session(pg); TestTelemetry otel = new TestTelemetry();
          PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel), "connections")
              .setting(setting.getKey(), setting.getValue()).build()) {
        p.collectNow();
        assertTrue(everything(otel).contains(APP), setting.toString());
        assertEquals(0, otel.points("pgintel.pii.redactions", Map.of()).size(), setting.toString());
      }
    }
  }
}
