package io.pgintel.collect.plans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.pgintel.PgIntel;
import io.pgintel.PgIntelBuilder;
import io.pgintel.sql.SqlEngine;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.TestDataSources;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/** The plans collector, processor and events end to end on real servers. */
class PlansCollectorTest {

  private static final String QUERY_PLAN = "db.server.query_plan";
  private static final String PLAN_CHANGE = "db.server.plan_change";
  private static final AttributeKey<String> TEXT = AttributeKey.stringKey("db.query.text");
  private static final AttributeKey<String> HASH = AttributeKey.stringKey("postgresql.plan.hash");
  private static final AttributeKey<Double> COST = AttributeKey.doubleKey("postgresql.plan.total_cost");
  private static final AttributeKey<List<String>> SEQ_SCANS = AttributeKey.stringArrayKey("postgresql.plan.seq_scans");
  private static final AttributeKey<List<String>> INDEX_SCANS =
      AttributeKey.stringArrayKey("postgresql.plan.index_scans");
  private static final AttributeKey<List<String>> NODE_TYPES =
      AttributeKey.stringArrayKey("postgresql.plan.node_types");
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("pgintel.plan.method");
  private static final AttributeKey<String> SKIPPED = AttributeKey.stringKey("pgintel.plan.skipped_reason");

  /** The README's helper function and its grants, as users copy them. */
  private static List<String> readmeHelper() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int marker = readme.indexOf("<!-- the helper function:");
    assertTrue(marker > 0, "README.md shows the helper function");
    List<String> blocks = new ArrayList<>();
    int at = marker;
    for (int k = 0; k < 2; k++) {
      int start = readme.indexOf("```sql\n", at) + "```sql\n".length();
      int end = readme.indexOf("```", start);
      blocks.add(readme.substring(start, end));
      at = end + 3;
    }
    return blocks;
  }

  private static String prepare(PgServer pg) throws Exception {
    String db = pg.createDatabase("plans");
    pg.execute(db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    pg.execute(db, "CREATE TABLE items (id int PRIMARY KEY, n int, v text)");
    pg.execute(db, "INSERT INTO items SELECT g, g % 1000, 'v' || g FROM generate_series(1, 20000) g");
    pg.execute(db, "ANALYZE items");
    return db;
  }

  /** Only the plans collector, on one connection that is never reset, so a test sees what it leaves behind. */
  private static PgIntelBuilder plansOnly(Connection physical, TestTelemetry otel) {
    return TestPgIntel.only(PgIntel.builder().dataSource(TestDataSources.singleConnection(physical))
        .openTelemetry(otel.openTelemetry()).borrowTimeout(Duration.ofSeconds(10)), "plans")
        .collectorEnabled("plans", true);
  }

  private static void select(Connection c, int times) throws Exception {
    try (PreparedStatement ps = c.prepareStatement("SELECT id, v FROM items WHERE n = ?")) {
      for (int i = 0; i < times; i++) {
        ps.setInt(1, i);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rs.getString(2);
          }
        }
      }
    }
  }

  private static void update(Connection c, int times) throws Exception {
    try (PreparedStatement ps = c.prepareStatement("UPDATE items SET v = ? WHERE id = ?")) {
      for (int i = 0; i < times; i++) {
        ps.setString(1, "u" + i);
        ps.setInt(2, i + 1);
        ps.executeUpdate();
      }
    }
  }

  private static void query(Connection c, String sql, int parameter) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, parameter);
      ps.executeQuery().close();
    }
  }

  /** The attributes of the one query plan event of the statement whose text starts so. */
  private static Attributes theEvent(TestTelemetry otel, String textStart) {
    List<LogRecordData> events = of(otel, QUERY_PLAN, textStart);
    assertEquals(1, events.size(), otel.events(QUERY_PLAN).toString());
    return events.get(0).getAttributes();
  }

  private static List<LogRecordData> of(TestTelemetry otel, String event, String textStart) {
    return otel.events(event).stream().filter(e -> e.getAttributes().get(TEXT).startsWith(textStart)).toList();
  }

  /** The connection pgintel used holds no prepared statement and no open transaction. */
  private static void assertClean(Connection physical) throws Exception {
    assertEquals(TransactionState.IDLE, physical.unwrap(BaseConnection.class).getTransactionState());
    try (Statement s = physical.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'pgintel%'")) {
      rs.next();
      assertEquals(0, rs.getInt(1), "pgintel deallocated what it prepared");
    }
  }

  @PgTest
  void topQueryGetsItsPlanAndAnIndexThatChangesItMakesAPlanChange(PgServer pg) throws Exception {
    String db = prepare(pg);
    try (Connection physical = pg.connect(db); Connection app = pg.connect(db);
        TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = plansOnly(physical, otel).setting("pgintel.collectors.plans.re-explain-after", "1s")
            .build()) {
      assertEquals(List.of("verifier", "sampler", "cardinality", "plans"), pgintel.processors(),
          "the plan processor is the last stage");
      pgintel.collectNow();
      assertTrue(otel.events(QUERY_PLAN).isEmpty(), "the first collection is a baseline");

      select(app, 20);
      pgintel.collectNow();
      List<LogRecordData> plans = of(otel, QUERY_PLAN, "SELECT id, v FROM items");
      assertEquals(1, plans.size(), otel.events(QUERY_PLAN) + " " + pgintel.status());
      Attributes first = plans.get(0).getAttributes();
      assertEquals(pg.majorVersion() >= 16 ? "generic_plan" : "prepared", first.get(METHOD));
      assertEquals("SELECT id, v FROM items WHERE n = $1", first.get(TEXT));
      assertEquals(List.of("items"), first.get(SEQ_SCANS));
      assertEquals(List.of(), first.get(INDEX_SCANS));
      assertTrue(first.get(NODE_TYPES).contains("Seq Scan=1"), first.toString());
      assertTrue(first.get(HASH).matches("[0-9a-f]{16}"), first.toString());
      assertTrue(first.get(COST) > 0, first.toString());
      assertEquals(Boolean.FALSE, first.get(AttributeKey.booleanKey("postgresql.plan.jit")));
      assertTrue(first.get(AttributeKey.longKey("postgresql.plan.complexity")) >= 2, first.toString());
      assertNotNull(first.get(AttributeKey.stringKey("pgintel.query.fingerprint")));
      assertTrue(plans.get(0).getBody().asString().contains("\"Seq Scan\""), "the plan JSON is the body");
      assertClean(physical);

      try (Statement s = app.createStatement()) {
        s.execute("CREATE INDEX items_n ON items (n)");
        s.execute("ANALYZE items");
      }
      Thread.sleep(1100);
      otel.clearEvents();
      select(app, 20);
      pgintel.collectNow();
      Attributes second = theEvent(otel, "SELECT id, v FROM items");
      assertEquals(List.of("items_n"), second.get(INDEX_SCANS));
      List<LogRecordData> changes = otel.events(PLAN_CHANGE);
      assertEquals(1, changes.size(), changes.toString());
      Attributes change = changes.get(0).getAttributes();
      assertEquals(first.get(HASH), change.get(AttributeKey.stringKey("postgresql.plan.old_hash")));
      assertEquals(second.get(HASH), change.get(AttributeKey.stringKey("postgresql.plan.new_hash")));
      assertEquals(first.get(COST), change.get(AttributeKey.doubleKey("postgresql.plan.old_total_cost")));
      assertEquals(second.get(COST), change.get(AttributeKey.doubleKey("postgresql.plan.new_total_cost")));
      assertTrue(second.get(COST) < first.get(COST), change.toString());
      assertEquals("SELECT id, v FROM items WHERE n = $1", change.get(TEXT));
      for (LogRecordData e : otel.events(QUERY_PLAN)) {
        assertFalse(e.getAttributes().get(TEXT).matches("(?i)^(EXPLAIN|PREPARE|DEALLOCATE|SAVEPOINT|RELEASE).*"),
            "pgintel's own statements are never explained: " + e.getAttributes());
      }
      assertClean(physical);
    }
  }

  @PgTest
  void dmlIsExplainedOnlyThroughTheHelperAndOtherwiseSaysWhy(PgServer pg) throws Exception {
    String db = prepare(pg);
    try (Connection physical = pg.connect(db); Connection app = pg.connect(db);
        TestTelemetry otel = new TestTelemetry(); PgIntel pgintel = plansOnly(physical, otel).build()) {
      pgintel.collectNow();
      update(app, 5);
      pgintel.collectNow();
      Attributes a = theEvent(otel, "UPDATE items");
      assertEquals("dml_without_helper", a.get(SKIPPED));
      assertNull(a.get(HASH), "not explained");
      assertEquals(1.0, otel.value("pgintel.processor.decisions",
          Map.of("pgintel.processor", "plans", "pgintel.reason", "skipped:dml_without_helper")).orElseThrow());

      update(app, 5);
      pgintel.collectNow();
      assertEquals(1, of(otel, QUERY_PLAN, "UPDATE items").size(), "the decision is reported once, not every time");
      assertClean(physical);
    }

    // pgintel as a monitoring role that may read statistics but not the table: DML through the owner's helper
    String monitor = "monitor_" + ProcessHandle.current().pid() + "_" + pg.majorVersion();
    List<String> helper = readmeHelper();
    try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
      s.execute(helper.get(0));
      s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + monitor + "') THEN"
          + " CREATE ROLE " + monitor + " LOGIN PASSWORD 'monitor'; END IF; END $$");
      s.execute("GRANT pg_monitor TO " + monitor);
      s.execute(helper.get(1).replace("app_monitor", monitor));
    }
    Properties asMonitor = new Properties();
    asMonitor.setProperty("user", monitor);
    asMonitor.setProperty("password", "monitor");
    try (Connection physical = DriverManager.getConnection(pg.jdbcUrl(db), asMonitor);
        Connection app = pg.connect(db); TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = plansOnly(physical, otel)
            .setting("pgintel.collectors.plans.helper-function", "pgintel.explain_dml").build()) {
      pgintel.collectNow();
      update(app, 5);
      select(app, 5);
      query(app, "WITH gone AS (DELETE FROM items WHERE id = ? RETURNING id) SELECT count(*) FROM gone", 999_999);
      pgintel.collectNow();
      Attributes a = theEvent(otel, "UPDATE items");
      assertEquals("helper", a.get(METHOD));
      assertNull(a.get(SKIPPED));
      assertTrue(a.get(NODE_TYPES).contains("ModifyTable=1"), a.toString());
      assertEquals(List.of("items_pkey"), a.get(INDEX_SCANS));
      Attributes cte = theEvent(otel, "WITH gone");
      assertEquals("helper", cte.get(METHOD), "a WITH holding a DELETE is DML: " + cte);
      Attributes select = theEvent(otel, "SELECT id, v FROM items");
      assertEquals("explain_failed", select.get(SKIPPED), "the role may not read items itself: " + select);
      assertEquals("42501", select.get(AttributeKey.stringKey("error.type")));
      assertClean(physical);
    }
    try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
      String refused = assertThrows(SQLException.class,
          () -> s.executeQuery("SELECT pgintel.explain_dml('SELECT 1')")).getMessage();
      assertTrue(refused.contains("explains one INSERT, UPDATE, DELETE or MERGE"), refused);
      assertThrows(SQLException.class,
          () -> s.executeQuery("SELECT pgintel.explain_dml('DELETE FROM items; DROP TABLE items')"));
    }
  }

  @PgTest
  void errorsThatWillNotChangeAreRememberedAndTheBudgetHolds(PgServer pg) throws Exception {
    String db = prepare(pg);
    try (Connection physical = pg.connect(db); Connection app = pg.connect(db);
        TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = plansOnly(physical, otel).setting("pgintel.collectors.plans.max-per-interval", 2)
            .setting("pgintel.collectors.plans.re-explain-after", "1s").build()) {
      pgintel.collectNow();
      // a temporary table of the application's session does not exist in pgintel's: an error that will not change
      try (Statement s = app.createStatement()) {
        s.execute("CREATE TEMP TABLE scratch (id int)");
      }
      query(app, "SELECT count(*) FROM scratch WHERE id = ?", 1);
      select(app, 3);
      for (int k = 0; k < 3; k++) {
        try (Statement s = app.createStatement()) {
          s.executeQuery("SELECT count(*) FROM items WHERE id > 5 AND n <> " + k + " GROUP BY n % " + (k + 2))
              .close();
        }
      }
      pgintel.collectNow();
      List<LogRecordData> explainedOrFailed = otel.events(QUERY_PLAN).stream()
          .filter(e -> e.getAttributes().get(HASH) != null || "explain_failed".equals(e.getAttributes().get(SKIPPED)))
          .toList();
      assertEquals(2, explainedOrFailed.size(), "two explains per interval: " + explainedOrFailed);
      assertClean(physical);

      for (int round = 0; round < 2; round++) {
        Thread.sleep(1100);
        query(app, "SELECT count(*) FROM scratch WHERE id = ?", 1);
        pgintel.collectNow();
      }
      List<LogRecordData> failed = of(otel, QUERY_PLAN, "SELECT count(*) FROM scratch");
      assertEquals(1, failed.size(), "a statement that cannot be explained is tried once: " + failed);
      Attributes a = failed.get(0).getAttributes();
      assertEquals("explain_failed", a.get(SKIPPED));
      assertEquals("42P01", a.get(AttributeKey.stringKey("error.type")));
      assertEquals(Boolean.FALSE, a.get(AttributeKey.booleanKey("pgintel.plan.retriable")));
      assertClean(physical);
    }
  }

  @PgTest
  void anExplainThatFailsAfterPrepareStillDeallocates(PgServer pg) throws Exception {
    String db = prepare(pg);
    pg.execute(db, "CREATE DOMAIN present_id AS int NOT NULL");
    try (Connection physical = pg.connect(db); Connection app = pg.connect(db);
        TestTelemetry otel = new TestTelemetry(); PgIntel pgintel = plansOnly(physical, otel).build()) {
      pgintel.collectNow();
      query(app, "SELECT v FROM items WHERE id = ?::present_id", 7);
      pgintel.collectNow();
      Attributes a = theEvent(otel, "SELECT v FROM items");
      if (pg.majorVersion() >= 16) {
        assertEquals("generic_plan", a.get(METHOD), "GENERIC_PLAN binds no values: " + a);
      } else {
        // PREPARE succeeds; EXECUTE's NULL for a NOT NULL domain fails: the statement must still be deallocated
        assertEquals("explain_failed", a.get(SKIPPED), a.toString());
        assertEquals("23502", a.get(AttributeKey.stringKey("error.type")));
      }
      assertClean(physical);
    }
  }

  @PgTest
  void aTableUnderAnExclusiveLockIsGivenUpAfterLockTimeoutAndTriedAgainLater(PgServer pg) throws Exception {
    String db = prepare(pg);
    try (Connection physical = pg.connect(db); Connection app = pg.connect(db); Connection holder = pg.connect(db);
        TestTelemetry otel = new TestTelemetry(); PgIntel pgintel = plansOnly(physical, otel).build()) {
      pgintel.collectNow();
      select(app, 3);
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
      }
      long start = System.nanoTime();
      pgintel.collectNow();
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "planning waited on the lock");
      holder.rollback();
      Attributes a = theEvent(otel, "SELECT id, v FROM items");
      assertEquals("explain_failed", a.get(SKIPPED));
      assertEquals("55P03", a.get(AttributeKey.stringKey("error.type")));
      assertEquals(Boolean.TRUE, a.get(AttributeKey.booleanKey("pgintel.plan.retriable")));
      assertNotNull(pgintel.status().stream().filter(c -> c.name().equals("plans")).findFirst().orElseThrow()
          .lastSuccess(), "the collection itself succeeded");
      assertClean(physical);
    }
  }

  @PgTest
  void theStatementsCollectorLeavesThePlansCollectorsStatementsOut(PgServer pg) throws Exception {
    String db = prepare(pg);
    try (Connection physical = pg.connect(db); Connection app = pg.connect(db);
        TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = plansOnly(physical, otel).collectorEnabled("statements", true)
            .setting("pgintel.collectors.statements.top-n", 1000)
            .setting("pgintel.collectors.plans.re-explain-after", "1s").build()) {
      pgintel.collectNow();
      for (int round = 0; round < 2; round++) {
        select(app, 5);
        pgintel.collectNow();
        Thread.sleep(1100);
      }
      select(app, 5);
      pgintel.collectNow();
      assertEquals(3, otel.events(QUERY_PLAN).stream().filter(e -> e.getAttributes().get(HASH) != null).count(),
          "explained three times, so its EXPLAIN statements grew between reads of the statements collector");
      List<String> texts = otel.events("db.server.top_query").stream().map(e -> e.getAttributes().get(TEXT))
          .filter(t -> t != null).toList();
      assertTrue(texts.contains("SELECT id, v FROM items WHERE n = $1"), texts.toString());
      for (String t : texts) {
        assertFalse(t.matches("(?is)^(EXPLAIN|SAVEPOINT|RELEASE|ROLLBACK|PREPARE|DEALLOCATE).*")
            || t.contains("plan_cache_mode") || t.contains("jit_above_cost"), "pgintel's own: " + t);
      }
    }
  }

  @PgTest
  void aReadOnlyTransactionDoesNotRefuseExplainOfDml(PgServer pg) throws Exception {
    // why DML goes through a helper: the session's read-only transaction alone would let pgintel plan it
    String db = prepare(pg);
    try (Connection c = pg.connect(db)) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET TRANSACTION READ ONLY");
        s.executeQuery("EXPLAIN (FORMAT JSON) DELETE FROM items WHERE id = 1").close();
      }
      c.rollback();
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "SELECT * FROM t WHERE v = 'abc                         | truncated",
      "UPDATE t SET v = $1 WHERE id = $2                        | dml_without_helper",
      "INSERT INTO t VALUES ($1)                                | dml_without_helper",
      "DELETE FROM t WHERE id = $1                              | dml_without_helper",
      "WITH d AS (DELETE FROM t RETURNING id) SELECT * FROM d   | dml_without_helper",
      "WITH u AS (UPDATE t SET v = $1 RETURNING id) SELECT 1    | dml_without_helper",
      "SELECT * INTO copy FROM t                                | statement_kind",
      "SET work_mem = '64MB'                                    | statement_kind",
      "VACUUM t                                                 | statement_kind",
      "EXPLAIN SELECT 1                                         | statement_kind",
  })
  void statementKindsOutsideTheAllowListAreNotExplained(String sql, String reason) {
    assertEquals(reason, PlansCollector.skipReason(SqlEngine.analyzeUncached(sql.strip(), false), false));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "SELECT * FROM t WHERE id = $1",
      "WITH x AS (SELECT id FROM t) SELECT * FROM x",
      "SELECT * FROM t WHERE id = $1 FOR UPDATE",
      "SELECT * FROM t FOR NO KEY UPDATE",
  })
  void selectsAreExplained(String sql) {
    assertNull(PlansCollector.skipReason(SqlEngine.analyzeUncached(sql, false), false));
  }

  @Test
  void dmlIsExplainedWhenAHelperIsSet() {
    assertNull(PlansCollector.skipReason(SqlEngine.analyzeUncached("DELETE FROM t WHERE id = $1", false), true));
    assertEquals("truncated",
        PlansCollector.skipReason(SqlEngine.analyzeUncached("DELETE FROM t WHERE v = 'ab", false), true));
  }
}
