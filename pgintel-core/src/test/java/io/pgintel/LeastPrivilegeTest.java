package io.pgintel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.collect.BuiltInCollectors;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import io.pgintel.test.TestTelemetry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A role with LOGIN only, as a cautious DBA might give pgintel first, on a server where pg_stat_statements is
 * created but not preloaded: what pgintel can tell it, it says once, and it fails nothing for it.
 */
class LeastPrivilegeTest {

  @Test
  void aRoleThatMayNotReadSettingsLearnsThatStatementsAreNotPreloadedAndIsToldItSeesOnlyItsOwnSessions()
      throws Exception {
    PgServer pg = PostgresServers.startPrivate(PostgresServers.newest().majorVersion(),
        Map.of("shared_preload_libraries", ""));
    try {
      pg.execute("postgres", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      pg.execute("postgres", "CREATE ROLE plain LOGIN");
      PGSimpleDataSource plain = new PGSimpleDataSource();
      plain.setUrl(pg.jdbcUrl("postgres"));
      plain.setUser("plain");

      PrintStream stderr = System.err;
      ByteArrayOutputStream logged = new ByteArrayOutputStream();
      CollectorStatus statements;
      try (TestTelemetry otel = new TestTelemetry()) {
        PgIntelBuilder b = PgIntel.builder().dataSource(plain).openTelemetry(otel.openTelemetry());
        for (String name : BuiltInCollectors.defaultIntervals().keySet()) {
          b.collectorEnabled(name, name.equals("statements") || name.equals("connections"));
        }
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        try (PgIntel p = b.build()) {
          p.collectNow();
          p.collectNow();
          statements = p.status().stream().filter(s -> s.name().equals("statements")).findFirst().orElseThrow();
        } finally {
          System.setErr(stderr);
        }
      }
      String log = logged.toString(StandardCharsets.UTF_8);
      assertEquals(CollectorStatus.State.UNAVAILABLE, statements.state(), statements.toString());
      assertEquals(0, statements.consecutiveFailures(), "not a failure to back off from: " + statements);
      assertTrue(log.contains("collector 'statements' is unavailable on this server: pg_stat_statements is not in "
          + "shared_preload_libraries"), log);
      assertTrue(!log.contains("collector 'statements' failed"), log);
      int partial = log.split("neither a superuser nor a member of pg_monitor", -1).length - 1;
      assertEquals(1, partial, "the partial view is said once: " + log);
    } finally {
      pg.stop();
    }
  }
}
