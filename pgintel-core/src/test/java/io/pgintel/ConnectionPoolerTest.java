package io.pgintel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.pgintel.test.CapturedStderr;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.PoolerRelay;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Behind a connection pooler (PgBouncer, a cloud proxy) the session id the driver is given at login names no server
 * session, or, by chance, another application's: pgintel says once that it reads through a pooler, and links no
 * server session to the application's connections by that id.
 */
class ConnectionPoolerTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  @PgTest
  void behindAPoolerNoServerSessionIsTakenForTheApplicationsByTheDriversSessionId(PgServer pg) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (Connection other = pg.connect()) {
      // another application's session, straight on the server; the pooler tells our driver its id
      int otherPid = pid(other);
      try (PoolerRelay pooler = new PoolerRelay(pg.host(), pg.port(), () -> otherPid);
          TestTelemetry otel = new TestTelemetry()) {
        PGSimpleDataSource through = new PGSimpleDataSource();
        through.setUrl(pooler.jdbcUrl("postgres"));
        through.setUser(pg.user());
        String logged = CapturedStderr.during(() -> {
          try (PgIntel pgintel = TestPgIntel.only(PgIntel.builder().dataSource(through)
                  .openTelemetry(otel.openTelemetry()).borrowTimeout(Duration.ofSeconds(10)), "activity")
              .setting("pgintel.collectors.activity.long-query-threshold", "1s").build()) {
            DataSource wrapped = pgintel.wrap(through);
            Future<?> theOther = threads.submit(() -> run(other, "SELECT pg_sleep(5) AS other_application"));
            // the application, in its span, runs a long statement too, through the pooler
            Future<?> application = threads.submit(() -> {
              SpanContext span = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());
              try (Scope ignored = Span.wrap(span).makeCurrent(); Connection c = wrapped.getConnection()) {
                assertEquals(otherPid, c.unwrap(org.postgresql.PGConnection.class).getBackendPID(),
                    "the driver was given the other session's id");
                run(c, "SELECT pg_sleep(5) AS ours");
              }
              return null;
            });
            // until both statements were sampled, as long as they run
            long end = System.nanoTime() + 4_500_000_000L;
            while (System.nanoTime() < end && !(sampled(otel, "ours") && sampled(otel, "other_application"))) {
              pgintel.collectNow();
              Thread.sleep(200);
            }
            theOther.get();
            application.get();
          }
        });

        List<LogRecordData> samples = otel.events("db.server.query_sample");
        LogRecordData theOthers = samples.stream()
            .filter(e -> "SELECT pg_sleep($1) AS other_application".equals(text(e))).findFirst()
            .orElseThrow(() -> new AssertionError("no sample of the other application's statement: " + samples));
        assertFalse(theOthers.getSpanContext().isValid(), "the other's statement in our span: " + theOthers);
        assertNull(theOthers.getAttributes().get(AttributeKey.stringKey("code.function")),
            "the other's statement at our line of code: " + theOthers.getAttributes());
        assertTrue(samples.stream().anyMatch(e -> "SELECT pg_sleep($1) AS ours".equals(text(e))),
            "our statement is sampled: " + samples);
        assertEquals(1, CapturedStderr.count(logged, "through a connection pooler"), logged);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private static boolean sampled(TestTelemetry otel, String alias) {
    return otel.events("db.server.query_sample").stream()
        .anyMatch(e -> ("SELECT pg_sleep($1) AS " + alias).equals(text(e)));
  }

  private static String text(LogRecordData e) {
    return e.getAttributes().get(AttributeKey.stringKey("db.query.text"));
  }

  private static int pid(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static Object run(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
    return null;
  }
}
