package io.pgintel.collect.statements;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.pgintel.PgIntel;
import io.pgintel.PgIntelBuilder;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** pg_stat_statements deltas against independent snapshots of the view, on real servers. */
class StatementsCollectorTest {

  private static final AttributeKey<String> QUERYID = AttributeKey.stringKey("postgresql.queryid");
  private static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("db.namespace");
  private static final AttributeKey<String> TEXT = AttributeKey.stringKey("db.query.text");
  private static final AttributeKey<Long> CALLS = AttributeKey.longKey("postgresql.calls");
  private static final AttributeKey<Long> ROWS = AttributeKey.longKey("postgresql.rows");
  private static final AttributeKey<Double> EXEC_TIME = AttributeKey.doubleKey("postgresql.total_exec_time");

  private record Counters(long calls, long rows, double execTime) {}

  static PgIntelBuilder statementsOnly(PgServer pg, TestTelemetry otel) {
    return TestPgIntel.only(TestPgIntel.builder(pg, otel), "statements")
        .setting("pgintel.collectors.statements.top-n", 1000);
  }

  /** Entries of one database, read on a connection to another, so the reading is not counted in it. */
  static Map<String, Counters> snapshot(PgServer pg, String db) throws Exception {
    Map<String, Counters> out = new HashMap<>();
    try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT queryid::text, sum(calls)::bigint, sum(rows)::bigint, sum(total_exec_time) FROM pg_stat_statements"
            + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = ?) GROUP BY queryid")) {
      ps.setString(1, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), new Counters(rs.getLong(2), rs.getLong(3), rs.getDouble(4)));
        }
      }
    }
    return out;
  }

  static void workload(PgServer pg, String db, int selects, int updates) throws Exception {
    try (Connection c = pg.connect(db)) {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, v FROM items WHERE id = ?")) {
        for (int i = 0; i < selects; i++) {
          ps.setInt(1, i % 50);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              rs.getString(2);
            }
          }
        }
      }
      try (Statement s = c.createStatement()) {
        for (int i = 0; i < updates; i++) {
          s.executeUpdate("UPDATE items SET v = 'u" + i + "' WHERE id < " + (10 + i));
        }
      }
    }
  }

  static String prepare(PgServer pg, String prefix) throws Exception {
    String db = pg.createDatabase(prefix);
    pg.execute(db, "CREATE TABLE items (id int PRIMARY KEY, v text)");
    pg.execute(db, "INSERT INTO items SELECT g, 'v' || g FROM generate_series(0, 99) g");
    return db;
  }

  private static List<LogRecordData> of(List<LogRecordData> events, String db) {
    return events.stream().filter(e -> db.equals(e.getAttributes().get(NAMESPACE))).toList();
  }

  /**
   * With every collector on, none of pgintel's own statements is told as the application's: the database pgintel
   * monitors runs nothing else, so no top query nor plan there reads a catalog, whatever the server made of the
   * statement's text (PostgreSQL 18 keeps no comment ahead of a statement; {@code EXTRACT(epoch FROM ...)} is
   * stored as {@code EXTRACT($1 FROM ...)}).
   */
  @PgTest
  void pgintelsOwnStatementsAreLeftOutWithEveryCollectorOn(PgServer pg) throws Exception {
    String db = pg.createDatabase("own");
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = PgIntel.builder().dataSource(pg.dataSource(db)).openTelemetry(otel.openTelemetry())
            .borrowTimeout(Duration.ofSeconds(10)).collectorEnabled("plans", true)
            .setting("pgintel.collectors.statements.top-n", 1000).build()) {
      for (int i = 0; i < 3; i++) {
        pgintel.collectNow();
      }
      List<String> texts = new ArrayList<>();
      for (String event : List.of("db.server.top_query", "db.server.query_plan")) {
        of(otel.events(event), db).forEach(e -> texts.add(e.getAttributes().get(TEXT)));
      }
      assertTrue(otel.events("db.server.top_query").size() > 0, "top queries were reported");
      List<String> own = texts.stream().filter(t -> t.matches("(?s).*\\b(pg_[a-z_]+|current_setting)\\b.*"))
          .distinct().toList();
      assertEquals(List.of(), own, "pgintel's own statements, told as the application's");
    }
  }

  @PgTest
  void intervalDeltasEqualAnIndependentSnapshotDifference(PgServer pg) throws Exception {
    String db = prepare(pg, "stmts");
    try (TestTelemetry otel = new TestTelemetry(); PgIntel pgintel = statementsOnly(pg, otel).build()) {
      pgintel.collectNow();
      assertTrue(otel.events("db.server.top_query").isEmpty(), "the first collection is only a baseline");
      Map<String, Counters> before = snapshot(pg, db);

      workload(pg, db, 37, 4);
      Map<String, Counters> after = snapshot(pg, db);
      pgintel.collectNow();

      List<LogRecordData> events = of(otel.events("db.server.top_query"), db);
      Map<String, LogRecordData> byQueryid = new HashMap<>();
      for (LogRecordData e : events) {
        byQueryid.put(e.getAttributes().get(QUERYID), e);
      }
      int compared = 0;
      for (Map.Entry<String, Counters> entry : after.entrySet()) {
        Counters b = before.getOrDefault(entry.getKey(), new Counters(0, 0, 0));
        Counters a = entry.getValue();
        if (a.calls() == b.calls()) {
          assertFalse(byQueryid.containsKey(entry.getKey()), "an entry whose calls did not grow emits nothing");
          continue;
        }
        LogRecordData e = byQueryid.get(entry.getKey());
        assertNotNull(e, "no event for queryid " + entry.getKey() + " in " + events);
        assertEquals(a.calls() - b.calls(), e.getAttributes().get(CALLS));
        assertEquals(a.rows() - b.rows(), e.getAttributes().get(ROWS));
        double expected = a.execTime() - b.execTime();
        assertEquals(expected, e.getAttributes().get(EXEC_TIME), Math.max(1e-6, expected * 0.01));
        compared++;
      }
      assertTrue(compared >= 2, "the workload's SELECT and UPDATE were compared: " + compared);

      LogRecordData select = events.stream()
          .filter(e -> e.getAttributes().get(CALLS) == 37L).findFirst().orElseThrow();
      assertEquals("SELECT id, v FROM items WHERE id = $1", select.getAttributes().get(TEXT));
      assertEquals("SELECT items", select.getAttributes().get(AttributeKey.stringKey("db.query.summary")));
      assertTrue(select.getAttributes().get(AttributeKey.stringKey("pgintel.query.fingerprint")).matches("[0-9a-f]{16}"));
      for (LogRecordData e : otel.events("db.server.top_query")) {
        String text = e.getAttributes().get(TEXT);
        assertTrue(text == null || !text.contains("pgintel") && !text.contains("set_config"),
            "pgintel's own statements are left out: " + text);
      }
      // the columns this server version has, and only those
      int v = pg.majorVersion();
      assertEquals(v >= 14, has(select, "postgresql.toplevel"), "toplevel");
      assertTrue(has(select, "postgresql.wal_records"), "WAL counters since 13");
      assertEquals(v >= 17, has(select, "postgresql.shared_blk_read_time"), "17 renamed blk_read_time");
      assertEquals(v < 17, has(select, "postgresql.blk_read_time"), "blk_read_time before 17");
      assertEquals(v >= 15, has(select, "postgresql.jit_functions"), "JIT counters from 15");
      assertEquals(v >= 18, has(select, "postgresql.parallel_workers_launched"), "parallel workers from 18");
    }
  }

  private static boolean has(LogRecordData e, String key) {
    return e.getAttributes().asMap().keySet().stream().anyMatch(k -> k.getKey().equals(key));
  }

  @PgTest
  void roleWithoutReadAllStatsSeesOnlyItsOwnEntriesAndCountsTheHiddenOnes(PgServer pg) throws Exception {
    String db = prepare(pg, "stmtpriv");
    String role = "limited_" + pg.majorVersion();
    pg.execute("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + role
        + "') THEN CREATE ROLE " + role + " LOGIN; END IF; END $$");
    org.postgresql.ds.PGSimpleDataSource limited = (org.postgresql.ds.PGSimpleDataSource) pg.dataSource();
    limited.setUser(role);
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = PgIntel.builder().dataSource(limited).openTelemetry(otel.openTelemetry())
            .borrowTimeout(java.time.Duration.ofSeconds(10)).build()) {
      pgintel.collectNow();
      workload(pg, db, 5, 1);
      pgintel.collectNow();
      CollectorStatus st = pgintel.status().stream().filter(x -> x.name().equals("statements")).findFirst()
          .orElseThrow();
      assertEquals(CollectorStatus.State.ACTIVE, st.state(), String.valueOf(st));
      assertTrue(otel.value("postgresql.statements.hidden", Map.of()).orElseThrow() > 0);
      assertTrue(of(otel.events("db.server.top_query"), db).isEmpty(), "other roles' statements stay hidden");
    }
  }

  @PgTest
  void resetInTheMiddleReportsNoNegativesAndNoTotals(PgServer pg) throws Exception {
    String db = prepare(pg, "stmtreset");
    try (TestTelemetry otel = new TestTelemetry(); PgIntel pgintel = statementsOnly(pg, otel).build()) {
      workload(pg, db, 500, 0);
      pgintel.collectNow();
      workload(pg, db, 10, 0);
      pg.execute("postgres", "SELECT pg_stat_statements_reset()");
      workload(pg, db, 3, 0);
      pgintel.collectNow();
      workload(pg, db, 5, 0);
      pgintel.collectNow();

      for (LogRecordData e : otel.events("db.server.top_query")) {
        e.getAttributes().forEach((k, v) -> {
          if (k.getKey().startsWith("postgresql.") && v instanceof Number n) {
            assertTrue(n.doubleValue() >= 0, k + " = " + v);
          }
        });
      }
      List<Long> selectCalls = of(otel.events("db.server.top_query"), db).stream()
          .filter(e -> "SELECT id, v FROM items WHERE id = $1".equals(e.getAttributes().get(TEXT)))
          .map(e -> e.getAttributes().get(CALLS)).toList();
      // 14+: the reset is seen in pg_stat_statements_info and every entry is re-baselined; 13: the entry's
      // counters went down (510 to 3), which re-baselines it. Never the 500 calls of before the reset, never
      // a negative, and the next interval is exact.
      assertEquals(List.of(5L), selectCalls);
    }
  }

  @PgTest
  void passwordsInUtilityStatementsNeverLeaveTheProcess(PgServer pg) throws Exception {
    String db = prepare(pg, "stmtsecret");
    String role = "secret_role_" + pg.majorVersion();
    pg.execute(db, "CREATE ROLE " + role + " LOGIN");
    try (TestTelemetry otel = new TestTelemetry(); PgIntel pgintel = statementsOnly(pg, otel).build()) {
      pgintel.collectNow();
      pg.execute(db, "ALTER ROLE " + role + " PASSWORD 'Sup3r-Secret-Pw'");
      pg.execute(db, "SET application_name = 'app-secret-name'");
      pgintel.collectNow();

      List<LogRecordData> events = of(otel.events("db.server.top_query"), db);
      assertTrue(events.stream().anyMatch(e -> String.valueOf(e.getAttributes().get(TEXT)).startsWith("ALTER ROLE")),
          "the ALTER ROLE statement was reported: " + events);
      StringBuilder everything = new StringBuilder();
      for (LogRecordData e : otel.events("db.server.top_query")) {
        everything.append(e.getAttributes()).append(e.getBodyValue());
      }
      for (MetricData m : otel.collect()) {
        for (PointData p : m.getData().getPoints()) {
          everything.append(p.getAttributes());
        }
      }
      assertFalse(everything.toString().contains("Sup3r-Secret-Pw"));
      assertFalse(everything.toString().contains("app-secret-name"));
    }
  }

  @PgTest
  void groupingByFingerprintSumsListsOfOtherLengths(PgServer pg) throws Exception {
    String db = prepare(pg, "stmtgroup");
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = statementsOnly(pg, otel).setting("pgintel.collectors.statements.group-by", "fingerprint")
            .build()) {
      pgintel.collectNow();
      try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
        for (int i = 0; i < 3; i++) {
          s.executeQuery("SELECT v FROM items WHERE id IN (1, 2)").close();
        }
        for (int i = 0; i < 4; i++) {
          s.executeQuery("SELECT v FROM items WHERE id IN (1, 2, 3, 4, 5)").close();
        }
      }
      pgintel.collectNow();
      List<LogRecordData> in = of(otel.events("db.server.top_query"), db).stream()
          .filter(e -> String.valueOf(e.getAttributes().get(TEXT)).startsWith("SELECT v FROM items WHERE id IN"))
          .toList();
      assertEquals(1, in.size(), in.toString());
      assertEquals(7L, in.get(0).getAttributes().get(CALLS));
      long entries = in.get(0).getAttributes().get(AttributeKey.longKey("pgintel.query.entries"));
      assertEquals(pg.majorVersion() >= 18 ? 1 : 2, entries, "PostgreSQL 18 merges IN lists itself");
    }
  }

  @PgTest
  void topListFoldsTheRestIntoOtherAndSeriesStayBounded(PgServer pg) throws Exception {
    String db = prepare(pg, "stmttop");
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = statementsOnly(pg, otel).setting("pgintel.collectors.statements.top-n", 1)
            .setting("pgintel.collectors.statements.max-series", 1).build()) {
      pgintel.collectNow();
      Map<String, Counters> before = snapshot(pg, db);
      workload(pg, db, 20, 3);
      Map<String, Counters> after = snapshot(pg, db);
      pgintel.collectNow();
      long expectedCalls = 0;
      for (Map.Entry<String, Counters> e : after.entrySet()) {
        expectedCalls += e.getValue().calls() - before.getOrDefault(e.getKey(), new Counters(0, 0, 0)).calls();
      }
      List<LogRecordData> events = otel.events("db.server.top_query");
      List<LogRecordData> other = events.stream()
          .filter(e -> "other".equals(e.getAttributes().get(AttributeKey.stringKey("db.query.summary")))).toList();
      assertEquals(1, other.size());
      assertEquals(2, events.size(), "top 1 and other");
      long inDb = of(events, db).stream().mapToLong(e -> e.getAttributes().get(CALLS)).sum();
      assertTrue(inDb <= expectedCalls);
      long total = events.stream().mapToLong(e -> e.getAttributes().get(CALLS)).sum();
      assertTrue(total >= expectedCalls, "top and other add up to every call: " + total + " < " + expectedCalls);

      List<String> summaries = new ArrayList<>();
      otel.points("postgresql.query.calls", Map.of()).forEach(p ->
          summaries.add(p.getAttributes().get(AttributeKey.stringKey("db.query.summary"))));
      assertTrue(summaries.size() <= 2 && summaries.contains("other"), summaries.toString());
      assertEquals((double) total, TestTelemetry.sum(otel.collect(), "postgresql.query.calls", Map.of()));
    }
  }

  @PgTest
  void missingExtensionMakesOnlyThisCollectorUnavailableWithTheFix(PgServer pg) throws Exception {
    String bare = pg.createDatabase("noext");
    pg.execute(bare, "DROP EXTENSION pg_stat_statements");
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = PgIntel.builder().dataSource(pg.dataSource(bare)).openTelemetry(otel.openTelemetry())
            .borrowTimeout(java.time.Duration.ofSeconds(10)).build()) {
      pgintel.collectNow();
      CollectorStatus statements = pgintel.status().stream().filter(s -> s.name().equals("statements"))
          .findFirst().orElseThrow();
      assertEquals(CollectorStatus.State.UNAVAILABLE, statements.state());
      assertTrue(statements.detail().contains("CREATE EXTENSION pg_stat_statements"), statements.detail());
      assertEquals(CollectorStatus.State.ACTIVE, pgintel.status().stream()
          .filter(s -> s.name().equals("database")).findFirst().orElseThrow().state());
    }
  }
}
