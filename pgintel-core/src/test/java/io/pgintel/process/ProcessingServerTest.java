package io.pgintel.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.pgintel.PgIntel;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.Stats;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/** The processing chain between a real server and the telemetry: sampling rules, cardinality limits, order. */
class ProcessingServerTest {

  private static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("db.namespace");
  private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("db.operation.name");

  @PgTest
  void aRuleDropsTheEventsItMatchesAndLeavesMetricsAlone(PgServer pg) throws Exception {
    String db = pg.createDatabase("sampled");
    pg.execute(db, "CREATE TABLE items (id int PRIMARY KEY, v text); INSERT INTO items VALUES (1, 'a')");
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel), "statements", "database")
            .setting("pgintel.collectors.statements.top-n", 1000)
            .samplingRule("no_selects", "operation == 'SELECT' and database == '" + db + "'", 0, 10, 0)
            .build()) {
      p.collectNow();
      try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
        for (int i = 0; i < 20; i++) {
          s.executeQuery("SELECT v FROM items WHERE id = " + i).close();
          s.executeUpdate("UPDATE items SET v = 'b' WHERE id = " + i);
        }
      }
      p.collectNow();
      List<LogRecordData> events = otel.events("db.server.top_query").stream()
          .filter(e -> db.equals(e.getAttributes().get(NAMESPACE))).toList();
      assertTrue(events.stream().anyMatch(e -> "UPDATE".equals(e.getAttributes().get(OPERATION))), events.toString());
      assertFalse(events.stream().anyMatch(e -> "SELECT".equals(e.getAttributes().get(OPERATION))), events.toString());
      assertTrue(otel.value("pgintel.processor.decisions",
          Map.of("pgintel.processor", "sampler", "pgintel.reason", "no_selects:dropped")).orElseThrow() >= 1);
      assertTrue(otel.value("postgresql.commits", Map.of("db.namespace", db)).isPresent(), "metrics are never sampled");
      assertEquals(List.of("verifier", "sampler", "cardinality"), p.processors());
    }
  }

  @PgTest
  void seriesBeyondTheLimitAreReportedAsOtherWithTrueTotals(PgServer pg) throws Exception {
    String db = pg.createDatabase("many");
    StringBuilder ddl = new StringBuilder();
    for (int i = 0; i < 13; i++) {
      ddl.append("CREATE FUNCTION f").append(i).append("() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN ")
          .append(i).append("; END $$;");
    }
    pg.execute(db, ddl.toString());
    try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
      for (int i = 0; i < 13; i++) {
        for (int n = 0; n <= i; n++) {
          s.executeQuery("SELECT f" + i + "()").close();
        }
      }
    }
    // 1 + 2 + ... + 13 calls
    Stats.settle(pg, db, "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions", 91);
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel).dataSource(pg.dataSource(db)), "functions")
            .setting("pgintel.cardinality.max-series", 10).build()) {
      p.collectNow();
      // the collector reads the busiest functions first: f12 (13 calls) down to f3 are tracked
      assertEquals(13.0, otel.value("postgresql.function.calls", Map.of("function", "public.f12")).orElseThrow());
      assertTrue(otel.value("postgresql.function.calls", Map.of("function", "public.f2")).isEmpty());
      assertEquals(1.0 + 2 + 3, otel.value("postgresql.function.calls",
          Map.of("function", "other", "db.namespace", db)).orElseThrow());
      assertEquals(91.0, TestTelemetry.sum(otel.collect(), "postgresql.function.calls", Map.of()));
      assertTrue(otel.value("postgresql.function.total_time", Map.of("function", "other")).isPresent());
      assertEquals(3.0, otel.value("pgintel.processor.decisions",
          Map.of("pgintel.processor", "cardinality", "pgintel.reason", "overflow:FunctionStats")).orElseThrow());
    }
  }

  @org.junit.jupiter.api.Test
  void aBadRuleFailsBuildWithItsNameAndThePosition() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PgIntel.builder().dataSource(new org.postgresql.ds.PGSimpleDataSource())
            .setting("pgintel.sampler.rules.slow.when", "mean_exec_time_ms >> 1000").build());
    assertEquals("pgintel.sampler.rules.slow.when: rule 'slow' at position 20: expected a number, a 'text' or a word",
        e.getMessage());
    IllegalArgumentException noCondition = assertThrows(IllegalArgumentException.class,
        () -> PgIntel.builder().dataSource(new org.postgresql.ds.PGSimpleDataSource())
            .setting("pgintel.sampler.rules.slow.rate", "5%").build());
    assertEquals("pgintel.sampler.rules.slow.when: rule 'slow' has no condition", noCondition.getMessage());
    IllegalArgumentException badRate = assertThrows(IllegalArgumentException.class,
        () -> PgIntel.builder().dataSource(new org.postgresql.ds.PGSimpleDataSource())
            .samplingRule("slow", "calls > 1", 150, 0, 0).build());
    assertEquals("pgintel.sampler.rules.slow.rate: '150.0' is not a percent from 0 to 100", badRate.getMessage());
  }

  @org.junit.jupiter.api.Test
  void rulesNamedInTheEnvironmentAreTheSameAsInProperties() {
    List<String> problems = new java.util.ArrayList<>();
    Map<String, Object> raw = new java.util.LinkedHashMap<>(io.pgintel.Settings.fromEnvironment(Map.of(
        "PGINTEL_SAMPLER_RULES_SLOW_QUERIES_WHEN", "mean_exec_time_ms > 5",
        "PGINTEL_SAMPLER_RULES_SLOW_QUERIES_MAX_PER_MINUTE", "7")));
    raw.put("pgintel.sampler.rules.slow-queries.rate", "25%");
    List<Sampler.Rule> rules = io.pgintel.Settings.lenient(raw, problems::add).samplingRules();
    assertEquals(List.of(), problems);
    assertEquals(1, rules.size());
    assertEquals("slow_queries", rules.get(0).name());
    assertEquals(7, rules.get(0).maxPerMinute());
    assertEquals(25.0, rules.get(0).rate());
  }
}
