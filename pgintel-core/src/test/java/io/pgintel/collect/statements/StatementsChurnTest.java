package io.pgintel.collect.statements;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.pgintel.PgIntel;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** pg_stat_statements evicting all the time: pgintel stays bounded, exact and non-negative. */
class StatementsChurnTest {

  private static final int DISTINCT = 500;

  @Test
  void fiveHundredStatementsChurningThroughAHundredEntries() throws Exception {
    assumeTrue(System.getenv("PGINTEL_TEST_JDBC_URL") == null, "needs its own embedded server");
    int major = PostgresServers.newest().majorVersion();
    PgServer pg = PostgresServers.startPrivate(major, Map.of("pg_stat_statements.max", "100"));
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = StatementsCollectorTest.statementsOnly(pg, otel)
            .setting("pgintel.collectors.statements.max-series", 50).build()) {
      pgintel.collectNow();
      double firstDeallocations = -1;
      for (int round = 0; round < 3; round++) {
        churn(pg);
        pgintel.collectNow();
        assertTrue(otel.value("postgresql.statements.entries", Map.of()).orElseThrow() <= 100);
        assertEquals(100.0, otel.value("postgresql.statements.max", Map.of()).orElseThrow());
        if (major >= 14) {
          double d = otel.value("postgresql.statements.deallocations", Map.of()).orElseThrow();
          assertTrue(d > firstDeallocations, "evictions are reported and grow: " + d);
          firstDeallocations = d;
        }
        assertTrue(otel.points("postgresql.query.calls", Map.of()).size() <= 51, "series stay bounded");
      }
      long events = 0;
      for (LogRecordData e : otel.events("db.server.top_query")) {
        events++;
        e.getAttributes().forEach((k, v) -> {
          if (k.getKey().startsWith("postgresql.") && v instanceof Number n) {
            assertTrue(n.doubleValue() >= 0, k + " = " + v);
          }
        });
      }
      assertTrue(events > 0, "the churn was reported");
      assertTrue(events <= 3 * 101, "at most one event per entry the server holds, plus other, per interval");
    } finally {
      pg.stop();
    }
  }

  /** {@value #DISTINCT} statements with distinct query ids: one more condition each. */
  private static void churn(PgServer pg) throws Exception {
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      StringBuilder sql = new StringBuilder("SELECT x FROM generate_series(1, 3) AS g(x) WHERE x > 0");
      for (int i = 0; i < DISTINCT; i++) {
        s.executeQuery(sql.toString()).close();
        sql.append(" AND x > ").append(i % 7);
      }
    }
  }
}
