package io.pgintel.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.PgIntel;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.Stats;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** The connections, background writer / checkpointer and WAL collectors against what the server reports. */
class ServerCollectorsTest {

  @PgTest
  void connectionsAreCountedByStateAndApplication(PgServer pg) throws Exception {
    String db = pg.createDatabase("conns");
    String app = "conn-test-" + pg.majorVersion();
    String limited = "limited_" + db;
    pg.execute(db, "ALTER DATABASE " + db + " CONNECTION LIMIT 40; CREATE ROLE " + limited
        + " LOGIN CONNECTION LIMIT 3");
    List<Connection> open = new ArrayList<>();
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = TestPgIntel.builder(pg, otel)
            .build()) {
      for (int i = 0; i < 3; i++) {
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("ApplicationName", app);
        open.add(java.sql.DriverManager.getConnection(pg.jdbcUrl(db), props));
      }
      Connection inTx = open.get(0);
      inTx.setAutoCommit(false);
      try (Statement s = inTx.createStatement()) {
        s.execute("SELECT 1");
      }
      pgintel.collectNow();

      Map<String, Object> idle = Map.of("db.namespace", db, "postgresql.application_name", app,
          "postgresql.state", "idle");
      Map<String, Object> idleInTx = Map.of("db.namespace", db, "postgresql.application_name", app,
          "postgresql.state", "idle in transaction");
      assertEquals(2.0, TestTelemetry.sum(otel.collect(), "postgresql.connection.count", idle));
      assertEquals(1.0, TestTelemetry.sum(otel.collect(), "postgresql.connection.count", idleInTx));
      assertEquals(Stats.read(pg, "SELECT current_setting('max_connections')::int"),
          otel.value("postgresql.connection.max", Map.of()).orElseThrow());
      assertEquals(40.0, otel.value("postgresql.database.connection.limit", Map.of("db.namespace", db))
          .orElseThrow());
      assertEquals(3.0, otel.value("postgresql.role.connection.limit", Map.of("user.name", limited)).orElseThrow());
      assertTrue(otel.points("postgresql.role.connection.limit", Map.of("user.name", pg.user())).isEmpty(),
          "a role without a limit has none");
      // every server process is counted once: the total equals pg_stat_activity's row count at that moment
      double total = TestTelemetry.sum(otel.collect(), "postgresql.connection.count", Map.of());
      double processes = Stats.read(pg, "SELECT count(*) FROM pg_stat_activity");
      assertTrue(Math.abs(total - processes) <= 1, "total " + total + " vs pg_stat_activity " + processes);
    } finally {
      for (Connection c : open) {
        c.close();
      }
      pg.execute(db, "DROP ROLE " + limited);
    }
  }

  /** A client that puts each request's traceparent in application_name is one application, not one per session. */
  @PgTest
  void applicationsCarryingATraceparentPerSessionAreCountedAsOne(PgServer pg) throws Exception {
    String db = pg.createDatabase("traced");
    List<Connection> open = new ArrayList<>();
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(pg, otel), "connections").build()) {
      // whole (59 bytes), and cut short by the server's 63 bytes to a few digits of the trace id
      String longName = "orders-service-eu-west-1-production-canary-v2";
      for (int i = 0; i < 3; i++) {
        for (String app : List.of("web", longName)) {
          Properties props = new Properties();
          props.setProperty("user", pg.user());
          props.setProperty("ApplicationName", app + " 00-4bf92f3577b34da6a3ce929d0e0e473" + i
              + "-00f067aa0ba902b7-01");
          open.add(java.sql.DriverManager.getConnection(pg.jdbcUrl(db), props));
        }
      }
      pgintel.collectNow();
      for (String app : List.of("web", longName)) {
        assertEquals(3.0, TestTelemetry.sum(otel.collect(), "postgresql.connection.count", Map.of("db.namespace",
            db, "postgresql.application_name", app, "postgresql.state", "idle")), app);
      }
      assertTrue(otel.collect().stream().filter(m -> m.getName().equals("postgresql.connection.count"))
          .flatMap(m -> m.getData().getPoints().stream())
          .noneMatch(p -> p.getAttributes().toString().contains(" 00-4bf9")), "no trace id in a series");
    } finally {
      for (Connection c : open) {
        c.close();
      }
    }
  }

  @PgTest
  void checkpointsAndBackgroundWriterFollowTheServer(PgServer pg) throws Exception {
    String view = pg.majorVersion() >= 17 ? "SELECT num_requested FROM pg_stat_checkpointer"
        : "SELECT checkpoints_req FROM pg_stat_bgwriter";
    double before = Stats.settle(pg, view, 0);
    pg.execute("postgres", "CHECKPOINT");
    double after = Stats.settle(pg, view, before + 1);
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = TestPgIntel.builder(pg, otel)
            .build()) {
      pgintel.collectNow();
      assertEquals(after, otel.value("postgresql.bgwriter.checkpoint.count", Map.of("type", "requested"))
          .orElseThrow());
      assertTrue(otel.value("postgresql.bgwriter.buffers.allocated", Map.of()).orElseThrow() > 0);
      assertTrue(otel.value("postgresql.bgwriter.buffers.writes", Map.of("source", "checkpoints")).isPresent());
      boolean split = pg.majorVersion() >= 17;
      assertEquals(!split, otel.value("postgresql.bgwriter.buffers.writes", Map.of("source", "backend")).isPresent(),
          "backend writes are in pg_stat_bgwriter before 17 only");
      assertEquals(split, otel.value("postgresql.checkpointer.restartpoint.count", Map.of("type", "done"))
          .isPresent(), "restartpoints are counted from 17 on");
    }
  }

  @PgTest
  void walPositionAndVolumeFollowTheServer(PgServer pg) throws Exception {
    String db = pg.createDatabase("wal");
    pg.execute(db, "CREATE TABLE w (v text)");
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = TestPgIntel.builder(pg, otel)
            .build()) {
      pgintel.collectNow();
      double lsn0 = otel.value("postgresql.wal.lsn", Map.of()).orElseThrow();
      pg.execute(db, "INSERT INTO w SELECT repeat('x', 100) FROM generate_series(1, 5000)");
      // pg_stat_wal reaches the view with the statistics delay; its position does not
      double walRecords = pg.majorVersion() >= 14
          ? Stats.settle(pg, "SELECT wal_records FROM pg_stat_wal", 5000) : 0;
      double serverBefore = lsnBytes(pg);
      pgintel.collectNow();
      double serverAfter = lsnBytes(pg);
      double lsn1 = otel.value("postgresql.wal.lsn", Map.of()).orElseThrow();
      String values = "pgintel " + lsn0 + " -> " + lsn1 + ", server around the second read " + serverBefore + " .. "
          + serverAfter + ", status " + pgintel.status();
      assertTrue(lsn1 - lsn0 > 5000 * 100, "5000 rows of 100 bytes write at least that much WAL: " + values);
      assertTrue(serverBefore <= lsn1 && lsn1 <= serverAfter,
          lsn1 + " is not between the server's " + serverBefore + " and " + serverAfter);
      if (pg.majorVersion() >= 14) {
        double emitted = otel.value("postgresql.wal.records", Map.of()).orElseThrow();
        double now = Stats.read(pg, "SELECT wal_records FROM pg_stat_wal");
        assertTrue(walRecords <= emitted && emitted <= now, emitted + " not in " + walRecords + " .. " + now);
        assertEquals(pg.majorVersion() < 18, otel.value("postgresql.wal.writes", Map.of()).isPresent(),
            "wal_write moved to pg_stat_io in 18");
      } else {
        assertTrue(otel.value("postgresql.wal.records", Map.of()).isEmpty(), "no pg_stat_wal before 14");
      }
      assertEquals(0.0, otel.value("postgresql.archiver.failed", Map.of()).orElseThrow());
    }
  }

  @PgTest
  void walDirectoryIsListedForAMonitoringRoleAndLeftOutForOneThatMayNot(PgServer pg) throws Exception {
    String segments = "SELECT count(*) FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'";
    String bytes = "SELECT sum(size) FROM pg_ls_waldir()";
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(pg, otel), "wal").build()) {
      double segmentsBefore = Stats.read(pg, segments);
      double bytesBefore = Stats.read(pg, bytes);
      pgintel.collectNow();
      double segmentsAfter = Stats.read(pg, segments);
      double bytesAfter = Stats.read(pg, bytes);
      // a checkpoint may add or recycle a segment meanwhile
      double emitted = otel.value("postgresql.wal.directory.segments", Map.of()).orElseThrow();
      assertTrue(emitted >= Math.min(segmentsBefore, segmentsAfter) && emitted >= 1
          && emitted <= Math.max(segmentsBefore, segmentsAfter), emitted + " vs " + segmentsBefore + ", " + segmentsAfter);
      double size = otel.value("postgresql.wal.directory.size", Map.of()).orElseThrow();
      assertTrue(size >= Math.min(bytesBefore, bytesAfter) && size <= Math.max(bytesBefore, bytesAfter),
          size + " vs " + bytesBefore + ", " + bytesAfter);
      assertTrue(size >= emitted * Stats.read(pg, "SELECT setting::bigint FROM pg_settings WHERE name = "
          + "'wal_segment_size'"), "segments are whole files");
      assertEquals(0.0, otel.value("postgresql.archiver.pending", Map.of()).orElseThrow(), "archive_mode is off");
    }
    pg.execute("postgres", "DO $$ BEGIN CREATE ROLE wal_plain LOGIN; EXCEPTION WHEN duplicate_object THEN NULL;"
        + " END $$");
    try (TestTelemetry otel = new TestTelemetry(); PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(pg, otel),
        "wal").dataSource(pg.dataSourceAs("wal_plain", "postgres")).build()) {
      pgintel.collectNow();
      assertEquals(io.pgintel.collect.CollectorStatus.State.ACTIVE, pgintel.status().stream()
          .filter(st -> st.name().equals("wal")).findFirst().orElseThrow().state());
      assertTrue(otel.value("postgresql.wal.directory.size", Map.of()).isEmpty(), "not listed without pg_monitor");
      assertTrue(otel.value("postgresql.wal.lsn", Map.of()).isPresent(), "the rest of the collector reads on");
    }
  }

  @PgTest
  void theLatestCheckpointIsReadForARoleThatMayAndLeftOutForOneThatMayNot(PgServer pg) throws Exception {
    String distance = "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn) FROM pg_control_checkpoint()";
    String redo = "SELECT pg_wal_lsn_diff(redo_lsn, '0/0') FROM pg_control_checkpoint()";
    pg.execute("postgres", "CHECKPOINT");
    pg.execute("postgres", "CREATE TABLE IF NOT EXISTS wal_filler (v text); INSERT INTO wal_filler"
        + " SELECT repeat('x', 100) FROM generate_series(1, 2000)");
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(pg, otel), "wal").build()) {
      double redoBefore;
      double before;
      double after;
      do {
        redoBefore = Stats.read(pg, redo);
        before = Stats.read(pg, distance);
        pgintel.collectNow();
        after = Stats.read(pg, distance);
        // a checkpoint of the server's own in between moves the redo point: read again
      } while (Stats.read(pg, redo) != redoBefore);
      double emitted = otel.value("postgresql.checkpoint.redo_distance", Map.of()).orElseThrow();
      assertTrue(emitted >= before && emitted <= after && before > 200_000,
          emitted + " between " + before + " and " + after);
      double age = otel.value("postgresql.checkpoint.age", Map.of()).orElseThrow();
      double expectedAge = Stats.read(pg, "SELECT extract(epoch FROM clock_timestamp() - checkpoint_time)"
          + " FROM pg_control_checkpoint()");
      assertTrue(age >= 0 && age <= expectedAge, age + " vs " + expectedAge);
      assertEquals(Stats.read(pg, "SELECT timeline_id FROM pg_control_checkpoint()"),
          otel.value("postgresql.timeline", Map.of()).orElseThrow());
    }
    pg.execute("postgres", "DO $$ BEGIN CREATE ROLE wal_plain LOGIN; EXCEPTION WHEN duplicate_object THEN NULL;"
        + " END $$");
    // PUBLIC may execute it unless an administrator took that away, as some do
    pg.execute("postgres", "REVOKE EXECUTE ON FUNCTION pg_control_checkpoint() FROM PUBLIC");
    try (TestTelemetry otel = new TestTelemetry(); PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(pg, otel),
        "wal").dataSource(pg.dataSourceAs("wal_plain", "postgres")).build()) {
      assertEquals(0.0, Stats.read(pg, "SELECT has_function_privilege('wal_plain', 'pg_control_checkpoint()',"
          + " 'EXECUTE')::int"));
      pgintel.collectNow();
      assertTrue(otel.value("postgresql.checkpoint.age", Map.of()).isEmpty(), "left out for a role that may not");
      assertTrue(otel.value("postgresql.wal.lsn", Map.of()).isPresent(), "the rest of the collector reads on");
      assertEquals(io.pgintel.collect.CollectorStatus.State.ACTIVE, pgintel.status().stream()
          .filter(st -> st.name().equals("wal")).findFirst().orElseThrow().state());
    } finally {
      pg.execute("postgres", "GRANT EXECUTE ON FUNCTION pg_control_checkpoint() TO PUBLIC");
    }
  }

  private static double lsnBytes(PgServer pg) throws Exception {
    try (Connection c = pg.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')")) {
      rs.next();
      return rs.getDouble(1);
    }
  }
}
