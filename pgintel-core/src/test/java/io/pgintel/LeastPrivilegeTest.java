package io.pgintel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.collect.BuiltInCollectors;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.test.CapturedStderr;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.PostgresServers;
import io.pgintel.test.TestTelemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
      CollectorStatus[] statements = new CollectorStatus[1];
      String log;
      try (TestTelemetry otel = new TestTelemetry()) {
        PgIntelBuilder b = PgIntel.builder().dataSource(pg.dataSourceAs("plain", "postgres"))
            .openTelemetry(otel.openTelemetry());
        for (String name : BuiltInCollectors.defaultIntervals().keySet()) {
          b.collectorEnabled(name, name.equals("statements") || name.equals("connections"));
        }
        log = CapturedStderr.during(() -> {
          try (PgIntel p = b.build()) {
            p.collectNow();
            p.collectNow();
            statements[0] = p.status().stream().filter(s -> s.name().equals("statements")).findFirst()
                .orElseThrow();
          }
        });
      }
      assertEquals(CollectorStatus.State.UNAVAILABLE, statements[0].state(), statements[0].toString());
      assertEquals(0, statements[0].consecutiveFailures(), "not a failure to back off from: " + statements[0]);
      assertTrue(log.contains("collector 'statements' is unavailable on this server: pg_stat_statements is not in "
          + "shared_preload_libraries"), log);
      assertTrue(!log.contains("collector 'statements' failed"), log);
      int partial = CapturedStderr.count(log, "neither a superuser nor a member of pg_monitor");
      assertEquals(1, partial, "the partial view is said once: " + log);
    } finally {
      pg.stop();
    }
  }

  @PgTest
  void everyCollectorReadsForALoginOnlyRoleWithoutAFailure(PgServer pg) throws Exception {
    String db = pg.createDatabase("plainrole");
    pg.execute(db, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a');"
        + " CREATE SEQUENCE s; SELECT nextval('s')");
    pg.execute("postgres", "DO $$ BEGIN CREATE ROLE plain_all LOGIN; EXCEPTION WHEN duplicate_object THEN NULL;"
        + " END $$");
    pg.execute(db, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO plain_all");
    List<CollectorStatus> status = new ArrayList<>();
    String log;
    try (TestTelemetry otel = new TestTelemetry()) {
      log = CapturedStderr.during(() -> {
        try (PgIntel p = PgIntel.builder().dataSource(pg.dataSourceAs("plain_all", db))
            .openTelemetry(otel.openTelemetry()).build()) {
          p.collectNow();
          p.collectNow();
          status.addAll(p.status());
        }
      });
    }
    assertEquals(BuiltInCollectors.defaultIntervals().size(), status.size(), status.toString());
    for (CollectorStatus s : status) {
      CollectorStatus.State expected = BuiltInCollectors.enabledByDefault(s.name()) ? CollectorStatus.State.ACTIVE
          : CollectorStatus.State.DISABLED;
      assertTrue(s.state() == expected && s.consecutiveFailures() == 0 && s.lastError() == null, s.toString());
    }
    assertTrue(!log.contains("failed"), log);
  }
}
