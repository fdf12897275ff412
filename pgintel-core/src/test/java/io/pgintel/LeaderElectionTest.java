package io.pgintel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * {@code pgintel.leader-election.*}: several instances of one application on one database, on a real server. Each
 * test has a database of its own: advisory locks belong to a database.
 */
class LeaderElectionTest {

  private static final Map<String, Object> STANDBY = Map.of("pgintel.collector", "database", "pgintel.skip.reason",
      "standby");

  /** One instance of the application: its pool, its telemetry, its pgintel. */
  private record Instance(DataSource pool, TestTelemetry otel, PgIntel pgintel) implements AutoCloseable {

    CollectorStatus.State state() {
      return pgintel.status().stream().filter(s -> s.name().equals("database")).findFirst().orElseThrow().state();
    }

    boolean leads() {
      return state() == CollectorStatus.State.ACTIVE;
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

  private static Instance start(PgServer pg, String db, DataSource pool, String group) {
    TestTelemetry otel = new TestTelemetry();
    PgIntel p = TestPgIntel.only(PgIntel.builder().dataSource(pool).openTelemetry(otel.openTelemetry())
            .borrowTimeout(Duration.ofSeconds(10)), "database")
        .collectorInterval("database", Duration.ofMillis(200))
        .setting("pgintel.leader-election.enabled", "true")
        .setting("pgintel.leader-election.group", group)
        .setting("pgintel.leader-election.interval", "1s").build();
    p.start();
    return new Instance(pool, otel, p);
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 15 s for " + what);
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

  @PgTest
  void oneInstanceCollectsTheOthersStandByUnaskedAndAnotherTakesOverWhenItCloses(PgServer pg) throws Exception {
    String db = pg.createDatabase("leader");
    List<Instance> instances = new ArrayList<>();
    try {
      // two behind HikariCP (the lock on a session of pgintel's own), one behind a DataSource that does not pool
      instances.add(start(pg, db, OwnSessionSettingTest.poolOfTwo(pg, db), "pgintel"));
      instances.add(start(pg, db, OwnSessionSettingTest.poolOfTwo(pg, db), "pgintel"));
      instances.add(start(pg, db, pg.dataSource(db), "pgintel"));
      waitFor(() -> leaders(instances).size() == 1, "a leader");
      Thread.sleep(1500);
      List<Instance> leaders = leaders(instances);
      assertEquals(1, leaders.size(), "one leader, also after the others tried again");
      Instance leader = leaders.get(0);
      for (Instance i : instances) {
        if (i == leader) {
          assertEquals(1.0, i.otel().value("pgintel.leader", Map.of()).orElseThrow());
          assertTrue(i.otel().value("postgresql.database.count", Map.of()).isPresent(), "the leader reports");
        } else {
          assertEquals(CollectorStatus.State.STANDBY, i.state());
          assertEquals(0.0, i.otel().value("pgintel.leader", Map.of()).orElseThrow());
          assertTrue(i.otel().value("postgresql.database.count", Map.of()).isEmpty(), "one standing by does not");
          assertTrue(i.otel().value("pgintel.collector.skipped", STANDBY).orElse(0.0) >= 5, "its ticks skipped");
          assertTrue(i.otel().points("pgintel.collector.up", Map.of("pgintel.collector", "database")).isEmpty(),
              "not down: standing by");
        }
      }
      List<String> holders = lockHolders(pg, db, "pgintel");
      assertEquals(1, holders.size(), "one lock: " + holders);

      leader.close();
      instances.remove(leader);
      waitFor(() -> leaders(instances).size() == 1, "another leader");
      Instance next = leaders(instances).get(0);
      waitFor(() -> next.otel().value("postgresql.database.count", Map.of()).isPresent(), "the new leader's report");
      List<String> now = lockHolders(pg, db, "pgintel");
      assertEquals(1, now.size(), "one lock: " + now);
      assertNotEquals(holders, now, "held by another session");
    } finally {
      instances.forEach(Instance::close);
    }
  }

  @PgTest
  void aLeaderWhoseSessionEndsStandsByAndTheGroupElectsAgain(PgServer pg) throws Exception {
    String db = pg.createDatabase("leader");
    List<Instance> instances = new ArrayList<>();
    try {
      instances.add(start(pg, db, OwnSessionSettingTest.poolOfTwo(pg, db), "shop"));
      instances.add(start(pg, db, OwnSessionSettingTest.poolOfTwo(pg, db), "shop"));
      waitFor(() -> leaders(instances).size() == 1, "a leader");
      List<String> holders = lockHolders(pg, db, "shop");
      assertEquals(1, holders.size(), "one lock: " + holders);
      assertTrue(holders.get(0).endsWith(" pgintel"), "a session of pgintel's own, named so: " + holders);
      String pid = holders.get(0).split(" ")[0];
      pg.execute(db, "SELECT pg_terminate_backend(" + pid + ")");
      waitFor(() -> {
        try {
          List<String> now = lockHolders(pg, db, "shop");
          return now.size() == 1 && !now.get(0).startsWith(pid + " ") && leaders(instances).size() == 1;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }, "a leader on another session");
      Thread.sleep(1500);
      assertEquals(1, leaders(instances).size(), "one leader: the old one found its session gone");
    } finally {
      instances.forEach(Instance::close);
    }
  }

  @PgTest
  void aLeaderThatReadsThroughASessionOfPgintelsOwnHoldsTheLockOnAnotherAndKeepsCollecting(PgServer pg)
      throws Exception {
    String db = pg.createDatabase("leader");
    java.util.Properties info = new java.util.Properties();
    info.setProperty("user", pg.user());
    if (pg.password() != null) {
      info.setProperty("password", pg.password());
    }
    // as the agent gives it: the DataSource pgintel reads through is one session of its own, one turn at a time
    try (io.pgintel.internal.OwnConnection own = io.pgintel.internal.OwnConnection.through(new org.postgresql.Driver(),
        pg.jdbcUrl(db), info, db, Duration.ofSeconds(60), Duration.ofMinutes(10));
        Instance leader = start(pg, db, own, "agent")) {
      waitFor(leader::leads, "the leader");
      waitFor(() -> leader.otel().value("postgresql.database.count", Map.of()).isPresent(), "its report");
      Thread.sleep(1000);
      CollectorStatus database = leader.pgintel().status().stream().filter(st -> st.name().equals("database"))
          .findFirst().orElseThrow();
      assertEquals(CollectorStatus.State.ACTIVE, database.state());
      assertTrue(database.lastSuccess().isAfter(java.time.Instant.now().minusMillis(800)),
          "it reads every tick: " + database.lastSuccess());
      List<String> holders = lockHolders(pg, db, "agent");
      assertEquals(1, holders.size(), "one lock: " + holders);
    }
  }

  @PgTest
  void groupsElectALeaderEach(PgServer pg) throws Exception {
    String db = pg.createDatabase("leader");
    try (Instance a = start(pg, db, pg.dataSource(db), "orders");
        Instance b = start(pg, db, pg.dataSource(db), "billing")) {
      waitFor(() -> a.leads() && b.leads(), "both groups' leaders");
    }
  }

  @PgTest
  void withoutTheElectionEveryInstanceCollects(PgServer pg) throws Exception {
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel), "database").build()) {
      p.collectNow();
      assertTrue(otel.value("pgintel.leader", Map.of()).isEmpty(), "no election, no leader gauge");
      assertTrue(otel.value("postgresql.database.count", Map.of()).isPresent());
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
    assertFalse(Setting.LEADER_ELECTION_ENABLED.defaultValue().equals("true"), "off unless asked for");
  }
}
