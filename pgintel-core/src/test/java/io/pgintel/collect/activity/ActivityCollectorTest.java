package io.pgintel.collect.activity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.pgintel.PgIntel;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

class ActivityCollectorTest {

  private static final String HOLDER_SECRET = "zq-holder-secret-7731";
  private static final String WAITER_SECRET = "zq-waiter-secret-5512";

  private static PgIntel activityOnly(PgServer pg, String db, TestTelemetry otel) {
    return TestPgIntel.only(TestPgIntel.builder(pg, otel).dataSource(pg.dataSource(db)), "activity")
        .setting("pgintel.collectors.activity.lock-wait-threshold", "500ms")
        .setting("pgintel.collectors.activity.aggregation-interval", "1s").build();
  }

  private static int pid(Connection c) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @PgTest
  void blockingChainNamesTheIdleInTransactionRootAndEveryWaiter(PgServer pg) throws Exception {
    String db = pg.createDatabase("locks");
    pg.execute(db, "CREATE TABLE items (id int PRIMARY KEY, v text); INSERT INTO items VALUES (1, 'a')");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (TestTelemetry otel = new TestTelemetry(); PgIntel pgintel = activityOnly(pg, db, otel);
        Connection holder = pg.connect(db); Connection w1 = pg.connect(db); Connection w2 = pg.connect(db)) {
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.executeUpdate("UPDATE items SET v = '" + HOLDER_SECRET + "' WHERE id = 1");
      }
      int holderPid = pid(holder);
      Set<Long> waiterPids = Set.of((long) pid(w1), (long) pid(w2));
      List<Future<?>> waiting = new ArrayList<>();
      for (Connection w : List.of(w1, w2)) {
        waiting.add(pool.submit(() -> {
          try (Statement s = w.createStatement()) {
            s.executeUpdate("UPDATE items SET v = '" + WAITER_SECRET + "' WHERE id = 1");
          }
          return null;
        }));
        Thread.sleep(200);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
      while (otel.events("db.server.blocking_chain").isEmpty() && System.nanoTime() < deadline) {
        pgintel.collectNow();
        Thread.sleep(150);
      }
      pgintel.collectNow();
      Thread.sleep(1100);
      pgintel.collectNow();

      List<LogRecordData> chains = otel.events("db.server.blocking_chain");
      assertFalse(chains.isEmpty(), "no blocking chain reported");
      LogRecordData chain = chains.get(chains.size() - 1);
      var a = chain.getAttributes();
      assertEquals(holderPid, a.get(AttributeKey.longKey("postgresql.pid")).intValue(), "root blocker");
      assertEquals("idle in transaction", a.get(AttributeKey.stringKey("postgresql.state")));
      assertEquals(waiterPids, new HashSet<>(a.get(AttributeKey.longArrayKey("pgintel.blocking.waiter.pids"))));
      assertTrue(a.get(AttributeKey.stringArrayKey("pgintel.blocking.waiter.relations")).contains("items"),
          String.valueOf(a));
      List<String> modes = a.get(AttributeKey.stringArrayKey("pgintel.blocking.waiter.lock_modes"));
      assertTrue(modes.contains("ShareLock"), "the first waiter waits for the holder's transaction: " + modes);
      for (double wait : a.get(AttributeKey.doubleArrayKey("pgintel.blocking.waiter.wait_seconds"))) {
        assertTrue(wait > 0.3 && wait < 30, "wait " + wait);
      }
      assertTrue(a.get(AttributeKey.doubleKey("pgintel.blocking.longest_wait")) >= 0.5);
      assertTrue(String.valueOf(chain.getBodyValue().getValue()).contains("pid " + holderPid + " (idle in transaction"));

      double lockWaits = 0;
      for (PointData p : otel.points("postgresql.activity.wait", Map.of("postgresql.wait_event_type", "Lock"))) {
        lockWaits += ((io.opentelemetry.sdk.metrics.data.DoublePointData) p).getValue();
      }
      assertTrue(lockWaits > 1.0, "two sessions waited on locks for the whole window: " + lockWaits);
      Set<String> fingerprints = new HashSet<>();
      double updateWaits = 0;
      for (PointData p : otel.points("postgresql.activity.query.wait",
          Map.of("postgresql.wait_event_type", "Lock", "db.query.summary", "UPDATE items"))) {
        updateWaits += ((io.opentelemetry.sdk.metrics.data.DoublePointData) p).getValue();
        fingerprints.add(p.getAttributes().get(AttributeKey.stringKey("pgintel.query.fingerprint")));
      }
      assertTrue(updateWaits > 1.0, "both waiters' statement, by its fingerprint: " + updateWaits);
      assertEquals(1, fingerprints.size(), "one statement: " + fingerprints);
      assertTrue(otel.value("pgintel.sql.cache.requests", Map.of("pgintel.cache.result", "hit")).orElseThrow() > 0,
          "the same texts, sampled again, come from the SQL engine's cache");
      assertTrue(otel.value("pgintel.sql.cache.requests", Map.of("pgintel.cache.result", "miss")).orElseThrow() > 0);

      StringBuilder everything = new StringBuilder();
      for (String name : List.of("db.server.blocking_chain", "db.server.query_sample")) {
        for (LogRecordData e : otel.events(name)) {
          everything.append(e.getAttributes()).append(e.getBodyValue());
        }
      }
      for (MetricData m : otel.collect()) {
        for (PointData p : m.getData().getPoints()) {
          everything.append(p.getAttributes());
        }
      }
      assertFalse(everything.toString().contains("zq-"), "a literal left the process: " + everything);

      holder.rollback();
      for (Future<?> f : waiting) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @PgTest
  void openTransactionShowsInOldestTransactionAndXminAge(PgServer pg) throws Exception {
    String db = pg.createDatabase("horizon");
    try (TestTelemetry otel = new TestTelemetry(); PgIntel pgintel = activityOnly(pg, db, otel);
        Connection open = pg.connect(db)) {
      open.setAutoCommit(false);
      open.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try (Statement s = open.createStatement()) {
        s.executeQuery("SELECT txid_current()").close();
      }
      for (int i = 0; i < 5; i++) {
        pg.execute("postgres", "SELECT txid_current()");
      }
      pgintel.collectNow();
      double age0 = otel.value("postgresql.transaction.oldest.age", Map.of()).orElseThrow();
      Thread.sleep(1200);
      pgintel.collectNow();
      double age1 = otel.value("postgresql.transaction.oldest.age", Map.of()).orElseThrow();
      assertTrue(age1 >= 1.2 && age1 - age0 >= 1.0, "oldest transaction ages with the clock: " + age0 + " -> " + age1);
      assertTrue(otel.value("postgresql.xmin.age", Map.of("postgresql.xmin.holder", "backend")).orElseThrow() >= 5,
          "five transactions started after its snapshot");
      assertTrue(otel.value("postgresql.sessions.idle_in_transaction", Map.of()).orElseThrow() >= 1);
      open.rollback();
      pgintel.collectNow();
      Double after = otel.value("postgresql.transaction.oldest.age", Map.of()).orElse(0.0);
      assertTrue(after < age1, "closing the transaction lowers the oldest age: " + after);
    }
  }
}
