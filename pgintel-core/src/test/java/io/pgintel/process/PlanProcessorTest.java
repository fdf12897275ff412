package io.pgintel.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.collect.plans.ExplainedPlan;
import io.pgintel.collect.plans.PlanSkipped;
import io.pgintel.internal.Json;
import io.pgintel.sql.SqlEngine;
import io.pgintel.trace.CallSites;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plan processor over plans the server printed, not pasted fixtures. */
class PlanProcessorTest {

  private static String explain(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN (FORMAT JSON) " + sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void run(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static ExplainedPlan explained(String sql, String json) {
    return new ExplainedPlan("db", 42, SqlEngine.analyzeUncached(sql, false), "generic_plan", json, 100_000,
        CallSites.Seen.NONE);
  }

  private static QueryPlan plan(Connection c, String sql) throws Exception {
    return PlanProcessor.read(explained(sql, explain(c, sql)));
  }

  /** A plan read with the session's JIT settings, as the collector reads them. */
  private static QueryPlan planWithSessionJit(Connection c, String sql) throws Exception {
    double above;
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CASE WHEN"
        + " current_setting('jit')::boolean THEN current_setting('jit_above_cost')::float8 ELSE -1 END")) {
      rs.next();
      above = rs.getDouble(1);
    }
    ExplainedPlan e = explained(sql, explain(c, sql));
    return PlanProcessor.read(new ExplainedPlan(e.database(), e.queryid(), e.query(), e.method(), e.json(), above,
        e.callSites()));
  }

  private static List<? extends Record> process(PlanProcessor p, Record... records) {
    return p.process(Batch.of("plans", List.of(records), Instant.now(), Duration.ofMinutes(1)));
  }

  private static String schema(PgServer pg) throws Exception {
    String db = pg.createDatabase("plan_unit");
    try (Connection c = pg.connect(db)) {
      run(c, "CREATE TABLE items (id int PRIMARY KEY, n int, v text)");
      run(c, "CREATE TABLE tags (item_id int, tag text)");
      run(c, "INSERT INTO items SELECT g, g % 1000, 'v' || g FROM generate_series(1, 20000) g");
      run(c, "INSERT INTO tags SELECT g, 't' || (g % 7) FROM generate_series(1, 20000) g");
      run(c, "ANALYZE items");
      run(c, "ANALYZE tags");
    }
    return db;
  }

  @PgTest
  void hashIsStableAcrossCostsAndLiteralsAndChangesWithAnIndex(PgServer pg) throws Exception {
    String db = schema(pg);
    try (Connection c = pg.connect(db)) {
      QueryPlan five = plan(c, "SELECT id, v FROM items WHERE n = 5");
      QueryPlan seven = plan(c, "SELECT id, v FROM items WHERE n = 7");
      assertEquals(List.of("items"), five.seqScans());
      assertEquals(five.hash(), seven.hash(), "another literal, the same plan");

      run(c, "INSERT INTO items SELECT g, g % 1000, 'v' || g FROM generate_series(20001, 40000) g");
      run(c, "ANALYZE items");
      QueryPlan bigger = plan(c, "SELECT id, v FROM items WHERE n = 5");
      assertNotEquals(five.totalCost(), bigger.totalCost(), "twice the rows, another cost");
      assertEquals(five.hash(), bigger.hash(), "another cost, the same plan");

      run(c, "CREATE INDEX items_n ON items (n)");
      run(c, "ANALYZE items");
      QueryPlan indexed = plan(c, "SELECT id, v FROM items WHERE n = 5");
      assertNotEquals(five.hash(), indexed.hash(), "an index scan is another plan");
      assertEquals(List.of("items_n"), indexed.indexScans());
      assertTrue(indexed.seqScans().isEmpty(), indexed.toString());
      assertTrue(indexed.totalCost() < bigger.totalCost(), indexed + " vs " + bigger);
      assertTrue(indexed.hash().matches("[0-9a-f]{16}"), indexed.hash());
    }
  }

  @PgTest
  void readsJoinsSortsHashesAndCountsNodes(PgServer pg) throws Exception {
    String db = schema(pg);
    try (Connection c = pg.connect(db)) {
      run(c, "SET enable_hashjoin = off");
      run(c, "SET enable_mergejoin = off");
      QueryPlan nested = plan(c, "SELECT i.v, t.tag FROM items i JOIN tags t ON t.item_id = i.id WHERE i.id < 10"
          + " ORDER BY t.tag");
      assertEquals(1, nested.nestedLoops(), nested.toString());
      assertEquals(1, nested.sorts(), nested.toString());
      assertEquals(List.of("items_pkey"), nested.indexScans(), nested.toString());
      assertTrue(nested.seqScans().contains("tags"), nested.toString());
      run(c, "RESET enable_hashjoin");
      QueryPlan hashed = plan(c, "SELECT i.v, t.tag FROM items i JOIN tags t ON t.item_id = i.id");
      assertEquals(1, hashed.nodeTypes().get("Hash Join"), hashed.toString());
      assertEquals(1, hashed.hashes(), hashed.toString());
      assertEquals(List.of("items", "tags"), hashed.seqScans().stream().sorted().toList(), hashed.toString());
      assertEquals(0, hashed.nestedLoops());
      int nodes = hashed.nodeTypes().values().stream().mapToInt(Integer::intValue).sum();
      assertEquals(4, nodes, hashed.toString()); // hash join, seq scan, hash, seq scan
      assertEquals(nodes + 1 + 3, hashed.complexity(), "nodes + one join + depth 3");
      assertTrue(hashed.planRows() > 1000, hashed.toString());

      run(c, "SET jit = on");
      run(c, "SET jit_above_cost = 0");
      assertTrue(planWithSessionJit(c, "SELECT count(*) FROM items").jit(), "jit_above_cost reached");
      run(c, "RESET jit_above_cost");
      assertFalse(planWithSessionJit(c, "SELECT count(*) FROM items").jit(), "a cost below 100000");
      run(c, "SET jit_above_cost = 0");
      run(c, "SET jit = off");
      assertFalse(planWithSessionJit(c, "SELECT count(*) FROM items").jit(), "jit off");
    }
  }

  @PgTest
  void literalsInPlanConditionsAreObfuscated(PgServer pg) throws Exception {
    String db = schema(pg);
    try (Connection c = pg.connect(db)) {
      run(c, "CREATE VIEW secret_items AS SELECT * FROM items WHERE v <> 'hunter2-secret' AND n > 17");
      String sql = "SELECT id FROM secret_items WHERE id > 100 ORDER BY v";
      String json = explain(c, sql);
      assertTrue(json.contains("hunter2-secret"), "the server prints the view's literal: " + json);
      QueryPlan p = PlanProcessor.read(explained(sql, json));
      assertFalse(p.json().contains("hunter2-secret"), p.json());
      assertFalse(p.json().contains("17"), p.json());
      assertTrue(p.json().contains("items"), "names stay: " + p.json());
      Object parsed = Json.parse(p.json());
      Map<?, ?> root = (Map<?, ?>) ((Map<?, ?>) ((List<?>) parsed).get(0)).get("Plan");
      assertEquals("Sort", root.get("Node Type"));

      run(c, "CREATE OR REPLACE VIEW secret_items AS SELECT * FROM items WHERE v <> 'other' AND n > 99");
      assertEquals(p.hash(), plan(c, sql).hash(), "literals are not part of the plan's shape");
    }
  }

  @PgTest
  void aChangedPlanAddsAChangeWithOldAndNewHashAndCost(PgServer pg) throws Exception {
    String db = schema(pg);
    try (Connection c = pg.connect(db)) {
      String sql = "SELECT id, v FROM items WHERE n = 5";
      PlanProcessor p = new PlanProcessor();
      ExplainedPlan before = explained(sql, explain(c, sql));
      List<? extends Record> first = process(p, before);
      assertEquals(1, first.size());
      QueryPlan old = assertInstanceOf(QueryPlan.class, first.get(0));
      assertEquals(1, process(p, explained(sql, explain(c, sql))).size(), "the same plan again: no change");

      run(c, "CREATE INDEX items_n ON items (n)");
      List<? extends Record> after = process(p, explained(sql, explain(c, sql)));
      assertEquals(2, after.size(), after.toString());
      QueryPlan now = assertInstanceOf(QueryPlan.class, after.get(0));
      PlanChange change = assertInstanceOf(PlanChange.class, after.get(1));
      assertEquals(old.hash(), change.oldHash());
      assertEquals(now.hash(), change.newHash());
      assertEquals(old.totalCost(), change.oldTotalCost());
      assertEquals(now.totalCost(), change.newTotalCost());
      assertTrue(change.newTotalCost() < change.oldTotalCost(), change.toString());
    }
  }

  @Test
  void stateIsBoundedAndOtherRecordsPassThrough() {
    PlanProcessor p = new PlanProcessor(3);
    String json = "[{\"Plan\": {\"Node Type\": \"Result\", \"Total Cost\": 0.01, \"Plan Rows\": 1}}]";
    for (int i = 0; i < 10; i++) {
      process(p, explained("SELECT " + i + " FROM t" + i, json));
    }
    assertEquals(3, p.remembered());

    PlanSkipped skipped = new PlanSkipped("db", 1, SqlEngine.analyzeUncached("DELETE FROM t", false),
        PlanSkipped.DML_WITHOUT_HELPER, null, false, CallSites.Seen.NONE);
    Record other = new PlanSkipped("db", 2, SqlEngine.analyzeUncached("SET x = 1", false),
        PlanSkipped.STATEMENT_KIND, null, false, CallSites.Seen.NONE);
    List<? extends Record> out = process(p, skipped, explained("SELECT 1", "{not json"), other);
    assertEquals(List.of(skipped, other), out, "an unreadable plan is dropped, the rest passes as it is");
  }
}
