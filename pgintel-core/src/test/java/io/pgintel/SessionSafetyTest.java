package io.pgintel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pgintel.collect.Collector;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.collect.SqlSession;
import io.pgintel.runtime.Breakers;
import io.pgintel.runtime.CircuitBreaker;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.PostgresServers;
import io.pgintel.test.RoundTripCounter;
import io.pgintel.test.TestDataSources;
import io.pgintel.test.TestTelemetry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/** The rules of DESIGN.md's database session, proven against real servers and a real pool. */
class SessionSafetyTest {

  private static final List<String> BUILT_IN =
      List.copyOf(io.pgintel.collect.BuiltInCollectors.defaultIntervals().keySet());

  /** A collector of one query, for putting the session under stress. */
  private record QueryCollector(String name, String sql) implements Collector {
    @Override
    public Duration defaultInterval() {
      return Duration.ofSeconds(10);
    }

    @Override
    public List<? extends Record> collect(SqlSession session) throws SQLException {
      return session.query(sql, r -> new Marker(r.string("v")));
    }
  }

  private record Marker(String value) {}

  private static PgIntelBuilder only(DataSource ds, TestTelemetry otel, Collector... extra) {
    PgIntelBuilder b = PgIntel.builder().dataSource(ds).openTelemetry(otel.openTelemetry());
    for (String name : BUILT_IN) {
      b.collectorEnabled(name, false);
    }
    for (Collector c : extra) {
      b.addCollector(c);
    }
    return b;
  }

  /** A collector named {@code probe} that runs {@code work} in its session and reports nothing. */
  private static Collector probe(SessionWork work) {
    return new Collector() {
      @Override
      public String name() {
        return "probe";
      }

      @Override
      public Duration defaultInterval() {
        return Duration.ofSeconds(10);
      }

      @Override
      public List<? extends Record> collect(SqlSession session) throws SQLException {
        work.run(session);
        return List.of();
      }
    };
  }

  @FunctionalInterface
  private interface SessionWork {
    void run(SqlSession session) throws SQLException;
  }

  private static CollectorStatus status(PgIntel p, String name) {
    return p.status().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  @PgTest
  void collectionPastStatementTimeoutIsCutAndCounted(PgServer pg) {
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = only(pg.dataSource(), otel, new QueryCollector("slow", "SELECT pg_sleep(5)::text AS v"))
            .statementTimeout(Duration.ofMillis(300)).borrowTimeout(Duration.ofSeconds(10)).build()) {
      long start = System.nanoTime();
      p.collectNow();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "cut after " + took);
      CollectorStatus s = status(p, "slow");
      assertEquals(CollectorStatus.State.BACKING_OFF, s.state());
      assertTrue(s.lastError().startsWith("statement_timeout"), s.lastError());
      assertEquals(1.0, otel.value("pgintel.collector.errors",
          Map.of("pgintel.collector", "slow", "error.type", "statement_timeout")).orElseThrow());
    }
  }

  @PgTest
  void tableUnderAccessExclusiveLockDoesNotBlockCollection(PgServer pg) throws Exception {
    String db = pg.createDatabase("locked");
    // every built-in collector runs, the opt-in ones too; the locked table's pages in the buffer cache
    pg.execute(db, "CREATE TABLE hot (id int); INSERT INTO hot VALUES (1); CREATE EXTENSION pg_buffercache");
    try (Connection holder = pg.connect(db); Statement s = holder.createStatement();
        TestTelemetry otel = new TestTelemetry();
        PgIntel p = PgIntel.builder().dataSource(pg.dataSource(db)).openTelemetry(otel.openTelemetry())
            .borrowTimeout(Duration.ofSeconds(10)).collectorEnabled("plans", true)
            .collectorEnabled("buffercache", true)
            .addCollector(new QueryCollector("reads_hot", "SELECT count(*)::text AS v FROM hot")).build()) {
      holder.setAutoCommit(false);
      s.execute("LOCK TABLE hot IN ACCESS EXCLUSIVE MODE");

      long start = System.nanoTime();
      p.collectNow();
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "collection took " + took);
      for (String name : BUILT_IN) {
        assertNotNull(status(p, name).lastSuccess(), name + " should not wait on the lock");
      }
      CollectorStatus hot = status(p, "reads_hot");
      assertTrue(hot.lastError().startsWith("lock_timeout"), "gave up after lock_timeout: " + hot.lastError());
      holder.rollback();
    }
  }

  @PgTest
  void poolWithNoFreeConnectionMakesTheTickSkipWithinTheBorrowTimeout(PgServer pg) throws Exception {
    HikariConfig config = new HikariConfig();
    config.setDataSource(pg.dataSource());
    config.setMaximumPoolSize(1);
    config.setConnectionTimeout(30_000);
    try (HikariDataSource pool = new HikariDataSource(config); TestTelemetry otel = new TestTelemetry();
        PgIntel p = PgIntel.builder().dataSource(pool).openTelemetry(otel.openTelemetry())
            .borrowTimeout(Duration.ofMillis(200)).collectorEnabled("connections", false)
            .collectorEnabled("bgwriter", false).collectorEnabled("wal", false)
            .collectorEnabled("statements", false).collectorEnabled("activity", false).build()) {
      Connection app = pool.getConnection();
      long start = System.nanoTime();
      p.collectNow();
      Duration first = Duration.ofNanos(System.nanoTime() - start);
      start = System.nanoTime();
      p.collectNow();
      Duration second = Duration.ofNanos(System.nanoTime() - start);

      assertTrue(first.compareTo(Duration.ofMillis(1500)) < 0, "bounded wait, took " + first);
      assertTrue(second.compareTo(Duration.ofMillis(100)) < 0,
          "while a borrow is pending, later ticks skip at once; took " + second);
      assertEquals(2.0, otel.value("pgintel.collector.skipped",
          Map.of("pgintel.collector", "database", "pgintel.skip.reason", "pool_busy")).orElseThrow());
      assertEquals(1, pool.getHikariPoolMXBean().getActiveConnections(), "pgintel holds nothing");

      app.close();
      // the abandoned borrow gets the connection and hands it straight back
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (pool.getHikariPoolMXBean().getActiveConnections() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections());
      Thread.sleep(50);
      p.collectNow();
      assertNotNull(status(p, "database").lastSuccess());
      assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections(), "returned after the collection");
    }
  }

  @PgTest
  void collectorsSharingABorrowGoOnWhenOneLosesTheConnection(PgServer pg) throws Exception {
    HikariConfig config = new HikariConfig();
    config.setDataSource(pg.dataSource());
    config.setMaximumPoolSize(2);
    Collector killer = probe(session -> session.query("SELECT pg_terminate_backend(pg_backend_pid())::text AS v",
        r -> r.string("v")));
    try (HikariDataSource pool = new HikariDataSource(config); TestTelemetry otel = new TestTelemetry();
        PgIntel p = only(pool, otel, killer, new QueryCollector("after", "SELECT 'read'::text AS v"),
            new QueryCollector("last", "SELECT 'read'::text AS v")).build()) {
      p.collectNow();
      assertNotNull(status(p, "probe").lastError(), "the first lost its connection");
      assertNotNull(status(p, "after").lastSuccess(), () -> "borrowed again: " + status(p, "after"));
      assertNotNull(status(p, "last").lastSuccess(), () -> String.valueOf(status(p, "last")));
      assertEquals(CircuitBreaker.State.CLOSED, p.circuits().stream()
          .filter(c -> c.name().equals(Breakers.SERVER)).findFirst().orElseThrow().state(),
          "one lost connection is not a server that is down");
    }
  }

  @ParameterizedTest
  @CsvSource({"true,false,2", "false,false,4", "true,true,8", "false,true,2"})
  void borrowedConnectionComesBackExactlyAsItWasLent(boolean autoCommit, boolean readOnly, int isolation)
      throws Exception {
    PgServer pg = PostgresServers.newest();
    AtomicReference<String> inside = new AtomicReference<>();
    Collector probe = probe(session -> inside.set(session.queryOne("SELECT current_setting('transaction_read_only')"
        + " || ' ' || current_setting('statement_timeout') || ' ' || current_setting('lock_timeout') AS v",
        r -> r.string("v"))));
    try (Connection physical = pg.connect(); TestTelemetry otel = new TestTelemetry()) {
      physical.setAutoCommit(autoCommit);
      physical.setReadOnly(readOnly);
      physical.setTransactionIsolation(isolation);
      try (PgIntel p = only(TestDataSources.singleConnection(physical), otel, probe)
          .statementTimeout(Duration.ofMillis(1500)).lockTimeout(Duration.ofMillis(75)).build()) {
        p.collectNow();
        assertNotNull(status(p, "probe").lastSuccess(), () -> String.valueOf(status(p, "probe")));
      }
      assertEquals("on 1500ms 75ms", inside.get(), "read-only transaction with local timeouts");
      assertEquals(autoCommit, physical.getAutoCommit());
      assertEquals(readOnly, physical.isReadOnly());
      assertEquals(isolation, physical.getTransactionIsolation());
      assertEquals(TransactionState.IDLE, physical.unwrap(BaseConnection.class).getTransactionState(),
          "no transaction left open");
      try (Statement s = physical.createStatement(); var rs = s.executeQuery(
          "SELECT current_setting('statement_timeout'), current_setting('lock_timeout')")) {
        rs.next();
        assertEquals("0", rs.getString(1), "SET LOCAL ended with pgintel's transaction");
        assertEquals("0", rs.getString(2));
      }
      if (!autoCommit) {
        physical.rollback();
      }
    }
  }

  @Test
  void aOneQueryCollectionHoldsTheConnectionForOneRoundTrip() throws Exception {
    PgServer pg = PostgresServers.newest();
    AtomicReference<String> inside = new AtomicReference<>();
    // a parameter in the query, which travels in one text with the transaction's settings
    Collector probe = probe(session -> inside.set(session.query("SELECT current_setting('statement_timeout')"
        + " || ' ' || current_setting('transaction_read_only') || ' ' || ?::int AS v", List.of(42),
        r -> r.string("v")).get(0)));
    try (RoundTripCounter wire = new RoundTripCounter(pg.host(), pg.port());
        TestTelemetry otel = new TestTelemetry()) {
      try (Connection physical = connectThrough(wire, pg);
          PgIntel p = only(TestDataSources.singleConnection(physical), otel, probe)
              .statementTimeout(Duration.ofMillis(1500)).build()) {
        p.collectNow();
        assertEquals("1500ms on 42", inside.getAndSet(null), "the first collection, with the server's discovery");
        wire.take();
        p.collectNow();
        assertEquals("1500ms on 42", inside.get(), "the settings are in force for the query");
        // the settings and the query in one text, the server's implicit transaction ending with them
        assertEquals(1, wire.take(), "round trips of one collection");
        assertEquals(TransactionState.IDLE, physical.unwrap(BaseConnection.class).getTransactionState());
        assertTrue(physical.getAutoCommit());
      }
    }
  }

  @Test
  void everyQueryOfACollectionRunsWithTheSettingsAndEndsItsTransaction() throws Exception {
    PgServer pg = PostgresServers.newest();
    List<String> seen = new CopyOnWriteArrayList<>();
    String read = "SELECT current_setting('transaction_read_only') || ' ' || current_setting('lock_timeout') AS v";
    Collector probe = probe(session -> {
      seen.add(session.queryOne(read, r -> r.string("v")));
      seen.add(session.queryOne(read, r -> r.string("v")));
    });
    try (Connection physical = pg.connect(); TestTelemetry otel = new TestTelemetry();
        PgIntel p = only(TestDataSources.singleConnection(physical), otel, probe)
            .lockTimeout(Duration.ofMillis(75)).build()) {
      p.collectNow();
      assertNotNull(status(p, "probe").lastSuccess(), () -> String.valueOf(status(p, "probe")));
      assertEquals(List.of("on 75ms", "on 75ms"), seen, "each query carries the settings");
      assertEquals(TransactionState.IDLE, physical.unwrap(BaseConnection.class).getTransactionState());
      try (Statement s = physical.createStatement(); var rs = s.executeQuery(
          "SELECT current_setting('transaction_read_only'), current_setting('lock_timeout')")) {
        rs.next();
        assertEquals("off", rs.getString(1), "the settings ended with each query's transaction");
        assertEquals("0", rs.getString(2));
      }
    }
  }

  @Test
  void pgintelsStatementsNeverBecomePreparedStatementsOfTheApplicationsBackend() throws Exception {
    PgServer pg = PostgresServers.newest();
    String read = "SELECT current_setting('lock_timeout') || ' ' || ?::int AS v";
    Collector probe = probe(session -> {
      for (int i = 0; i < 3; i++) {
        session.query(read, List.of(i), r -> r.string("v"));
        session.queryOne("SELECT current_setting('transaction_read_only') AS v", r -> r.string("v"));
      }
    });
    try (Connection physical = pg.connect(); TestTelemetry otel = new TestTelemetry();
        PgIntel p = only(TestDataSources.singleConnection(physical), otel, probe).build()) {
      for (int i = 0; i < 3; i++) {
        p.collectNow();
      }
      assertNotNull(status(p, "probe").lastSuccess(), () -> String.valueOf(status(p, "probe")));
      // nine executions of each text on this connection, pgjdbc's threshold (5) passed
      assertEquals(List.of(), prepared(physical), "server-prepared statements of pgintel's in the backend");
      // the same connection prepares the application's statements as before
      for (int i = 0; i < 6; i++) {
        try (PreparedStatement ps = physical.prepareStatement("SELECT ?::int + 1")) {
          ps.setInt(1, i);
          ps.executeQuery().close();
        }
      }
      assertEquals(List.of("SELECT $1::int + 1"), prepared(physical), "the application's statement, prepared");
    }
  }

  @Test
  void pgintelsStatementsStayOneShotOnEveryCopyOfTheDriverInTheJvm() throws Exception {
    PgServer pg = PostgresServers.newest();
    Collector probe = probe(session -> {
      for (int i = 0; i < 3; i++) {
        session.queryOne("SELECT current_setting('transaction_read_only') AS v", r -> r.string("v"));
      }
    });
    // a second pgjdbc, as a second application (or the agent's own copy) holds it: its classes are other classes
    URL jar = org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar}, ClassLoader.getPlatformClassLoader())) {
      Class<?> type = Class.forName("org.postgresql.Driver", true, loader);
      type.getMethod("deregister").invoke(null);
      Driver copy = (Driver) type.getDeclaredConstructor().newInstance();
      Properties info = new Properties();
      info.setProperty("user", pg.user());
      if (pg.password() != null) {
        info.setProperty("password", pg.password());
      }
      // either order: whichever copy pgintel met first, the other one's statements are one-shot as well
      for (Connection physical : List.of(copy.connect(pg.jdbcUrl("postgres"), info), pg.connect(),
          copy.connect(pg.jdbcUrl("postgres"), info))) {
        try (physical; TestTelemetry otel = new TestTelemetry();
            PgIntel p = only(TestDataSources.singleConnection(physical), otel, probe).build()) {
          for (int i = 0; i < 3; i++) {
            p.collectNow();
          }
          assertNotNull(status(p, "probe").lastSuccess(), () -> String.valueOf(status(p, "probe")));
          assertEquals(List.of(), prepared(physical), "server-prepared statements of pgintel's through "
              + physical.getClass().getClassLoader());
        }
      }
    }
  }

  private static List<String> prepared(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT statement FROM pg_prepared_statements ORDER BY prepare_time")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Test
  void aStatementThatNeedsATransactionBlockGetsOneAndTheConnectionComesBackInAutocommit() throws Exception {
    PgServer pg = PostgresServers.newest();
    List<String> seen = new CopyOnWriteArrayList<>();
    Collector probe = probe(session -> {
      seen.add(session.queryOne("SELECT current_setting('lock_timeout') AS v", r -> r.string("v")));
      session.execute("SAVEPOINT probe");
      seen.addAll(session.execute("SELECT current_setting('transaction_read_only') || ' '"
          + " || current_setting('lock_timeout')"));
      seen.addAll(session.execute("SELECT transaction_timestamp()::text"));
      session.execute("RELEASE SAVEPOINT probe");
      seen.add(session.queryOne("SELECT transaction_timestamp()::text AS v", r -> r.string("v")));
    });
    try (Connection physical = pg.connect(); TestTelemetry otel = new TestTelemetry();
        PgIntel p = only(TestDataSources.singleConnection(physical), otel, probe)
            .lockTimeout(Duration.ofMillis(75)).build()) {
      p.collectNow();
      assertNotNull(status(p, "probe").lastSuccess(), () -> String.valueOf(status(p, "probe")));
      assertEquals(List.of("75ms", "on 75ms"), seen.subList(0, 2));
      assertEquals(seen.get(2), seen.get(3), "the query after the savepoint ran in the savepoint's transaction");
      assertTrue(physical.getAutoCommit(), "autocommit restored");
      assertEquals(TransactionState.IDLE, physical.unwrap(BaseConnection.class).getTransactionState(),
          "the transaction was ended");
    }
  }

  @Test
  void anActivitySampleHoldsTheConnectionForOneRoundTrip() throws Exception {
    PgServer pg = PostgresServers.newest();
    try (RoundTripCounter wire = new RoundTripCounter(pg.host(), pg.port());
        TestTelemetry otel = new TestTelemetry()) {
      try (Connection physical = connectThrough(wire, pg);
          PgIntel p = only(TestDataSources.singleConnection(physical), otel)
              .collectorEnabled("activity", true).build()) {
        p.collectNow();
        wire.take();
        p.collectNow();
        assertNotNull(status(p, "activity").lastSuccess(), () -> String.valueOf(status(p, "activity")));
        // the sessions and the transaction horizon in one query, sent with the settings
        assertEquals(1, wire.take(), "round trips of one activity sample with no session waiting on a lock");
      }
    }
  }

  /** A connection to {@code pg} whose round trips {@code wire} counts. */
  private static Connection connectThrough(RoundTripCounter wire, PgServer pg) throws SQLException {
    return pg.connectVia("127.0.0.1", wire.port(), "postgres");
  }

  @Test
  void aCollectionNeverAsksTheServerForTheIsolationLevel() throws Exception {
    // pgjdbc answers getTransactionIsolation() with a SHOW round trip; pgintel never changes the level, so a
    // collection has no reason to read it, before or after
    for (boolean autoCommit : new boolean[] {true, false}) {
      List<String> calls = callsOfOneCollection(autoCommit);
      assertFalse(calls.contains("getTransactionIsolation") || calls.contains("setTransactionIsolation"),
          () -> String.valueOf(calls));
    }
  }

  @Test
  void anAutocommitConnectionIsNeitherSwitchedNorCommitted() throws Exception {
    // each query its own implicit transaction: no setAutoCommit for the pool to reset, no COMMIT round trip
    List<String> calls = callsOfOneCollection(true);
    assertFalse(calls.contains("setAutoCommit") || calls.contains("commit") || calls.contains("rollback"),
        () -> String.valueOf(calls));
  }

  /** The {@link Connection} methods pgintel calls for its first collection (discovery and one query). */
  private static List<String> callsOfOneCollection(boolean autoCommit) throws Exception {
    PgServer pg = PostgresServers.newest();
    List<String> calls = new CopyOnWriteArrayList<>();
    Collector probe = probe(session -> session.queryOne("SELECT 1 AS v", r -> r.string("v")));
    try (Connection physical = pg.connect(); TestTelemetry otel = new TestTelemetry()) {
      physical.setAutoCommit(autoCommit);
      Connection recording = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
          new Class<?>[] {Connection.class}, (proxy, method, args) -> {
            calls.add(method.getName());
            try {
              return method.invoke(physical, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
      try (PgIntel p = only(TestDataSources.singleConnection(recording), otel, probe).build()) {
        p.collectNow();
        assertNotNull(status(p, "probe").lastSuccess(), () -> String.valueOf(status(p, "probe")));
      }
    }
    assertTrue(calls.contains("prepareStatement"), () -> "the collection ran through this connection: " + calls);
    return calls;
  }

  @Test
  void stoppedServerNeverThrowsIntoTheCallerAndCollectionResumes() throws Exception {
    assumeTrue(System.getenv("PGINTEL_TEST_JDBC_URL") == null, "needs an embedded server it can stop");
    PgServer pg = PostgresServers.startPrivate(PostgresServers.newest().majorVersion());
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = PgIntel.builder().dataSource(pg.dataSource()).openTelemetry(otel.openTelemetry())
            .borrowTimeout(Duration.ofSeconds(10)).build()) {
      p.start();
      p.collectNow();
      assertTrue(otel.value("postgresql.commits", Map.of("db.namespace", "postgres")).isPresent());

      pg.stop();
      p.collectNow();
      CollectorStatus down = status(p, "database");
      assertEquals(CollectorStatus.State.BACKING_OFF, down.state());
      assertTrue(down.lastError().startsWith("connection"), down.lastError());
      assertTrue(otel.value("pgintel.collector.errors",
          Map.of("pgintel.collector", "database", "error.type", "connection")).orElseThrow() >= 1);
      assertEquals(0.0, otel.value("pgintel.collector.up", Map.of("pgintel.collector", "database")).orElseThrow());

      pg.start();
      p.collectNow();
      assertEquals(CollectorStatus.State.ACTIVE, status(p, "database").state());
      assertEquals(1.0, otel.value("pgintel.collector.up", Map.of("pgintel.collector", "database")).orElseThrow());
    } finally {
      pg.stop();
    }
  }
}
