package io.pgintel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import io.pgintel.trace.SessionRegistry;
import io.pgintel.trace.TracingDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Top queries name the lines of the application's code that run them: learnt by the activity sampler from
 * statements caught running through the wrapped DataSource, however short each execution is.
 */
class QueryCallSitesTest {

  private static final String ORDERS = "SELECT pg_sleep(0.002), ?::int AS orders";
  private static final String ITEMS = "SELECT pg_sleep(0.002), ?::text AS items";
  /**
   * Its SELECT is this test's own: a statement of another test that differs only by its aliases would share its
   * pg_stat_statements entry (aliases are not part of PostgreSQL's query id) and lend the entry its text.
   */
  private static final String TWO_STATEMENTS =
      "SET LOCAL work_mem = '8MB'; SELECT pg_sleep(0.002), current_setting('work_mem') AS second_part";
  private static final String KEPT_TEXT = "SELECT pg_sleep($1), $2 AS kept_text";
  private static final String SECOND_PART = "SELECT pg_sleep($1), current_setting($2) AS second_part";
  private static final AttributeKey<String> TEXT = AttributeKey.stringKey("db.query.text");
  private static final AttributeKey<List<String>> LOCATIONS = AttributeKey.stringArrayKey("pgintel.code.locations");
  private static final AttributeKey<String> EXAMPLE_TRACE = AttributeKey.stringKey("pgintel.example.trace_id");
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  /** The line each method of the application below runs its statement from, as the JVM numbers it. */
  private static final Map<String, Integer> LINES = new ConcurrentHashMap<>();

  @PgTest
  void topQueriesCarryTheLinesOfCodeThatRunThemEvenWhenEachExecutionIsShort(PgServer pg) throws Exception {
    ExecutorService app = Executors.newFixedThreadPool(4);
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(pg, otel), "activity", "statements").build()) {
      DataSource wrapped = pgintel.wrap(pg.dataSource());
      AtomicBoolean running = new AtomicBoolean(true);
      List<Future<?>> threads = new ArrayList<>();
      threads.add(app.submit(() -> loop(wrapped, running, QueryCallSitesTest::findOrders)));
      threads.add(app.submit(() -> loop(wrapped, running, QueryCallSitesTest::auditOrders)));
      // the items run inside a span of the application's: their top query names it as an example
      SpanContext span = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());
      threads.add(app.submit(() -> {
        try (Scope ignored = Span.wrap(span).makeCurrent()) {
          return loop(wrapped, running, QueryCallSitesTest::countItems);
        }
      }));
      long end = System.nanoTime() + 4_000_000_000L;
      while (System.nanoTime() < end) {
        pgintel.collectNow();
        Thread.sleep(200);
      }
      running.set(false);
      for (Future<?> f : threads) {
        f.get();
      }
      pgintel.collectNow();

      String self = QueryCallSitesTest.class.getName();
      LogRecordData orders = lastTopQuery(otel, "SELECT pg_sleep($1), $2::int AS orders");
      // each line with the application's frame that called it
      assertEquals(List.of(location("auditOrders"), location("findOrders")),
          orders.getAttributes().get(LOCATIONS).stream().sorted().toList(),
          "both lines that run the query, and no other: " + orders.getAttributes());
      assertEquals(self, orders.getAttributes().get(AttributeKey.stringKey("code.namespace")));
      assertNull(orders.getAttributes().get(EXAMPLE_TRACE), "run outside any span");

      LogRecordData items = lastTopQuery(otel, "SELECT pg_sleep($1), $2::text AS items");
      assertEquals(List.of(location("countItems")), items.getAttributes().get(LOCATIONS));
      assertEquals("countItems", items.getAttributes().get(AttributeKey.stringKey("code.function")));
      assertEquals(self, items.getAttributes().get(AttributeKey.stringKey("code.namespace")));
      assertEquals((long) LINES.get("countItems"), items.getAttributes().get(AttributeKey.longKey("code.lineno")));
      long samples = items.getAttributes().get(AttributeKey.longKey("pgintel.code.samples"));
      assertTrue(samples >= 1, "samples: " + samples);
      assertEquals(TRACE, items.getAttributes().get(EXAMPLE_TRACE));

      // what the reads cost is pgintel's own telemetry
      double counted = otel.value("pgintel.call_sites.reads", Map.of("pgintel.outcome", "counted")).orElse(0.0);
      assertTrue(counted >= samples, "reads counted: " + counted);
      assertTrue(otel.value("pgintel.call_sites.read.time", Map.of()).orElse(0.0) > 0, "read time");
      assertEquals(2.0, otel.value("pgintel.call_sites.queries", Map.of()).orElse(0.0), "two queries");
      assertEquals(SPAN, items.getAttributes().get(AttributeKey.stringKey("pgintel.example.span_id")));
    } finally {
      app.shutdownNow();
    }
  }

  /** One JDBC text of two statements: each statement's top query names the line that runs the text. */
  @PgTest
  void eachStatementOfATextOfSeveralIsToldWithTheLineThatRunsIt(PgServer pg) throws Exception {
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(pg, otel), "activity", "statements").build()) {
      runUntil(pgintel, pg, QueryCallSitesTest::runTwoStatements, () -> hasLines(otel, SECOND_PART));

      assertEquals(List.of(location("runTwoStatements")),
          lastTopQuery(otel, SECOND_PART).getAttributes().get(LOCATIONS));
    }
  }

  /**
   * A top query whose pg_stat_statements entry kept another text of the statement (one that differs only by an
   * alias, which is not part of PostgreSQL's query id) still names the lines that run it: pg_stat_activity shows
   * the running text under the entry's query id.
   */
  @PgTest
  void aTopQueryThatKeptAnotherTextOfTheStatementStillNamesTheLinesThatRunIt(PgServer pg) throws Exception {
    assumeTrue(pg.majorVersion() >= 14, "pg_stat_activity shows query ids from PostgreSQL 14");
    // the entry's text: the first text of the statement the server saw
    pg.execute("postgres", "SELECT pg_sleep(0.002), 7 AS kept_text");
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(pg, otel), "activity", "statements").build()) {
      runUntil(pgintel, pg, QueryCallSitesTest::runAnotherText, () -> hasLines(otel, KEPT_TEXT));

      assertEquals(List.of(location("runAnotherText")),
          lastTopQuery(otel, KEPT_TEXT).getAttributes().get(LOCATIONS));
    }
  }

  /** A statement's plan is told with the lines of code that run it, as its top query is. */
  @PgTest
  void planEventsNameTheLinesOfCodeThatRunTheStatement(PgServer pg) throws Exception {
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(pg, otel), "activity", "plans")
            .collectorEnabled("plans", true).setting("pgintel.collectors.plans.re-explain-after", "1s").build()) {
      Supplier<List<String>> locations = () -> otel.events("db.server.query_plan").stream()
          .filter(e -> "SELECT pg_sleep($1), $2::int AS orders".equals(e.getAttributes().get(TEXT)))
          .map(e -> e.getAttributes().get(LOCATIONS)).filter(l -> l != null).findFirst().orElse(null);
      runUntil(pgintel, pg, QueryCallSitesTest::findOrders, () -> locations.get() != null);

      assertTrue(locations.get() != null, "a plan of the orders query with lines of code: "
          + otel.events("db.server.query_plan").stream().map(e -> e.getAttributes().asMap()).toList());
      assertEquals(List.of(location("findOrders")), locations.get());
    }
  }

  /**
   * Runs {@code work} in a loop on an application thread through pgintel's wrapper, collecting every 300 ms until
   * {@code done} or 8 seconds.
   */
  private static void runUntil(PgIntel pgintel, PgServer pg, Work work, BooleanSupplier done) throws Exception {
    ExecutorService app = Executors.newSingleThreadExecutor();
    try {
      DataSource wrapped = pgintel.wrap(pg.dataSource());
      AtomicBoolean running = new AtomicBoolean(true);
      Future<?> thread = app.submit(() -> loop(wrapped, running, work));
      long end = System.nanoTime() + 8_000_000_000L;
      while (System.nanoTime() < end && !done.getAsBoolean()) {
        pgintel.collectNow();
        Thread.sleep(300);
      }
      running.set(false);
      thread.get();
    } finally {
      app.shutdownNow();
    }
  }

  /**
   * A read of the stack counts only for the execution that ran from before it to after it: one that falls after
   * the statement ended (in the application's code between statements, or in the next statement, of another
   * text, run from another line) counts for nothing, so every text comes back with its own line only.
   */
  @PgTest
  void aStackReadCountsOnlyForTheExecutionThatLastedThroughIt(PgServer pg) throws Exception {
    SessionRegistry registry = new SessionRegistry();
    DataSource wrapped = TracingDataSource.wrap(pg.dataSource(), registry);
    AtomicBoolean running = new AtomicBoolean(true);
    List<Throwable> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread application = new Thread(() -> {
      try (Connection c = wrapped.getConnection(); Statement s = c.createStatement()) {
        while (running.get()) {
          runFirst(s);
          runSecond(s);
          spinBetweenStatements();
        }
      } catch (SQLException | RuntimeException e) {
        failed.add(e);
      }
    }, "application");
    application.start();
    List<String> caught = new ArrayList<>();
    long end = System.nanoTime() + 3_000_000_000L;
    while (System.nanoTime() < end) {
      registry.sampleStatements(1).forEach(s -> caught.add(s.sql() + " from " + s.site().function()));
    }
    running.set(false);
    application.join();

    assertEquals(List.of(), failed, "the application ran");
    assertTrue(caught.size() >= 20, "caught running " + caught.size() + " times");
    assertTrue(registry.callSites().reads().ended() > 0,
        "the check turned reads down: " + registry.callSites().reads());
    assertEquals(List.of("SELECT 1 AS first from runFirst", "SELECT 2 AS second from runSecond"),
        caught.stream().distinct().sorted().toList(), "each text with its own line, and only those");
  }

  private interface Work {
    void run(Connection c) throws SQLException;
  }

  private static Object loop(DataSource ds, AtomicBoolean running, Work work) throws SQLException {
    try (Connection c = ds.getConnection()) {
      while (running.get()) {
        LINES.putIfAbsent("loop", line()); work.run(c);
      }
    }
    return null;
  }

  // the application: three lines of code, two of them running the same query

  private static void findOrders(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(ORDERS)) {
      ps.setInt(1, 42);
      LINES.putIfAbsent("findOrders", line()); ps.executeQuery().close();
    }
  }

  private static void auditOrders(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(ORDERS)) {
      ps.setInt(1, 7);
      LINES.putIfAbsent("auditOrders", line()); ps.executeQuery().close();
    }
  }

  private static void countItems(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(ITEMS)) {
      ps.setString(1, "x");
      LINES.putIfAbsent("countItems", line()); ps.executeQuery().close();
    }
  }

  private static void runAnotherText(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      LINES.putIfAbsent("runAnotherText", line()); s.execute("SELECT pg_sleep(0.002), 7 AS another_text");
    }
  }

  private static void runTwoStatements(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      LINES.putIfAbsent("runTwoStatements", line()); s.execute(TWO_STATEMENTS);
    }
  }

  private static void runFirst(Statement s) throws SQLException {
    s.execute("SELECT 1 AS first");
  }

  private static void runSecond(Statement s) throws SQLException {
    s.execute("SELECT 2 AS second");
  }

  /** Application code between two statements: as long as a short statement takes, busy. */
  private static void spinBetweenStatements() {
    long until = System.nanoTime() + 100_000;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }

  /** Where a method of the application below runs its statement, called by {@link #loop}: as pgintel prints it. */
  private static String location(String method) {
    String self = QueryCallSitesTest.class.getName();
    return self + "." + method + ":" + LINES.get(method) + " from " + self + ".loop:" + LINES.get("loop");
  }

  /** The line number of the caller's call. */
  private static int line() {
    return new Throwable().getStackTrace()[1].getLineNumber();
  }

  private static boolean hasLines(TestTelemetry otel, String text) {
    return otel.events("db.server.top_query").stream()
        .anyMatch(e -> text.equals(e.getAttributes().get(TEXT)) && e.getAttributes().get(LOCATIONS) != null);
  }

  private static LogRecordData lastTopQuery(TestTelemetry otel, String text) {
    List<LogRecordData> events = otel.events("db.server.top_query").stream()
        .filter(e -> text.equals(e.getAttributes().get(TEXT)) && e.getAttributes().get(LOCATIONS) != null)
        .toList();
    assertTrue(!events.isEmpty(), "no top query of " + text + " with lines of code: "
        + otel.events("db.server.top_query").stream().map(e -> e.getAttributes().get(TEXT)).distinct().toList());
    return events.get(events.size() - 1);
  }
}
