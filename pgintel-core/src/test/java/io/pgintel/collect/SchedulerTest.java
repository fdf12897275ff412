package io.pgintel.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.pgintel.PgIntel;
import io.pgintel.PgIntelBuilder;
import io.pgintel.internal.OwnConnection;
import io.pgintel.runtime.Breakers;
import io.pgintel.runtime.Leadership;
import io.pgintel.test.CapturedStderr;
import io.pgintel.test.PgServer;
import io.pgintel.test.TestDataSources;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(io.pgintel.test.PostgresExtension.class)
class SchedulerTest {

  /** A collector whose behaviour a test scripts; it records when and where it ran. */
  private static class Scripted implements Collector {
    final String name;
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final List<Long> starts = new CopyOnWriteArrayList<>();
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    final AtomicBoolean fail = new AtomicBoolean();
    volatile long sleepMillis;

    Scripted() {
      this("scripted");
    }

    Scripted(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Duration defaultInterval() {
      return Duration.ofMillis(100);
    }

    @Override
    public List<? extends Record> collect(SqlSession session) throws SQLException {
      starts.add(System.nanoTime());
      threads.add(Thread.currentThread());
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        if (sleepMillis > 0) {
          Thread.sleep(sleepMillis);
        }
        if (fail.get()) {
          throw new SQLException("scripted failure", "XX000");
        }
        return List.of();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      } finally {
        running.decrementAndGet();
      }
    }
  }

  private static PgIntel start(PgServer pg, TestTelemetry otel, Scripted c, Duration interval) {
    PgIntel p = PgIntel.builder().dataSource(pg.dataSource()).openTelemetry(otel.openTelemetry())
        .borrowTimeout(Duration.ofSeconds(5)).setting("pgintel.backoff.max", "1s")
        .collectorEnabled("database", false).collectorEnabled("connections", false)
        .collectorEnabled("bgwriter", false).collectorEnabled("wal", false)
        .collectorEnabled("statements", false).collectorEnabled("activity", false)
        .addCollector(c).collectorInterval("scripted", interval).build();
    p.start();
    return p;
  }

  /** {@code fast} every {@code fastInterval}, {@code slow} every second tick of it, nothing else. */
  private static PgIntel startTwo(DataSource ds, TestTelemetry otel, Scripted fast, Scripted slow,
      Duration fastInterval) {
    PgIntelBuilder b = PgIntel.builder().dataSource(ds).openTelemetry(otel.openTelemetry())
        .borrowTimeout(Duration.ofSeconds(5));
    for (String name : BuiltInCollectors.defaultIntervals().keySet()) {
      b.collectorEnabled(name, false);
    }
    PgIntel p = b.addCollector(fast).collectorInterval(fast.name(), fastInterval)
        .addCollector(slow).collectorInterval(slow.name(), fastInterval.multipliedBy(2)).build();
    p.start();
    return p;
  }

  /** Runs {@code fast} every 250 ms and {@code slow} every 500 ms for 1.6 s; returns how often they borrowed. */
  private static int borrowsOfTwo(PgServer pg, Scripted fast, Scripted slow) throws Exception {
    AtomicInteger borrows = new AtomicInteger();
    DataSource counting = TestDataSources.counting(pg.dataSource(), borrows);
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = startTwo(counting, otel, fast, slow, Duration.ofMillis(250))) {
      Thread.sleep(1600);
    }
    assertTrue(slow.starts.size() >= 3, "slow runs: " + slow.starts.size());
    return borrows.get();
  }

  @Test
  void collectorsDueAtTheSameMomentShareOneBorrow(PgServer pg) throws Exception {
    Scripted fast = new Scripted("fast");
    Scripted slow = new Scripted("slow");
    int borrows = borrowsOfTwo(pg, fast, slow);
    // every tick of slow is also one of fast's: it never borrows on its own
    assertEquals(fast.starts.size(), borrows,
        "borrows for " + fast.starts.size() + " + " + slow.starts.size() + " collections");
    for (Thread t : slow.threads) {
      assertTrue(fast.threads.contains(t), "slow ran on the session thread fast ran on");
    }
  }

  @Test
  void collectorsDueTogetherThatHoldTheConnectionLongBorrowOneAfterTheOther(PgServer pg) throws Exception {
    Scripted fast = new Scripted("fast");
    Scripted slow = new Scripted("slow");
    fast.sleepMillis = 30;
    slow.sleepMillis = 30;
    int borrows = borrowsOfTwo(pg, fast, slow);
    // 60 ms together is past the 50-ms budget: only the first tick, before either was timed, shares a borrow
    assertEquals(fast.starts.size() + slow.starts.size() - 1, borrows,
        "borrows for " + fast.starts.size() + " + " + slow.starts.size() + " collections");
  }

  @Test
  void aSlowCompanionMakesAFastCollectorLateButSkipsNoneOfItsTicks(PgServer pg) throws Exception {
    Scripted fast = new Scripted("fast");
    Scripted slow = new Scripted("slow");
    slow.sleepMillis = 450;
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = startTwo(pg.dataSource(), otel, fast, slow, Duration.ofMillis(400))) {
      Thread.sleep(2500);
      p.close();
      // fast runs first in each shared borrow; its next tick (400 ms on) is due before slow is done, so it runs
      // as soon as the batch ends instead of being counted as missed
      assertEquals(0.0, otel.value("pgintel.collector.skipped",
          Map.of("pgintel.collector", "fast", "pgintel.skip.reason", "overrun")).orElse(0.0),
          "fast ran " + fast.starts.size() + " times");
      assertTrue(fast.starts.size() >= 6, "fast runs: " + fast.starts.size());
    }
  }

  @Test
  void slowCollectorNeverOverlapsItselfAndCountsMissedTicks(PgServer pg) throws Exception {
    Scripted c = new Scripted();
    c.sleepMillis = 250;
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = start(pg, otel, c, Duration.ofMillis(100))) {
      Thread.sleep(1600);
      p.close();
      assertEquals(1, c.maxRunning.get(), "ran concurrently with itself");
      assertTrue(c.starts.size() >= 3 && c.starts.size() <= 7, "runs: " + c.starts.size());
      double overruns = otel.value("pgintel.collector.skipped",
          Map.of("pgintel.collector", "scripted", "pgintel.skip.reason", "overrun")).orElseThrow();
      assertTrue(overruns >= 4, "missed ticks are counted: " + overruns);
      for (Thread t : c.threads) {
        assertTrue(t.getName().startsWith("pgintel-session-"), t.getName());
        assertTrue(t.isDaemon(), t.getName() + " must not keep the JVM alive");
      }
    }
  }

  @Test
  void ticksStayOnAFixedGridWithoutDrift(PgServer pg) throws Exception {
    Scripted c = new Scripted();
    long interval = Duration.ofMillis(200).toNanos();
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = start(pg, otel, c, Duration.ofNanos(interval))) {
      Thread.sleep(1500);
      p.close();
      List<Long> starts = List.copyOf(c.starts);
      assertTrue(starts.size() >= 6, "runs: " + starts.size());
      // the first run also discovers the server, so its collect() starts late: measure from the second
      long t1 = starts.get(1);
      for (int k = 2; k < starts.size(); k++) {
        long offset = starts.get(k) - t1 - (k - 1) * interval;
        // session set-up sits between the tick and collect(); lateness must not accumulate from tick to tick
        assertTrue(Math.abs(offset) < Duration.ofMillis(150).toNanos(),
            "tick " + k + " is off the grid by " + offset / 1_000_000 + " ms");
      }
    }
  }

  @Test
  void failingCollectorBacksOffExponentiallyAndReturnsToItsGrid(PgServer pg) throws Exception {
    Scripted c = new Scripted();
    c.fail.set(true);
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = start(pg, otel, c, Duration.ofMillis(100))) {
      Thread.sleep(2600);
      int attempts = c.starts.size();
      // waits of 100, 200, 400, 800 and then 1000 ms (pgintel.backoff.max) instead of 25 ticks of 100 ms
      assertTrue(attempts >= 4 && attempts <= 8, "attempts while failing: " + attempts);
      CollectorStatus failing = p.status().stream().filter(s -> s.name().equals("scripted")).findFirst()
          .orElseThrow();
      assertEquals(CollectorStatus.State.BACKING_OFF, failing.state());
      assertEquals(attempts, failing.consecutiveFailures(), 1.0);

      c.fail.set(false);
      Thread.sleep(1500);
      int before = c.starts.size();
      Thread.sleep(1000);
      int recovered = c.starts.size() - before;
      assertTrue(recovered >= 8, "back on its 100 ms grid: " + recovered + " runs in 1 s");
      assertEquals(CollectorStatus.State.ACTIVE,
          p.status().stream().filter(s -> s.name().equals("scripted")).findFirst().orElseThrow().state());
    }
  }

  /**
   * {@code c} alone, every 100 ms, on {@code pool}: a borrow given up after 100 ms, a pool found exhausted counting
   * for 1 s.
   */
  private static PgIntelBuilder onPool(HikariDataSource pool, TestTelemetry otel, Scripted c) {
    PgIntelBuilder b = PgIntel.builder().borrowTimeout(Duration.ofMillis(100))
        .exhaustedPoolInterval(Duration.ofSeconds(1));
    for (String name : BuiltInCollectors.defaultIntervals().keySet()) {
      b.collectorEnabled(name, false);
    }
    return b.dataSource(pool).openTelemetry(otel.openTelemetry()).addCollector(c)
        .collectorInterval(c.name(), Duration.ofMillis(100));
  }

  @Test
  void aCollectorYieldsToAnExhaustedPoolAndBorrowsAtMostOncePerExhaustedPoolInterval(PgServer pg) throws Exception {
    Scripted c = new Scripted();
    // the test's own borrows below may wait for a collection to hand its connection back
    try (HikariDataSource pool = TestDataSources.hikari(pg.dataSource(), 2, 1000);
        TestTelemetry otel = new TestTelemetry();
        PgIntel p = onPool(pool, otel, c).build()) {
      p.start();
      Thread.sleep(700);
      assertTrue(c.starts.size() >= 4, "a pool with connections to spare: every tick, ran " + c.starts.size());

      List<Connection> lent = new ArrayList<>(List.of(pool.getConnection(), pool.getConnection()));
      // a collection that had its connection before may still end
      Thread.sleep(150);
      int ranBefore = c.starts.size();
      Map<String, Object> exhausted = Map.of("pgintel.collector", c.name(), "pgintel.skip.reason", "pool_exhausted");
      Map<String, Object> busy = Map.of("pgintel.collector", c.name(), "pgintel.skip.reason", "pool_busy");
      double yieldedBefore = otel.value("pgintel.collector.skipped", exhausted).orElse(0.0);
      Thread.sleep(2500);
      double yielded = otel.value("pgintel.collector.skipped", exhausted).orElse(0.0) - yieldedBefore;
      double triedAndBusy = otel.value("pgintel.collector.skipped", busy).orElse(0.0);
      assertEquals(ranBefore, c.starts.size(), "no connection to run with");
      // 25 ticks: about one borrow attempt a second, each skipped as pool_busy; the rest never asked the pool
      assertTrue(triedAndBusy >= 1 && triedAndBusy <= 4, "borrow attempts while exhausted: " + triedAndBusy);
      assertTrue(yielded >= 14, "ticks that did not borrow: " + yielded);

      for (Connection l : lent) {
        l.close();
      }
      // found exhausted up to the release: it still counts for one exhausted-pool interval, then every tick again
      Thread.sleep(300);
      int afterRelease = c.starts.size();
      assertTrue(afterRelease - ranBefore <= 1, "at most the one borrow a second: " + (afterRelease - ranBefore));
      Thread.sleep(1300);
      int resumed = c.starts.size();
      Thread.sleep(600);
      assertTrue(c.starts.size() - resumed >= 4, "every tick again: " + (c.starts.size() - resumed));
    }
  }
  @Test
  void whileThePoolIsExhaustedEveryTickReadsThroughTheExhaustedPoolDataSourceAndNoneWaitsForThePool(PgServer pg)
      throws Exception {
    Scripted c = new Scripted();
    AtomicInteger ownConnections = new AtomicInteger();
    java.util.Properties info = new java.util.Properties();
    info.setProperty("user", pg.user());
    // a session that stays open, as pgintel's own do: a connect per tick could outlast the 100 ms borrow timeout
    // on a busy machine, and this test is about where ticks read, not how fast a server accepts connections
    try (OwnConnection session = OwnConnection.through(new org.postgresql.Driver(), pg.jdbcUrl("postgres"), info,
            "postgres", Duration.ofSeconds(60), OwnConnection.IDLE);
        HikariDataSource pool = TestDataSources.hikari(pg.dataSource(), 2, 1000);
        TestTelemetry otel = new TestTelemetry();
        PgIntel p = onPool(pool, otel, c)
            .exhaustedPoolDataSource(TestDataSources.counting(session, ownConnections)).build()) {
      session.getConnection().close();
      p.start();
      Thread.sleep(700);
      assertTrue(c.starts.size() >= 4, "a pool with connections to spare: every tick, ran " + c.starts.size());
      assertEquals(0, ownConnections.get(), "a pool with a connection to spare is borrowed from");

      List<Connection> lent = new ArrayList<>(List.of(pool.getConnection(), pool.getConnection()));
      Thread.sleep(150);
      // a tick that chose the pool a moment before the test took its last connection may have timed out waiting:
      // that is the race of taking them, not what this test is about; from here on none may
      Map<String, Double> skippedBefore = new java.util.HashMap<>();
      for (String reason : List.of("pool_exhausted", "pool_busy")) {
        skippedBefore.put(reason, otel.value("pgintel.collector.skipped",
            Map.of("pgintel.collector", c.name(), "pgintel.skip.reason", reason)).orElse(0.0));
      }
      int ranBefore = c.starts.size();
      Thread.sleep(2500);
      int ran = c.starts.size() - ranBefore;
      assertTrue(ran >= 15, "every tick through pgintel's own DataSource: " + ran + " runs in 2.5 s");
      assertTrue(ownConnections.get() >= ran - 1, "own connections " + ownConnections.get() + " for " + ran);
      for (String reason : List.of("pool_exhausted", "pool_busy")) {
        assertEquals(skippedBefore.get(reason), otel.value("pgintel.collector.skipped",
            Map.of("pgintel.collector", c.name(), "pgintel.skip.reason", reason)).orElse(0.0), reason);
      }
      assertEquals(0, pool.getHikariPoolMXBean().getThreadsAwaitingConnection(), "nothing waits for the pool");

      for (Connection l : lent) {
        l.close();
      }
      // found exhausted up to the release: the own DataSource for one more exhausted-pool interval, then the pool
      Thread.sleep(1500);
      int own = ownConnections.get();
      int resumed = c.starts.size();
      Thread.sleep(600);
      assertTrue(c.starts.size() - resumed >= 4, "every tick: " + (c.starts.size() - resumed));
      assertEquals(own, ownConnections.get(), "back to the pool once it has a connection to spare again");
    }
  }

  @Test
  void pgintelsOwnSessionClosesOnceUnusedForItsIdleTimeWhileThePoolHasConnectionsToSpareAgain(PgServer pg)
      throws Exception {
    Scripted c = new Scripted();
    java.util.Properties info = new java.util.Properties();
    info.setProperty("user", pg.user());
    try (HikariDataSource pool = TestDataSources.hikari(pg.dataSource(), 2, 1000);
        OwnConnection own = OwnConnection.through(new org.postgresql.Driver(), pg.jdbcUrl("postgres"), info,
            "postgres", Duration.ofSeconds(60), Duration.ofMillis(1500));
        TestTelemetry otel = new TestTelemetry();
        PgIntel p = onPool(pool, otel, c).exhaustedPoolDataSource(own).build()) {
      p.start();
      List<Connection> lent = new ArrayList<>(List.of(pool.getConnection(), pool.getConnection()));
      Thread.sleep(1500);
      assertEquals(1, ownSessions(pg), "read through pgintel's own session while the pool is exhausted");
      for (Connection l : lent) {
        l.close();
      }
      // the own session for one more exhausted-pool interval (1 s), then unused for its idle time (1.5 s)
      Thread.sleep(2000);
      assertEquals(1, ownSessions(pg), "kept open for its idle time");
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (ownSessions(pg) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(0, ownSessions(pg), "closed once unused for its idle time, the pool having connections to spare");
      int ran = c.starts.size();
      Thread.sleep(500);
      assertTrue(c.starts.size() - ran >= 3, "collections go on, through the pool");
    }
  }

  private static int ownSessions(PgServer pg) throws SQLException {
    try (Connection c = pg.dataSource().getConnection(); java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
            + OwnConnection.APPLICATION_NAME + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void aFlappingCollectorSaysItsFailureAndRecoveryOnceAMinuteNotAtEveryFlap(PgServer pg) throws Exception {
    Scripted c = new Scripted();
    String log;
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel))
        .setting("pgintel.circuit.enabled", false).addCollector(c).build()) {
      log = CapturedStderr.during(() -> {
        for (int flap = 0; flap < 4; flap++) {
          c.fail.set(true);
          p.collectNow();
          c.fail.set(false);
          p.collectNow();
        }
      });
    }
    assertEquals(1, CapturedStderr.count(log, "collector 'scripted' failed"), log);
    assertEquals(1, CapturedStderr.count(log, "collector 'scripted' recovered"), log);
  }

  @Test
  void aPoolTheApplicationClosedIsSkippedNotFailed(PgServer pg) throws Exception {
    Scripted c = new Scripted();
    try (HikariDataSource pool = TestDataSources.hikari(pg.dataSource(), 2, 1000);
        TestTelemetry otel = new TestTelemetry();
        PgIntel p = onPool(pool, otel, c).build()) {
      p.start();
      Thread.sleep(500);
      int ran = c.starts.size();
      assertTrue(ran >= 2, "ran " + ran);
      // the application shuts down before pgintel does
      pool.close();
      Thread.sleep(800);
      assertTrue(c.starts.size() - ran <= 1, "nothing runs on a closed pool: " + (c.starts.size() - ran));
      assertTrue(otel.value("pgintel.collector.skipped", Map.of("pgintel.collector", c.name(),
          "pgintel.skip.reason", "pool_closed")).orElse(0.0) >= 4, "ticks skipped as pool_closed");
      assertTrue(otel.points("pgintel.collector.errors", Map.of("pgintel.collector", c.name())).isEmpty(),
          "the application's shutdown is no failure of pgintel's");
      assertEquals(0, p.status().stream().filter(s -> s.name().equals(c.name())).findFirst().orElseThrow()
          .consecutiveFailures());
    }
  }

  @Test
  void anExhaustedPoolDataSourceThatCannotConnectIsLeftAloneAndCollectorsYieldToTheExhaustedPoolAsWithoutIt(
      PgServer pg) throws Exception {
    Scripted c = new Scripted();
    AtomicInteger ownConnections = new AtomicInteger();
    org.postgresql.ds.PGSimpleDataSource refused = new org.postgresql.ds.PGSimpleDataSource();
    refused.setUrl("jdbc:postgresql://127.0.0.1:1/postgres");
    try (HikariDataSource pool = TestDataSources.hikari(pg.dataSource(), 2, 1000);
        TestTelemetry otel = new TestTelemetry();
        PgIntel p = onPool(pool, otel, c)
            .exhaustedPoolDataSource(TestDataSources.counting(refused, ownConnections)).build()) {
      p.start();
      Thread.sleep(500);
      List<Connection> lent = new ArrayList<>(List.of(pool.getConnection(), pool.getConnection()));
      Thread.sleep(2500);
      assertEquals(1, ownConnections.get(), "tried once, then left alone for " + SessionFactory.OWN_RETRY);
      double yielded = otel.value("pgintel.collector.skipped",
          Map.of("pgintel.collector", c.name(), "pgintel.skip.reason", "pool_exhausted")).orElse(0.0);
      assertTrue(yielded >= 14, "ticks that yielded to the exhausted pool as without it: " + yielded);
      double busy = otel.value("pgintel.collector.skipped",
          Map.of("pgintel.collector", c.name(), "pgintel.skip.reason", "pool_busy")).orElse(0.0);
      // the tick whose own connection failed, and about one borrow attempt a second
      assertTrue(busy >= 1 && busy <= 5, "ticks skipped as busy: " + busy);
      assertEquals(0.0, otel.value("pgintel.collector.errors", Map.of("pgintel.collector", c.name(),
          "error.type", "connection")).orElse(0.0), "a failed own connection is no failed collection");
      for (Connection l : lent) {
        l.close();
      }
    }
  }

  /**
   * A collector's work without the database ({@link Collector#beforeSession}, the activity sampler's stack walks)
   * runs before its connection is borrowed: no pool connection waits on it.
   */
  @Test
  void workWithoutTheDatabaseRunsBeforeTheConnectionIsBorrowed(PgServer pg) throws Exception {
    List<Integer> lentBefore = new CopyOnWriteArrayList<>();
    List<Integer> lentDuring = new CopyOnWriteArrayList<>();
    try (HikariDataSource pool = TestDataSources.hikari(pg.dataSource(), 2, 5000)) {
      Scripted c = new Scripted("walker") {
        @Override
        public void beforeSession() {
          lentBefore.add(pool.getHikariPoolMXBean().getActiveConnections());
        }

        @Override
        public List<? extends Record> collect(SqlSession session) throws SQLException {
          lentDuring.add(pool.getHikariPoolMXBean().getActiveConnections());
          return super.collect(session);
        }
      };
      PgIntelBuilder b = TestPgIntel.only(PgIntel.builder().dataSource(pool).borrowTimeout(Duration.ofSeconds(5))
          .openTelemetry(new TestTelemetry().openTelemetry()));
      try (PgIntel p = b.addCollector(c).collectorInterval("walker", Duration.ofMillis(100)).build()) {
        p.start();
        p.collectNow();
        Thread.sleep(500);
      }
    }
    assertTrue(lentBefore.size() >= 3, "ran " + lentBefore.size() + " times");
    assertEquals(List.of(0), lentBefore.stream().distinct().toList(), "nothing lent before: " + lentBefore);
    assertEquals(List.of(1), lentDuring.stream().distinct().toList(), "one lent during: " + lentDuring);
  }
  @Test
  void aCollectorWhoseTicksAreAllSkippedForAMinuteIsStalledAndSaysSoThenActiveOnceItReadsAgain(PgServer pg)
      throws Exception {
    Scripted c = new Scripted();
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    List<String> skipped = new CopyOnWriteArrayList<>();
    CollectionListener listener = new CollectionListener() {
      @Override
      public void collected(String collector, List<? extends Record> records, Instant at, Duration interval,
          Duration took) {
      }

      @Override
      public void failed(String collector, String errorType, Duration took) {
      }

      @Override
      public void skipped(String collector, String reason) {
        skipped.add(reason);
      }
    };
    Duration tick = Duration.ofMillis(100);
    try (HikariDataSource pool = TestDataSources.hikari(pg.dataSource(), 1, 1000)) {
      SessionFactory sessions = new SessionFactory(pool, tick, Duration.ofSeconds(5), Duration.ofSeconds(1));
      Scheduler s = new Scheduler(sessions, List.of(new Scheduler.Scheduled(c, tick)), List.of(), listener,
          Duration.ofSeconds(1), tick, new Breakers(false, 1, 80, 90, tick, tick, null), Leadership.ALWAYS,
          now::get);
      try {
        s.start();
        Thread.sleep(400);
        assertTrue(c.starts.size() >= 2, "ran " + c.starts.size());
        assertEquals(CollectorStatus.State.ACTIVE, s.status().get(0).state());

        // the application holds the pool's one connection: every tick is skipped, nothing fails
        Connection lent = pool.getConnection();
        Thread.sleep(300);
        int ran = c.starts.size();
        now.set(now.get().plusSeconds(30));
        Thread.sleep(300);
        assertEquals(CollectorStatus.State.ACTIVE, s.status().get(0).state(), "within a minute of its reading");
        String log = CapturedStderr.during(() -> {
          now.set(now.get().plusSeconds(31));
          Thread.sleep(600);
        });
        CollectorStatus stalled = s.status().get(0);
        assertEquals(CollectorStatus.State.STALLED, stalled.state());
        assertEquals(0, stalled.consecutiveFailures());
        assertEquals(ran, c.starts.size(), "no connection to run with");
        assertTrue(skipped.contains("pool_busy"), "skipped: " + skipped);
        assertEquals(1, CapturedStderr.count(log, "collector 'scripted' has read nothing for 61 s"), log);

        lent.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        // its reading counts once the collection has ended, a moment after it began
        while (s.status().get(0).state() != CollectorStatus.State.ACTIVE && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertTrue(c.starts.size() > ran, "ran again");
        assertEquals(CollectorStatus.State.ACTIVE, s.status().get(0).state(), "reading again");
      } finally {
        s.close();
      }
    }
  }
}
