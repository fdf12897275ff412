package io.pgintel.collect.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.sdk.metrics.data.MetricData;
import io.pgintel.PgIntel;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.PostgresServers;
import io.pgintel.test.Stats;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * The replication collector on a real primary with a real streaming standby, both started by the harness at the
 * version under test. Replay on the standby is paused so that its backlog holds still: then every byte value
 * pgintel emits can be checked against the server's own views, read just before and just after the collection.
 */
class ReplicationCollectorTest {

  private static final String LOGICAL_SLOT = "pgintel_logical";
  private static final int ROWS = 5000;
  /** Each row carries this many bytes of payload, so that its WAL is at least ROWS times that. */
  private static final int ROW_BYTES = 100;

  @PgTest
  void primaryAndStandbyReportWhatTheirViewsShow(PgServer pg) throws Exception {
    int major = pg.majorVersion();
    PgServer primary = PostgresServers.startPrivate(major,
        Map.of("wal_level", "logical", "max_slot_wal_keep_size", "1GB"));
    PgServer standby = null;
    try {
      // with feedback: the standby's xmin reaches the primary, on the slot it streams through
      standby = PostgresServers.startStandby(primary, Map.of("hot_standby_feedback", "on"));
      primary.execute("postgres", "CREATE TABLE t (v text)");
      primary.execute("postgres", "INSERT INTO t VALUES ('first')");
      // the standby replays a transaction of its own, so that it has a last replay time
      awaitReplayed(standby);
      standby.execute("postgres", "SELECT pg_wal_replay_pause()");
      primary.execute("postgres", "SELECT pg_create_logical_replication_slot('" + LOGICAL_SLOT + "', 'test_decoding')");
      insertRows(primary);
      awaitFlushed(primary);

      String client = text(primary, "SELECT application_name || '@' || host(client_addr) FROM pg_stat_replication");
      String physicalSlot = text(primary, "SELECT slot_name FROM pg_replication_slots WHERE slot_type = 'physical'");
      Stats.settle(primary, "SELECT count(*) FROM pg_replication_slots WHERE xmin IS NOT NULL AND slot_name = '"
          + physicalSlot + "'", 1);
      assertEquals(PostgresServers.STANDBY_APPLICATION, client.substring(0, client.indexOf('@')));

      try (TestTelemetry otel = new TestTelemetry();
          PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(primary, otel), "replication").build()) {
        String replayBehind = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) FROM pg_stat_replication";
        String physicalRetained = retainedSql(physicalSlot);
        String logicalRetained = retainedSql(LOGICAL_SLOT);
        String unconfirmed = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) FROM "
            + "pg_replication_slots WHERE slot_name = '" + LOGICAL_SLOT + "'";
        double[] before = {Stats.read(primary, replayBehind), Stats.read(primary, physicalRetained),
            Stats.read(primary, logicalRetained), Stats.read(primary, unconfirmed)};
        String flushedBefore = text(primary, "SELECT flush_lsn::text FROM pg_stat_replication");
        pgintel.collectNow();
        double[] after = {Stats.read(primary, replayBehind), Stats.read(primary, physicalRetained),
            Stats.read(primary, logicalRetained), Stats.read(primary, unconfirmed)};
        // what the primary wrote since the standby had flushed all of it (autovacuum, a checkpoint: anything)
        double writtenSince = Stats.read(primary, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + flushedBefore
            + "')");
        var data = otel.collect();
        assertSucceeded(pgintel);

        assertEquals(0.0, value(data, "postgresql.replication.is_replica", Map.of()));
        Map<String, Object> standbyAttrs = Map.of("replication_client", client);
        double dataDelay = value(data, "postgresql.replication.data_delay", standbyAttrs);
        assertBetween(before[0], dataDelay, after[0], "data_delay of " + client);
        assertTrue(dataDelay > ROWS * ROW_BYTES, "paused replay leaves the inserted rows behind: " + dataDelay);
        assertEquals(dataDelay, value(data, "postgresql.replication.backlog",
            Map.of("replication_client", client, "operation", "replay")));
        // written and flushed on the standby: replay is paused, receiving is not; behind only by what the primary
        // wrote after the standby had flushed everything, none of the inserted rows
        double flushBacklog = value(data, "postgresql.replication.backlog",
            Map.of("replication_client", client, "operation", "flush"));
        assertBetween(0, flushBacklog, writtenSince, "flush backlog");
        assertTrue(flushBacklog < ROWS * ROW_BYTES, "the inserted rows are flushed: " + flushBacklog);
        assertEquals(1.0, value(data, "postgresql.replication.streaming", standbyAttrs));
        assertEquals(1.0, value(data, "postgresql.replication.sync_state",
            Map.of("replication_client", client, "postgresql.replication.sync_state", "async")));
        double replyAge = value(data, "postgresql.replication.reply.age", standbyAttrs);
        assertTrue(replyAge >= 0 && replyAge < 30, "the standby replies every 10 s at most: " + replyAge);
        double xminAge = value(data, "postgresql.replication.xmin.age", standbyAttrs);
        assertBetween(0, xminAge, Stats.read(primary, "SELECT age(xmin) FROM pg_replication_slots WHERE slot_name"
            + " = '" + physicalSlot + "'") + 100, "the standby's feedback xmin, from its slot");
        for (String op : new String[] {"write", "flush"}) {
          double delay = value(data, "postgresql.wal.delay", Map.of("replication_client", client, "operation", op));
          assertTrue(delay >= 0 && delay < 60, op + " delay " + delay);
          assertEquals(Math.floor(delay), value(data, "postgresql.wal.lag",
              Map.of("replication_client", client, "operation", op)));
        }

        Map<String, Object> physical = Map.of("postgresql.replication_slot.name", physicalSlot,
            "postgresql.replication_slot.type", "physical");
        Map<String, Object> logical = Map.of("postgresql.replication_slot.name", LOGICAL_SLOT,
            "postgresql.replication_slot.type", "logical");
        assertEquals(1.0, value(data, "postgresql.replication_slot.active", physical));
        assertEquals(0.0, value(data, "postgresql.replication_slot.active", logical));
        assertBetween(before[1], value(data, "postgresql.replication_slot.wal.retained", physical), after[1],
            "physical slot retained");
        double logicalRetained0 = value(data, "postgresql.replication_slot.wal.retained", logical);
        assertBetween(before[2], logicalRetained0, after[2], "logical slot retained");
        assertTrue(logicalRetained0 > ROWS * ROW_BYTES, "rows written after the slot: " + logicalRetained0);
        double unconfirmed0 = value(data, "postgresql.replication_slot.confirmed_flush.lag", logical);
        assertBetween(before[3], unconfirmed0, after[3], "logical slot unconfirmed");
        assertTrue(unconfirmed0 > ROWS * ROW_BYTES, "nothing consumed yet: " + unconfirmed0);
        assertTrue(optional(data, "postgresql.replication_slot.confirmed_flush.lag", physical).isEmpty(),
            "a physical slot confirms nothing");
        assertEquals(1.0, value(data, "postgresql.replication_slot.wal.status",
            Map.of("postgresql.replication_slot.name", LOGICAL_SLOT, "postgresql.replication_slot.wal_status",
                "reserved")));
        double safe = value(data, "postgresql.replication_slot.wal.safe_size", logical);
        // max_slot_wal_keep_size plus what is left of the current segments: about 1 GB, never 2
        assertTrue(safe > 0 && safe < 2048L * 1024 * 1024, "safe_wal_size with max_slot_wal_keep_size: " + safe);
        assertTrue(value(data, "postgresql.replication_slot.catalog_xmin.age", logical) >= 0);
        assertTrue(optional(data, "postgresql.replication_slot.xmin.age", logical).isEmpty(),
            "a logical slot holds catalog_xmin only");
        assertEquals(major >= 16 ? Optional.of(0.0) : Optional.empty(),
            optional(data, "postgresql.replication_slot.conflicting", logical), "conflicting is 16+");
        assertEquals(major >= 17 ? Optional.of(0.0) : Optional.empty(),
            optional(data, "postgresql.replication_slot.invalidated", logical), "invalidation_reason is 17+");
        assertEquals(major >= 17, optional(data, "postgresql.replication_slot.inactive.age", logical).isPresent(),
            "inactive_since is 17+, for an inactive slot");
        assertTrue(optional(data, "postgresql.replication_slot.inactive.age", physical).isEmpty(),
            "an active slot has no inactive age");
        assertEquals(major >= 14 ? Optional.of(0.0) : Optional.empty(),
            optional(data, "postgresql.replication_slot.decoded.transactions", logical),
            "pg_stat_replication_slots is 14+; nothing decoded yet");

        // WAL written after the slot's restart point stays until a consumer confirms it
        insertRows(primary);
        pgintel.collectNow();
        double logicalRetained1 = value(otel.collect(), "postgresql.replication_slot.wal.retained", logical);
        assertTrue(logicalRetained1 >= logicalRetained0 + ROWS * ROW_BYTES,
            "retained WAL grows with writes: " + logicalRetained0 + " -> " + logicalRetained1);

        if (major >= 14) {
          // a logical slot's restart point moves only at a running-transactions record, which a checkpoint writes
          primary.execute("postgres", "CHECKPOINT");
          for (int i = 0; i < 2; i++) {
            primary.execute("postgres",
                "SELECT count(*) FROM pg_logical_slot_get_changes('" + LOGICAL_SLOT + "', NULL, NULL)");
          }
          double decoded = Stats.settle(primary,
              "SELECT total_txns FROM pg_stat_replication_slots WHERE slot_name = '" + LOGICAL_SLOT + "'", 2);
          pgintel.collectNow();
          var consumed = otel.collect();
          assertEquals(decoded, value(consumed, "postgresql.replication_slot.decoded.transactions", logical));
          assertTrue(value(consumed, "postgresql.replication_slot.decoded.bytes", logical) > 2 * ROWS * ROW_BYTES);
          double logicalRetained2 = value(consumed, "postgresql.replication_slot.wal.retained", logical);
          double unconfirmed2 = value(consumed, "postgresql.replication_slot.confirmed_flush.lag", logical);
          assertTrue(unconfirmed2 < ROWS * ROW_BYTES, "the changes are confirmed: " + unconfirmed2);
          assertTrue(logicalRetained2 < logicalRetained1,
              "consuming the changes releases WAL: " + logicalRetained1 + " -> " + logicalRetained2);
        }
      }

      try (TestTelemetry otel = new TestTelemetry();
          PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(standby, otel), "replication").build()) {
        String backlogSql = "SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())";
        double before = Stats.read(standby, backlogSql);
        pgintel.collectNow();
        double after = Stats.read(standby, backlogSql);
        var data = otel.collect();
        assertSucceeded(pgintel);

        assertEquals(1.0, value(data, "postgresql.replication.is_replica", Map.of()));
        double backlog = value(data, "postgresql.replication.replay.backlog", Map.of());
        assertBetween(before, backlog, after, "standby replay backlog");
        assertTrue(backlog > 2 * ROWS * ROW_BYTES, "paused replay keeps both inserts behind: " + backlog);
        double lastReplay = value(data, "postgresql.replication.last_replay.age", Map.of());
        assertTrue(lastReplay > 0, "last replay age " + lastReplay);
        assertEquals(lastReplay, value(data, "postgresql.replication.replay.lag", Map.of()), 0.001,
            "behind, the lag is the age of the last replayed commit");
        assertEquals(1.0, value(data, "postgresql.replication.wal_receiver.status",
            Map.of("postgresql.wal_receiver.status", "streaming")));
        assertEquals(1.0, value(data, "postgresql.replication.wal_receiver.connected", Map.of()));
        assertTrue(value(data, "postgresql.replication.wal_receiver.last_message.age", Map.of()) >= 0);
        assertTrue(optional(data, "postgresql.replication.data_delay", Map.of()).isEmpty(),
            "no standby streams from the standby");
      }

      // a role whose grants were narrowed by hand: pg_stat_replication is left out, the rest still collected
      primary.execute("postgres", "CREATE ROLE narrow LOGIN");
      primary.execute("postgres", "REVOKE EXECUTE ON FUNCTION pg_stat_get_wal_senders() FROM PUBLIC");
      try (TestTelemetry otel = new TestTelemetry();
          PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(primary, otel), "replication")
              .dataSource(primary.dataSourceAs("narrow", "postgres")).build()) {
        pgintel.collectNow();
        var data = otel.collect();
        assertSucceeded(pgintel);
        assertEquals(0.0, value(data, "postgresql.replication.is_replica", Map.of()));
        assertTrue(optional(data, "postgresql.replication.data_delay", Map.of("replication_client", client)).isEmpty(),
            "pg_stat_replication is not readable");
        assertEquals(1.0, value(data, "postgresql.replication_slot.active", physical(physicalSlot)));
      }
    } finally {
      if (standby != null) {
        standby.stop();
      }
      primary.stop();
    }
  }

  private static String text(PgServer pg, String sql) throws Exception {
    try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next(), "no row: " + sql);
      return rs.getString(1);
    }
  }

  private static Map<String, Object> physical(String slot) {
    return Map.of("postgresql.replication_slot.name", slot);
  }

  private static String retainedSql(String slot) {
    return "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) FROM pg_replication_slots WHERE slot_name = '"
        + slot + "'";
  }

  private static void insertRows(PgServer primary) throws Exception {
    primary.execute("postgres",
        "INSERT INTO t SELECT repeat('x', " + ROW_BYTES + ") FROM generate_series(1, " + ROWS + ")");
  }

  /** Waits until the standby has replayed the table and its first row. */
  private static void awaitReplayed(PgServer standby) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        if (Stats.read(standby, "SELECT count(*) FROM t") == 1) {
          return;
        }
      } catch (SQLException notYet) {
        // the table itself is not replayed yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the standby did not replay the first row within 20 s");
      }
      Thread.sleep(100);
    }
  }

  /** Waits until the standby has flushed everything: its receiving goes on while replay is paused. */
  private static void awaitFlushed(PgServer primary) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (Stats.read(primary, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn) FROM pg_stat_replication")
        > 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the standby did not flush the primary's WAL within 20 s");
      }
      Thread.sleep(100);
    }
  }

  private static void assertSucceeded(PgIntel pgintel) {
    CollectorStatus status = pgintel.status().stream().filter(s -> s.name().equals("replication")).findFirst()
        .orElseThrow();
    assertTrue(status.lastSuccess() != null && status.lastError() == null, "replication collector: " + status);
  }

  private static void assertBetween(double low, double value, double high, String what) {
    assertTrue(low <= value && value <= high, what + ": " + value + " is not between the server's " + low + " and "
        + high);
  }

  @PgTest
  void aSubscriberReportsWhetherItsSubscriptionRunsAndItsErrors(PgServer pg) throws Exception {
    int major = pg.majorVersion();
    PgServer server = PostgresServers.startPrivate(major, Map.of("wal_level", "logical"));
    try {
      // publisher and subscriber in one server: the slot is made first, as the documentation says it must be
      server.execute("postgres", "CREATE TABLE src (id int PRIMARY KEY, v text); CREATE PUBLICATION pub FOR TABLE src");
      server.execute("postgres", "SELECT pg_create_logical_replication_slot('sub', 'pgoutput')");
      String db = server.createDatabase("subscriber");
      server.execute(db, "CREATE TABLE src (id int PRIMARY KEY, v text)");
      String password = server.password() == null || server.password().isEmpty() ? ""
          : " password=" + server.password();
      server.execute(db, "CREATE SUBSCRIPTION sub CONNECTION 'host=" + server.host() + " port=" + server.port()
          + " dbname=postgres user=" + server.user() + password + "' PUBLICATION pub WITH (create_slot = false, "
          + "slot_name = 'sub'" + (major >= 15 ? ", disable_on_error = true" : "") + ")");
      server.execute("postgres", "INSERT INTO src VALUES (1, 'one')");
      Stats.settle(server, db, "SELECT count(*) FROM src", 1);
      Map<String, Object> sub = Map.of("postgresql.subscription.name", "sub");
      try (TestTelemetry otel = new TestTelemetry();
          PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(server, otel), "replication").build()) {
        pgintel.collectNow();
        assertSucceeded(pgintel);
        assertTrue(optional(otel.collect(), "postgresql.subscription.enabled", sub).isEmpty(),
            "another database's subscription is that database's to report");
      }
      try (TestTelemetry otel = new TestTelemetry();
          PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(server, otel), "replication")
              .dataSource(server.dataSource(db)).build()) {
        pgintel.collectNow();
        var data = otel.collect();
        assertSucceeded(pgintel);
        assertEquals(1.0, value(data, "postgresql.subscription.enabled", sub));
        assertEquals(1.0, value(data, "postgresql.subscription.running", sub));
        // a role without grants: as PUBLIC may read pg_subscription on this version
        server.execute(db, "DO $$ BEGIN CREATE ROLE sub_plain LOGIN; EXCEPTION WHEN duplicate_object THEN NULL;"
            + " END $$");
        try (TestTelemetry plainOtel = new TestTelemetry(); PgIntel plainPgintel = TestPgIntel.only(
            TestPgIntel.builder(server, plainOtel), "replication").dataSource(server.dataSourceAs("sub_plain", db))
            .build()) {
          plainPgintel.collectNow();
          assertSucceeded(plainPgintel);
          assertEquals(1.0, value(plainOtel.collect(), "postgresql.subscription.enabled", sub));
        }
        double age = value(data, "postgresql.subscription.last_message.age", sub);
        assertTrue(age >= 0 && age < 60, "last message " + age + " s ago");
        Map<String, Object> apply = Map.of("postgresql.subscription.name", "sub", "postgresql.subscription.error",
            "apply");
        assertEquals(major >= 15 ? Optional.of(0.0) : Optional.empty(),
            optional(data, "postgresql.subscription.errors", apply), "pg_stat_subscription_stats is 15+");

        if (major >= 15) {
          // a row the subscriber already has: applying the publisher's fails, and disables the subscription
          server.execute(db, "INSERT INTO src VALUES (2, 'here first')");
          server.execute("postgres", "INSERT INTO src VALUES (2, 'two')");
          Stats.settle(server, db, "SELECT count(*) FROM pg_subscription WHERE subname = 'sub' AND NOT subenabled",
              1);
          double errors = Stats.settle(server, db,
              "SELECT apply_error_count FROM pg_stat_subscription_stats WHERE subname = 'sub'", 1);
          pgintel.collectNow();
          var stopped = otel.collect();
          assertEquals(0.0, value(stopped, "postgresql.subscription.enabled", sub));
          assertEquals(0.0, value(stopped, "postgresql.subscription.running", sub));
          assertEquals(errors, value(stopped, "postgresql.subscription.errors", apply));
        }
      }
      server.execute(db, "ALTER SUBSCRIPTION sub DISABLE");
      server.execute(db, "ALTER SUBSCRIPTION sub SET (slot_name = NONE)");
      server.execute(db, "DROP SUBSCRIPTION sub");
    } finally {
      server.stop();
    }
  }

  private static double value(Collection<MetricData> data,
      String metric, Map<String, Object> attributes) {
    return TestTelemetry.value(data, metric, attributes)
        .orElseThrow(() -> new AssertionError("no " + metric + " with " + attributes + " in " + names(data)));
  }

  private static Optional<Double> optional(Collection<MetricData> data,
      String metric, Map<String, Object> attributes) {
    return TestTelemetry.value(data, metric, attributes);
  }

  private static String names(Collection<MetricData> data) {
    StringBuilder b = new StringBuilder();
    for (var m : data) {
      b.append(m.getName()).append(' ').append(m.getData().getPoints()).append('\n');
    }
    return b.toString();
  }
}
