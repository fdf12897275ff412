package io.pgintel.collect.vacuum;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgintel.PgIntel;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A vacuum autovacuum started is told apart from one a session ran, on a real server's autovacuum worker. */
class AutovacuumProgressTest {

  @Test
  void aVacuumOfAnAutovacuumWorkerIsStartedByAutovacuum() throws Exception {
    assumeTrue(System.getenv("PGINTEL_TEST_JDBC_URL") == null, "needs a server whose autovacuum wakes every second");
    PgServer pg = PostgresServers.startPrivate(PostgresServers.newest().majorVersion(),
        Map.of("autovacuum_naptime", "1"));
    try {
      // any dead row is enough for autovacuum, which then crawls: one page per 100 ms
      pg.execute("postgres", """
          CREATE TABLE crawled (id int, pad text) WITH (autovacuum_vacuum_threshold = 0,
            autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_cost_delay = 100, autovacuum_vacuum_cost_limit = 1);
          INSERT INTO crawled SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g;
          DELETE FROM crawled WHERE id % 2 = 0""");
      try (TestTelemetry otel = new TestTelemetry();
          PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel), "vacuum").build()) {
        Map<String, Object> autovacuum = Map.of("postgresql.maintenance.kind", "vacuum", "db.collection.name",
            "crawled", "postgresql.maintenance.started_by", "autovacuum");
        boolean seen = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!seen && System.nanoTime() < deadline) {
          Thread.sleep(300);
          p.collectNow();
          seen = !otel.points("postgresql.maintenance.duration", autovacuum).isEmpty();
        }
        assertTrue(seen, "the autovacuum worker's vacuum was reported as autovacuum's: "
            + otel.points("postgresql.maintenance.duration", Map.of()));
      }
    } finally {
      pg.stop();
    }
  }
}
