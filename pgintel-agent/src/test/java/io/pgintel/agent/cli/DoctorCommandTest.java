package io.pgintel.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.test.PgServer;
import io.pgintel.test.PoolerRelay;
import io.pgintel.test.PostgresServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code doctor} against real servers: ready, and lacking pg_stat_statements. */
class DoctorCommandTest {

  private record Result(int exit, String out) {}

  private static Result doctor(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = DoctorCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void readyServerPassesEveryBlockingCheck() {
    PgServer pg = PostgresServers.newest();
    Result r = doctor("--url", pg.jdbcUrl("postgres"), "--user", pg.user());
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("PASS  connectivity"), r.out());
    assertTrue(r.out().contains("PASS  server version"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("PASS  pg_monitor") && l.endsWith("superuser")), r.out());
    assertTrue(r.out().contains("PASS  pg_stat_statements preloaded"), r.out());
    assertTrue(r.out().contains("PASS  pg_stat_statements created"), r.out());
    assertTrue(r.out().contains("PASS  track_io_timing"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("PASS  track_activity_query_size")
        || l.startsWith("WARN  track_activity_query_size")), r.out());
  }

  @Test
  void aConnectionPoolerBetweenDriverAndServerIsToldAndWhatItCosts() throws Exception {
    PgServer pg = PostgresServers.newest();
    Result direct = doctor("--url", pg.jdbcUrl("postgres"), "--user", pg.user());
    assertTrue(direct.out().lines().anyMatch(l -> l.startsWith("PASS  connection pooler") && l.endsWith("none: the "
        + "driver's session is the server's")), direct.out());
    try (PoolerRelay pooler = new PoolerRelay(pg.host(), pg.port(), () -> 4242)) {
      Result through = doctor("--url", pooler.jdbcUrl("postgres"), "--user", pg.user());
      assertEquals(0, through.exit(), through.out());
      assertTrue(through.out().lines().anyMatch(l -> l.startsWith("WARN  connection pooler")
          && l.contains("the driver's session 4242 is not the server's")), through.out());
    }
  }

  @Test
  void databaseWithoutTheExtensionFailsWithTheStatementThatFixesIt() throws Exception {
    PgServer pg = PostgresServers.newest();
    String db = pg.createDatabase("doctor");
    pg.execute(db, "DROP EXTENSION pg_stat_statements");
    Result r = doctor("--url", pg.jdbcUrl(db), "--user", pg.user());
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("FAIL  pg_stat_statements created")
        && l.endsWith("run in database " + db + ": CREATE EXTENSION pg_stat_statements;")), r.out());
    assertTrue(r.out().lines().noneMatch(l -> l.startsWith("FAIL  connectivity")), r.out());
  }

  @Test
  void aRoleThatMayNotReadSettingsIsToldWhetherStatementsArePreloadedByTheViewItself() throws Exception {
    PgServer shared = PostgresServers.newest();
    shared.execute("postgres", "DO $$ BEGIN CREATE ROLE doctor_plain LOGIN; EXCEPTION WHEN duplicate_object THEN "
        + "NULL; END $$");
    // auto with the library loaded computes query ids: no warning for it
    shared.execute("postgres", "ALTER ROLE doctor_plain SET compute_query_id = auto");
    Result ready = doctor("--url", shared.jdbcUrl("postgres"), "--user", "doctor_plain");
    assertEquals(0, ready.exit(), ready.out());
    assertTrue(ready.out().lines().anyMatch(l -> l.startsWith("PASS  compute_query_id") && l.endsWith("auto")),
        ready.out());
    assertTrue(ready.out().lines().anyMatch(l -> l.startsWith("PASS  pg_stat_statements preloaded")
        && l.endsWith("the view answers")), ready.out());
    assertTrue(ready.out().lines().anyMatch(l -> l.startsWith("WARN  pg_monitor")), ready.out());

    PgServer bare = PostgresServers.startPrivate(shared.majorVersion(),
        java.util.Map.of("shared_preload_libraries", "", "compute_query_id", "auto"));
    try {
      bare.execute("postgres", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      bare.execute("postgres", "CREATE ROLE doctor_plain LOGIN");
      Result r = doctor("--url", bare.jdbcUrl("postgres"), "--user", "doctor_plain");
      assertEquals(1, r.exit(), r.out());
      assertTrue(r.out().lines().anyMatch(l -> l.startsWith("FAIL  pg_stat_statements preloaded")
          && l.contains("shared_preload_libraries = 'pg_stat_statements'")), r.out());
      // auto computes no query id without the library: the warning is right here
      assertTrue(r.out().lines().anyMatch(l -> l.startsWith("WARN  compute_query_id")), r.out());
    } finally {
      bare.stop();
    }
  }

  @Test
  void unreachableServerFailsAndBadArgumentsAreAUsageError() {
    Result down = doctor("--url", "jdbc:postgresql://127.0.0.1:1/postgres", "--user", "x");
    assertEquals(1, down.exit());
    assertTrue(down.out().startsWith("FAIL  connectivity"), down.out());
    assertEquals(2, doctor("--user", "x").exit());
    assertEquals(2, doctor("--url").exit());
  }
}
