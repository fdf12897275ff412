package io.pgintel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.pgintel.collect.Collector;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.collect.SqlSession;
import io.pgintel.internal.OwnConnection;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * {@code pgintel.leader-election.*}: several instances of one application on one database, on a real server. Each
 * test has a database of its own: advisory locks belong to a database.
 */
class LeaderElectionTest {

  private static final Map<String, Object> STANDBY = Map.of("pgintel.collector", "database", "pgintel.skip.reason",
      "standby");

  /** A collector of the application's that counts its collections and resets: what asks the server, and when. */
  private static final class Counting implements Collector {
    final AtomicInteger collections = new AtomicInteger();
    final AtomicInteger resets = new AtomicInteger();

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public Duration defaultInterval() {
      return Duration.ofMillis(200);
    }

    @Override
    public void reset() {
      resets.incrementAndGet();
    }

    @Override
    public List<? extends Record> collect(SqlSession session) {
      collections.incrementAndGet();
      return List.of();
    }
  }

  /** One instance of the application: its pool, its telemetry, its pgintel and its counting collector. */
  private record Instance(DataSource pool, TestTelemetry otel, PgIntel pgintel, Counting counting)
      implements AutoCloseable {

    CollectorStatus database() {
      return pgintel.status().stream().filter(s -> s.name().equals("database")).findFirst().orElseThrow();
    }

    /** Whether it collects: it leads (or could not take part in the election). */
    boolean leads() {
      return database().state() != CollectorStatus.State.STANDBY;
    }

    boolean reported() {
      return otel.value("postgresql.database.count", Map.of()).isPresent();
    }

    @Override
    public void close() {
      pgintel.close();
      otel.close();
      if (pool instanceof HikariDataSource h) {
        h.close();
      }
    }
  }

  private static Instance start(DataSource pool, String group) {
    return start(pool, group, null);
  }

  private static Instance start(DataSource pool, String group, DataSource exhaustedPool) {
    TestTelemetry otel = new TestTelemetry();
    Counting counting = new Counting();
    PgIntelBuilder b = PgIntel.builder().dataSource(pool).openTelemetry(otel.openTelemetry())
        .borrowTimeout(Duration.ofSeconds(10)).addCollector(counting)
        .collectorInterval("database", Duration.ofMillis(200))
        .setting("pgintel.leader-election.enabled", "true")
        .setting("pgintel.leader-election.group", group)
        .setting("pgintel.leader-election.interval", "1s");
    for (String name : io.pgintel.collect.BuiltInCollectors.defaultIntervals().keySet()) {
      b.collectorEnabled(name, name.equals("database"));
    }
    if (exhaustedPool != null) {
      b.exhaustedPoolDataSource(exhaustedPool);
    }
    PgIntel p = b.build();
    p.start();
    return new Instance(pool, otel, p, counting);
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 20 s for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static List<Instance> leaders(List<Instance> instances) {
    return instances.stream().filter(Instance::leads).toList();
  }

  /** The sessions that hold the group's advisory lock in {@code db}: pid and application_name. */
  private static List<String> lockHolders(PgServer pg, String db, String group) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = pg.connect(db); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT a.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a"
            + " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 7366505 AND l.objid = ("
            + group.hashCode() + ")::oid AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE"
            + " datname = current_database())")) {
      while (r.next()) {
        out.add(r.getInt(1) + " " + r.getString(2));
      }
    }
    return out;
  }

  /** Sessions named pgintel in {@code db} but the test's. */
  private static int ownSessions(PgServer pg, String db) {
    try (Connection c = pg.connect(db); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND application_name = 'pgintel' AND pid <> pg_backend_pid()")) {
      r.next();
      return r.getInt(1);
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }

  /** pgintel's own session to {@code db}, as the agent hands it over; the URL may point elsewhere. */
  private static OwnConnection ownSession(PgServer pg, String url, String db) {
    Properties info = new Properties();
    info.setProperty("user", pg.user());
    if (pg.password() != null) {
      info.setProperty("password", pg.password());
    }
    return OwnConnection.through(new org.postgresql.Driver(), url, info, db, Duration.ofSeconds(60),
        Duration.ofMinutes(10));
  }

  @PgTest
  void oneInstanceCollectsTheOthersStandByUnaskedAndAnotherTakesOverWhenItCloses(PgServer pg) throws Exception {
    String db = pg.createDatabase("leader");
    List<Instance> instances = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        instances.add(start(OwnSessionSettingTest.poolOfTwo(pg, db), "pgintel"));
      }
      waitFor(() -> instances.stream().filter(Instance::reported).count() == 1, "the leader's report");
      Thread.sleep(2500);
      List<Instance> leaders = leaders(instances);
      assertEquals(1, leaders.size(), "one leader, also after the others tried again");
      Instance leader = leaders.get(0);
      assertTrue(leader.reported());
      assertEquals(1.0, leader.otel().value("pgintel.leader", Map.of()).orElseThrow());
      assertTrue(leader.counting().collections.get() >= 5, "collections: " + leader.counting().collections);
      for (Instance i : instances) {
        if (i != leader) {
          assertEquals(CollectorStatus.State.STANDBY, i.database().state());
          assertEquals(0.0, i.otel().value("pgintel.leader", Map.of()).orElseThrow());
          assertEquals(0, i.counting().collections.get(), "one standing by asks the server nothing");
          assertFalse(i.reported());
          assertTrue(i.otel().value("pgintel.collector.skipped", STANDBY).orElse(0.0) >= 5, "its ticks skipped");
          assertTrue(i.otel().points("pgintel.collector.up", Map.of("pgintel.collector", "database")).isEmpty(),
              "not down: standing by");
          i.pgintel().collectNow();
          assertEquals(0, i.counting().collections.get(), "nor when asked to collect now");
        }
      }
      List<String> holders = lockHolders(pg, db, "pgintel");
      assertEquals(1, holders.size(), "held: " + holders);
      assertTrue(holders.get(0).endsWith(" pgintel"), "by a session of pgintel's own, named so: " + holders);
      // those standing by close the session they tried with: pgintel's sessions do not pile up
      waitFor(() -> ownSessions(pg, db) == 1, "the lock's session alone");

      leader.close();
      instances.remove(leader);
      waitFor(() -> instances.stream().anyMatch(Instance::reported), "another leader's report");
      List<Instance> next = leaders(instances);
      assertEquals(1, next.size(), "one leader");
      List<String> now = lockHolders(pg, db, "pgintel");
      assertEquals(1, now.size(), "held: " + now);
      assertNotEquals(holders, now, "by another session");
    } finally {
      instances.forEach(Instance::close);
    }
  }

  @PgTest
  void aLeaderThatLosesTheLockStopsAndWhenItLeadsAgainItsCollectorsStartAfresh(PgServer pg) throws Exception {
    String db = pg.createDatabase("leader");
    try (Instance a = start(OwnSessionSettingTest.poolOfTwo(pg, db), "shop"); Connection other = pg.connect(db);
        Statement s = other.createStatement()) {
      waitFor(a::reported, "the leader's report");
      assertEquals(0, a.counting().resets.get(), "a first leader has nothing to forget");
      // another instance, as it were, takes the lock when the server ends the leader's session
      boolean taken = false;
      for (int attempt = 0; attempt < 20 && !taken; attempt++) {
        for (String holder : lockHolders(pg, db, "shop")) {
          s.execute("SELECT pg_terminate_backend(" + holder.split(" ")[0] + ")");
        }
        try (ResultSet r = s.executeQuery("SELECT pg_try_advisory_lock(7366505, " + "shop".hashCode() + ")")) {
          r.next();
          taken = r.getBoolean(1);
        }
      }
      assertTrue(taken, "the lock taken from the leader");
      waitFor(() -> !a.leads(), "the old leader standing by");
      // a collection under way when it stood by may still end
      Thread.sleep(500);
      int stopped = a.counting().collections.get();
      Thread.sleep(1000);
      assertEquals(stopped, a.counting().collections.get(), "it stopped collecting");
      assertEquals(0.0, a.otel().value("pgintel.leader", Map.of()).orElseThrow());
      assertFalse(a.reported(), "nor reports what it read before");

      s.execute("SELECT pg_advisory_unlock(7366505, " + "shop".hashCode() + ")");
      waitFor(() -> a.counting().collections.get() > stopped, "it leads and collects again");
      // once, or once more if it won the lock back between two of the test's takes and collected meanwhile
      assertTrue(a.counting().resets.get() >= 1, "its collectors forgot what they read before another led");
      waitFor(a::reported, "its report again");
    }
  }

  @PgTest
  void aLeaderThatReadsThroughASessionOfPgintelsOwnHoldsTheLockOnAnotherAndKeepsCollecting(PgServer pg)
      throws Exception {
    String db = pg.createDatabase("leader");
    // as the agent gives it: the DataSource pgintel reads through is one session of its own, one turn at a time
    try (OwnConnection own = ownSession(pg, pg.jdbcUrl(db), db); Instance leader = start(own, "agent")) {
      waitFor(leader::reported, "its report");
      Instant first = leader.database().lastSuccess();
      waitFor(() -> leader.database().lastSuccess().isAfter(first), "it reads again");
      assertEquals(CollectorStatus.State.ACTIVE, leader.database().state());
      assertEquals(1, lockHolders(pg, db, "agent").size());
    }
  }

  @PgTest
  void anInstanceWhoseElectionSessionCannotConnectCollectsAsIfAlone(PgServer pg) throws Exception {
    String db = pg.createDatabase("leader");
    // pgintel's own session (the election's sibling of it) points at a port nothing listens on
    try (OwnConnection unreachable = ownSession(pg, "jdbc:postgresql://127.0.0.1:1/" + db + "?connectTimeout=2", db);
        Instance alone = start(pg.dataSource(db), "orders", unreachable)) {
      waitFor(alone::reported, "its report");
      assertEquals(CollectorStatus.State.ACTIVE, alone.database().state());
      assertEquals(0.0, alone.otel().value("pgintel.leader", Map.of()).orElseThrow(), "it does not lead");
      assertTrue(lockHolders(pg, db, "orders").isEmpty());
    }
  }

  @PgTest
  void groupsElectALeaderEach(PgServer pg) throws Exception {
    String db = pg.createDatabase("leader");
    try (Instance a = start(OwnSessionSettingTest.poolOfTwo(pg, db), "orders");
        Instance b = start(OwnSessionSettingTest.poolOfTwo(pg, db), "billing")) {
      waitFor(() -> a.reported() && b.reported(), "both groups' leaders");
      assertEquals(1, lockHolders(pg, db, "orders").size());
      assertEquals(1, lockHolders(pg, db, "billing").size());
    }
  }

  @PgTest
  void withoutAPoolWhoseConfigurationPgintelCanReadThereIsNoElectionAndItCollects(PgServer pg) throws Exception {
    String db = pg.createDatabase("leader");
    try (Instance alone = start(pg.dataSource(db), "orders")) {
      waitFor(alone::reported, "its report");
      assertTrue(alone.otel().value("pgintel.leader", Map.of()).isEmpty(), "no election, no leader gauge");
      assertTrue(lockHolders(pg, db, "orders").isEmpty());
    }
  }

  @org.junit.jupiter.api.Test
  void aBadGroupOrIntervalFailsTheBuildNamingTheKey() {
    for (Map.Entry<String, String> bad : List.of(Map.entry("pgintel.leader-election.group", " "),
        Map.entry("pgintel.leader-election.interval", "100ms"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PgIntel.builder()
          .dataSource(new org.postgresql.ds.PGSimpleDataSource()).setting("pgintel.leader-election.enabled", "true")
          .setting(bad.getKey(), bad.getValue()).build().close());
      assertTrue(e.getMessage().startsWith(bad.getKey()), e.getMessage());
    }
    assertEquals("false", Setting.LEADER_ELECTION_ENABLED.defaultValue(), "off unless asked for");
  }
}
