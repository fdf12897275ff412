package io.pgintel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.pgintel.trace.TraceLink;
import io.pgintel.trace.TracingDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/** Samples of the database carry the application's trace and line of code. */
class TraceCorrelationTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";
  private static final String OTHER_TRACE = "0af7651916cd43dd8448eb211c80319c";

  @PgTest
  void slowStatementOfAWrappedDataSourceCarriesItsSpanAndCodeLocation(PgServer pg) throws Exception {
    ExecutorService app = Executors.newFixedThreadPool(2);
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(pg, otel), "activity")
            .setting("pgintel.collectors.activity.long-query-threshold", "1s").build()) {
      DataSource wrapped = pgintel.wrap(pg.dataSource());
      Future<?> foreign = app.submit(() -> {
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("ApplicationName", "billing 00-" + OTHER_TRACE + "-b7ad6b7169203331-01");
        try (Connection c = java.sql.DriverManager.getConnection(pg.jdbcUrl("postgres"), props);
            Statement s = c.createStatement()) {
          s.execute("SELECT pg_sleep(2.0)");
        }
        return null;
      });
      AtomicBoolean running = new AtomicBoolean(true);
      Future<?> sampler = sampleEvery200ms(app, pgintel, running);
      // the application's own code, on this thread, inside its span: the frame a sample should point at
      SpanContext context = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());
      try (Scope ignored = Span.wrap(context).makeCurrent();
          Connection c = wrapped.getConnection(); Statement s = c.createStatement()) {
        s.execute("SELECT pg_sleep(2.5)");
      }
      running.set(false);
      sampler.get();
      foreign.get();

      List<LogRecordData> samples = otel.events("db.server.query_sample");
      LogRecordData mine = samples.stream().filter(e -> e.getSpanContext().getTraceId().equals(TRACE))
          .findFirst().orElseThrow(() -> new AssertionError("no sample with the span's trace: " + samples));
      assertEquals(SPAN, mine.getSpanContext().getSpanId());
      assertEquals("slowStatementOfAWrappedDataSourceCarriesItsSpanAndCodeLocation",
          mine.getAttributes().get(AttributeKey.stringKey("code.function")));
      assertEquals(TraceCorrelationTest.class.getName(),
          mine.getAttributes().get(AttributeKey.stringKey("code.namespace")));
      Long line = mine.getAttributes().get(AttributeKey.longKey("code.lineno"));
      assertTrue(line != null && line > 0, "the line: " + mine.getAttributes());
      assertEquals("SELECT pg_sleep($1)", mine.getAttributes().get(AttributeKey.stringKey("db.query.text")));
      assertTrue(mine.getAttributes().get(AttributeKey.doubleKey("pgintel.query.duration")) >= 1.0);
      assertEquals(1, samples.stream().filter(e -> e.getSpanContext().getTraceId().equals(TRACE)).count(),
          "one sample per execution");

      LogRecordData other = samples.stream().filter(e -> e.getSpanContext().getTraceId().equals(OTHER_TRACE))
          .findFirst().orElseThrow(() -> new AssertionError("traceparent in application_name not linked"));
      assertNotNull(other.getAttributes().get(AttributeKey.longKey("postgresql.pid")));
    } finally {
      app.shutdownNow();
    }
  }

  @PgTest
  void slowStatementOutsideAnySpanStillCarriesItsCodeLocation(PgServer pg) throws Exception {
    ExecutorService app = Executors.newSingleThreadExecutor();
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(pg, otel), "activity")
            .setting("pgintel.collectors.activity.long-query-threshold", "1s").build()) {
      DataSource wrapped = pgintel.wrap(pg.dataSource());
      AtomicBoolean running = new AtomicBoolean(true);
      Future<?> sampler = sampleEvery200ms(app, pgintel, running);
      assertTrue(!Span.current().getSpanContext().isValid(), "no span is current on this thread");
      try (Connection c = wrapped.getConnection(); Statement s = c.createStatement()) {
        s.execute("SELECT pg_sleep(2.5)");
      }
      running.set(false);
      sampler.get();

      List<LogRecordData> samples = otel.events("db.server.query_sample");
      LogRecordData mine = samples.stream().filter(e -> "SELECT pg_sleep($1)".equals(
          e.getAttributes().get(AttributeKey.stringKey("db.query.text")))).findFirst()
          .orElseThrow(() -> new AssertionError("no sample of the statement: " + samples));
      assertEquals("slowStatementOutsideAnySpanStillCarriesItsCodeLocation",
          mine.getAttributes().get(AttributeKey.stringKey("code.function")));
      assertEquals(TraceCorrelationTest.class.getName(),
          mine.getAttributes().get(AttributeKey.stringKey("code.namespace")));
      assertTrue(!mine.getSpanContext().isValid(), "no trace to link: " + mine.getSpanContext());
    } finally {
      app.shutdownNow();
    }
  }

  /** The line of code is read from the running thread's stack only when asked for; without a span it is all. */
  @PgTest
  void aRunningStatementOutsideAnySpanGivesItsLineOfCodeOnlyWhenAskedFor(PgServer pg) throws Exception {
    SessionRegistry registry = new SessionRegistry();
    DataSource wrapped = TracingDataSource.wrap(pg.dataSource(), registry);
    AtomicInteger pid = new AtomicInteger();
    Thread app = new Thread(() -> {
      try (Connection c = wrapped.getConnection(); Statement s = c.createStatement()) {
        pid.set(c.unwrap(PGConnection.class).getBackendPID());
        s.execute("SELECT pg_sleep(3)");
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }, "application");
    app.start();
    TraceLink link = null;
    long deadline = System.nanoTime() + 10_000_000_000L;
    while ((link == null || link.codeFunction() == null) && System.nanoTime() < deadline) {
      Thread.sleep(10);
      link = pid.get() == 0 ? null : registry.link(pid.get(), true);
    }
    assertNotNull(link, "the running statement is linked by its line of code");
    assertNull(link.traceId(), "no span");
    // the lambda's code is written in this test method
    assertEquals("aRunningStatementOutsideAnySpanGivesItsLineOfCodeOnlyWhenAskedFor", link.codeFunction());
    assertEquals(TraceCorrelationTest.class.getName(), link.codeNamespace());
    assertNull(registry.link(pid.get(), false), "no span and no line of code asked for: nothing to link");
    app.join();
  }

  /**
   * A transaction the application leaves open is reported once it passes the threshold, once, with where the
   * application is while it holds the session: its span and the method its thread waits in.
   */
  @PgTest
  void aTransactionLeftOpenIsReportedOnceWithWhereTheApplicationHoldsIt(PgServer pg) throws Exception {
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel pgintel = TestPgIntel.only(TestPgIntel.builder(pg, otel), "activity")
            .setting("pgintel.collectors.activity.long-transaction-threshold", "2s")
            // the collector itself reports a transaction once, not the sampler's dropping of duplicates
            .setting("pgintel.sampler.dedup-window", "0s").build()) {
      DataSource wrapped = pgintel.wrap(pg.dataSource());
      CountDownLatch written = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger pid = new AtomicInteger();
      Thread app = new Thread(() -> {
        SpanContext context = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());
        try (Scope ignored = Span.wrap(context).makeCurrent(); Connection c = wrapped.getConnection()) {
          c.setAutoCommit(false);
          try (Statement s = c.createStatement()) {
            s.execute("SELECT 'card 4111 1111 1111 1111' AS note, txid_current()");
          }
          pid.set(c.unwrap(PGConnection.class).getBackendPID());
          written.countDown();
          awaitPaymentProvider(release);
          c.rollback();
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      }, "application");
      // one long statement alone in its transaction: a query sample's to tell, not a long transaction
      AtomicInteger sleeper = new AtomicInteger();
      Thread alone = new Thread(() -> {
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
          sleeper.set(c.unwrap(PGConnection.class).getBackendPID());
          s.execute("SELECT pg_sleep(3.5)");
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      }, "report");
      app.start();
      alone.start();
      try {
        assertTrue(written.await(10, TimeUnit.SECONDS));
        pgintel.collectNow();
        assertTrue(otel.events("db.server.long_transaction").isEmpty(), "not before the threshold");
        Thread.sleep(2300);
        pgintel.collectNow();
        pgintel.collectNow();
      } finally {
        release.countDown();
        app.join();
        alone.join();
      }
      assertTrue(sleeper.get() > 0);
      assertTrue(otel.events("db.server.long_transaction").stream().noneMatch(e -> Long.valueOf(sleeper.get())
          .equals(e.getAttributes().get(AttributeKey.longKey("postgresql.pid")))), "a statement alone");

      List<LogRecordData> events = otel.events("db.server.long_transaction").stream()
          .filter(e -> Long.valueOf(pid.get()).equals(e.getAttributes().get(AttributeKey.longKey("postgresql.pid"))))
          .toList();
      assertEquals(1, events.size(), "once per transaction: " + events);
      LogRecordData e = events.get(0);
      assertEquals("idle in transaction", e.getAttributes().get(AttributeKey.stringKey("postgresql.state")));
      assertEquals("awaitPaymentProvider", e.getAttributes().get(AttributeKey.stringKey("code.function")));
      assertEquals(TraceCorrelationTest.class.getName(),
          e.getAttributes().get(AttributeKey.stringKey("code.namespace")));
      assertEquals(TRACE, e.getSpanContext().getTraceId());
      assertEquals(SPAN, e.getSpanContext().getSpanId());
      assertEquals("SELECT $1 AS note, txid_current()",
          e.getAttributes().get(AttributeKey.stringKey("db.query.text")), "the last statement, obfuscated");
      assertTrue(e.getAttributes().get(AttributeKey.doubleKey("pgintel.transaction.age")) >= 2.0);
      assertTrue(e.getAttributes().get(AttributeKey.doubleKey("pgintel.state.duration")) >= 2.0, "idle that long");
      assertNull(e.getAttributes().get(AttributeKey.doubleKey("pgintel.query.duration")), "nothing runs");
      assertNotNull(e.getAttributes().get(AttributeKey.longKey("pgintel.transaction.xid_age")), "it wrote");
      assertTrue(e.getBody().asString().contains("idle in transaction for"), e.getBody().asString());
      assertTrue(!e.toString().contains("4111"), "no literal: " + e);
    }
  }

  /** The application's code that holds its transaction open while it waits on something else. */
  private static void awaitPaymentProvider(CountDownLatch reply) {
    try {
      reply.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Collects on {@code pool} every 200 ms until {@code running} turns false. */
  private static Future<?> sampleEvery200ms(ExecutorService pool, PgIntel pgintel, AtomicBoolean running) {
    return pool.submit(() -> {
      while (running.get()) {
        pgintel.collectNow();
        Thread.sleep(200);
      }
      return null;
    });
  }

  @Test
  void traceparentIsFoundInsideApplicationName() {
    TraceLink link = TraceLink.fromTraceparent("svc 00-" + TRACE + "-" + SPAN + "-01 worker");
    assertEquals(new TraceLink(TRACE, SPAN, null), link);
    assertEquals(null, TraceLink.fromTraceparent("00-" + "0".repeat(32) + "-" + SPAN + "-01"));
    assertEquals("svc worker", TraceLink.withoutTraceparent("svc 00-" + TRACE + "-" + SPAN + "-01 worker"));
    assertEquals("billing", TraceLink.withoutTraceparent("billing 00-" + TRACE + "-" + SPAN + "-01"));
    assertEquals("plain", TraceLink.withoutTraceparent("plain"));
    // PostgreSQL keeps 63 bytes of application_name: the traceparent's end is cut off
    String cut = ("billing-service 00-" + TRACE + "-" + SPAN + "-01").substring(0, 63);
    assertEquals(null, TraceLink.fromTraceparent(cut));
    assertEquals("billing-service", TraceLink.withoutTraceparent(cut));
    assertEquals("build 00-1234", TraceLink.withoutTraceparent("build 00-1234"), "too short to be a trace id");
    String longCut = ("orders-service-eu-west-1-production-canary-v2 00-" + TRACE + "-" + SPAN + "-01")
        .substring(0, 63);
    assertEquals("orders-service-eu-west-1-production-canary-v2", TraceLink.withoutTraceparent(longCut),
        "cut at 63 bytes after a few digits: " + longCut);
    assertEquals(null, TraceLink.withoutTraceparent(null));
    assertEquals("deploy 1f00-" + TRACE, TraceLink.withoutTraceparent("deploy 1f00-" + TRACE),
        "kept: 00- inside a hex word starts no traceparent");
    assertEquals(null, TraceLink.fromTraceparent("00-" + TRACE.toUpperCase() + "-" + SPAN + "-01"));
    assertEquals(null, TraceLink.fromTraceparent("psql"));
  }
}
