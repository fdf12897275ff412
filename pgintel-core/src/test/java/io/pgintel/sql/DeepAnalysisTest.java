package io.pgintel.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeepAnalysisTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void tablesInsideCtesAndNestedSubqueriesAreFoundAfterTheBackgroundParse() {
    SqlEngine engine = SqlEngine.builder().deepAnalysis(true).deepAnalysisBudget(Duration.ofSeconds(5)).build();
    NormalizedQuery q = engine.server("WITH recent AS"
        + " (SELECT id FROM orders WHERE created_at > now() - interval '1 day')"
        + " SELECT u.name FROM users u WHERE u.id IN (SELECT user_id FROM recent)"
        + " AND EXISTS (SELECT 1 FROM app.\"Audit\" a WHERE a.uid = u.id AND a.kind IN"
        + " (SELECT kind FROM (SELECT kind FROM kinds WHERE weight > 10) k))");

    assertEquals(Optional.empty(), engine.deepTables(q), "the first call only queues the parse");
    assertEquals(q.tables(), engine.tables(q), "until then the lexer's tables stand in");

    List<String> deep = await(() -> engine.deepTables(q));
    assertEquals(List.of("orders", "users", "app.Audit", "kinds"), deep);
    assertEquals(deep, engine.tables(q));
    assertEquals(1, engine.deepAnalysisStats().parsed());
  }

  @Test
  void theParserOnlySeesNormalizedText() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    DeepAnalysis deep = new DeepAnalysis(Duration.ofSeconds(5), 4, (text, budget) -> {
      seen.add(text);
      done.countDown();
      return List.of("t");
    });
    NormalizedQuery q = SqlEngine.analyzeUncached(
        "SELECT * FROM t WHERE secret = 'hunter2' AND id IN (SELECT id FROM u WHERE pin = 1234)", false);

    deep.tables(q);

    assertTrue(done.await(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertEquals(List.of(q.text()), seen);
    assertFalse(seen.get(0).contains("hunter2") || seen.get(0).contains("1234"), seen.get(0));
  }

  @Test
  void unparseableInputNeverBlocksAndIsCachedAsFailed() {
    AtomicInteger calls = new AtomicInteger();
    DeepAnalysis deep = new DeepAnalysis(Duration.ofSeconds(5), 4, (text, budget) -> {
      calls.incrementAndGet();
      throw new IllegalStateException("cannot read " + text);
    });
    NormalizedQuery q = SqlEngine.analyzeUncached("SELECT * FROM a WHERE x IN (SELECT y FROM b)", false);

    assertEquals(Optional.empty(), deep.tables(q));
    awaitTrue(() -> deep.stats().failed() == 1);
    for (int i = 0; i < 5; i++) {
      assertEquals(Optional.empty(), deep.tables(q));
    }
    awaitQuiet();

    assertEquals(1, calls.get(), "a failure is cached: the statement is not parsed again");
    assertEquals(new SqlEngine.DeepAnalysisStats(0, 1, 0, 0), deep.stats());
  }

  @Test
  void jsqlParserGivesUpAtTheBudgetAndTheTimeOutIsCached() {
    SqlEngine engine = SqlEngine.builder().deepAnalysis(true).deepAnalysisBudget(Duration.ofMillis(50)).build();
    // nested parentheses make JSqlParser backtrack exponentially: without the deadline this runs for minutes
    NormalizedQuery q = engine.server("SELECT * FROM t WHERE a IN (SELECT " + "(".repeat(60) + "b" + ")".repeat(60)
        + " FROM u)");

    assertTimeoutPreemptively(Duration.ofSeconds(1), () -> engine.deepTables(q), "a caller never waits");
    awaitTrue(() -> engine.deepAnalysisStats().timedOut() == 1);
    assertEquals(new SqlEngine.DeepAnalysisStats(0, 0, 1, 0), engine.deepAnalysisStats());
    assertEquals(Optional.empty(), engine.deepTables(q));
    assertEquals(List.of("t", "u"), engine.tables(q), "the lexer's tables stand in");
  }

  @Test
  void aFullQueueDropsRequestsAndCountsThemWithoutBlocking() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    DeepAnalysis deep = new DeepAnalysis(Duration.ofSeconds(10), 1, (text, budget) -> {
      started.countDown();
      release.await();
      return List.of(text.substring(text.lastIndexOf(' ') + 1, text.length() - 1));
    });
    NormalizedQuery first = nested("first");
    NormalizedQuery second = nested("second");
    NormalizedQuery third = nested("third");
    NormalizedQuery fourth = nested("fourth");

    deep.tables(first);
    assertTrue(started.await(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      deep.tables(second); // queued: the queue holds one
      deep.tables(third); // dropped
      deep.tables(fourth); // dropped
      deep.tables(third); // dropped again: a dropped request is not remembered as failed
    });
    assertEquals(3, deep.stats().dropped());

    release.countDown();
    assertEquals(List.of("second"), await(() -> deep.tables(second)));
    assertEquals(List.of("third"), await(() -> deep.tables(third)), "asked again once there is room");
  }

  @ParameterizedTest
  @ValueSource(strings = {"SELECT * FROM t WHERE id = 1", "BEGIN", "COMMIT", "COPY t FROM STDIN",
      "DO $$ BEGIN PERFORM 1; END $$", "SET search_path = app", "LISTEN jobs", "CREATE ROLE r PASSWORD 'x'",
      "VACUUM ANALYZE t", "EXPLAIN SELECT * FROM t WHERE x IN (SELECT y FROM u)"})
  void statementsWithoutNestedQueriesOrThatJsqlParserCannotReadAreNotQueued(String sql) {
    AtomicInteger calls = new AtomicInteger();
    DeepAnalysis deep = new DeepAnalysis(Duration.ofSeconds(5), 4, (text, budget) -> {
      calls.incrementAndGet();
      return List.of();
    });
    NormalizedQuery q = SqlEngine.analyzeUncached(sql, false);

    assertEquals(Optional.empty(), deep.tables(q));
    awaitQuiet();
    assertEquals(0, calls.get());
    assertEquals(new SqlEngine.DeepAnalysisStats(0, 0, 0, 0), deep.stats());
  }

  @Test
  void textOverTheSizeCapIsNotQueued() {
    StringBuilder sql = new StringBuilder("SELECT * FROM t WHERE x IN (SELECT y FROM u) AND (");
    while (sql.length() <= DeepAnalysis.MAX_CHARS) {
      sql.append("col_with_a_long_name = other_col OR ");
    }
    sql.append("true)");
    assertFalse(DeepAnalysis.worthParsing(SqlEngine.analyzeUncached(sql.toString(), false).text()));
  }

  @Test
  void deepAnalysisIsOffByDefault() {
    SqlEngine engine = SqlEngine.create();
    NormalizedQuery q = engine.server("WITH x AS (SELECT * FROM a) SELECT * FROM x");
    assertEquals(Optional.empty(), engine.deepTables(q));
    assertEquals(List.of("a"), engine.tables(q));
    assertEquals(new SqlEngine.DeepAnalysisStats(0, 0, 0, 0), engine.deepAnalysisStats());
  }

  @Test
  void budgetIsCheckedWhenSet() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SqlEngine.builder().deepAnalysisBudget(Duration.ZERO));
    assertTrue(e.getMessage().contains("deepAnalysisBudget"), e.getMessage());
    assertThrows(NullPointerException.class, () -> SqlEngine.builder().deepAnalysisBudget(null));
  }

  @Test
  void quotedNamesAreReportedAsTheLexerReportsThem() {
    assertEquals("app.Audit", DeepAnalysis.canonical("app.\"Audit\""));
    assertEquals("a\"b.c", DeepAnalysis.canonical("\"a\"\"b\".C"));
  }

  private static NormalizedQuery nested(String table) {
    return SqlEngine.analyzeUncached("SELECT * FROM t WHERE x IN (SELECT y FROM " + table + ")", false);
  }

  private static <T> T await(Supplier<Optional<T>> probe) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<T> value = probe.get();
      if (value.isPresent()) {
        return value.get();
      }
      sleep();
    }
    throw new AssertionError("no result within " + WAIT);
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT);
      }
      sleep();
    }
  }

  /** Gives a wrongly queued parse time to show up. */
  private static void awaitQuiet() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
