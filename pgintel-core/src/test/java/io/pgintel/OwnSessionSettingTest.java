package io.pgintel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.pgintel.collect.BuiltInCollectors;
import io.pgintel.test.PgServer;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code pgintel.session.own-connection} in the library: the session of its own pgintel makes from the
 * configuration of the application's pool, on a real server. Each test has a database of its own, so that
 * pgintel's sessions are counted by its {@code application_name} there.
 */
@ExtendWith(io.pgintel.test.PostgresExtension.class)
class OwnSessionSettingTest {

  private static final Map<String, Object> EXHAUSTED = Map.of("pgintel.collector", "activity",
      "pgintel.skip.reason", "pool_exhausted");

  /** The activity collector alone, every 200 ms. */
  private static PgIntelBuilder activityOn(javax.sql.DataSource pool, TestTelemetry otel) {
    PgIntelBuilder b = PgIntel.builder().dataSource(pool).openTelemetry(otel.openTelemetry())
        .borrowTimeout(Duration.ofMillis(200)).exhaustedPoolInterval(Duration.ofSeconds(1));
    for (String name : BuiltInCollectors.defaultIntervals().keySet()) {
      b.collectorEnabled(name, name.equals("activity"));
    }
    return b.collectorInterval("activity", Duration.ofMillis(200));
  }

  /** A HikariCP pool of two connections configured with a JDBC URL, whose configuration pgintel can read. */
  static HikariDataSource poolOfTwo(PgServer pg, String database) {
    HikariDataSource pool = new HikariDataSource();
    pool.setJdbcUrl(pg.jdbcUrl(database));
    pool.setUsername(pg.user());
    pool.setPassword(pg.password());
    pool.setMaximumPoolSize(2);
    pool.setConnectionTimeout(30_000);
    return pool;
  }

  private static BasicDataSource dbcpOfOne(PgServer pg, String database) {
    BasicDataSource pool = new BasicDataSource();
    pool.setUrl(pg.jdbcUrl(database));
    pool.setUsername(pg.user());
    pool.setPassword(pg.password());
    pool.setMaxTotal(1);
    return pool;
  }

  @Test
  void byDefaultAnExhaustedPoolIsReadThroughASessionMadeFromItsConfigurationClosedWithTheInstance(PgServer pg)
      throws Exception {
    String database = pg.createDatabase("own_default");
    try (HikariDataSource pool = poolOfTwo(pg, database); TestTelemetry otel = new TestTelemetry()) {
      try (PgIntel p = activityOn(pool, otel).build()) {
        p.start();
        Thread.sleep(800);
        assertEquals(0, pgintelSessions(pg, database), "a pool with connections to spare is borrowed from");
        try (Connection a = pool.getConnection(); Connection b = pool.getConnection()) {
          assertEquals(1, await(pg, database, 1), "one session of pgintel's own beside the exhausted pool");
          Thread.sleep(1000);
          assertEquals(0, pool.getHikariPoolMXBean().getThreadsAwaitingConnection(), "nothing waits for the pool");
        }
        assertEquals(0.0, otel.value("pgintel.collector.skipped", EXHAUSTED).orElse(0.0),
            "no tick yielded to the exhausted pool");
      }
      assertEquals(0, await(pg, database, 0), "closed with the instance");
    }
  }

  @Test
  void trueReadsOnlyThroughItsOwnSessionAndTheApplicationsPoolNeverStarts(PgServer pg) throws Exception {
    String database = pg.createDatabase("own_true");
    try (HikariDataSource pool = poolOfTwo(pg, database); TestTelemetry otel = new TestTelemetry();
        PgIntel p = activityOn(pool, otel).setting("pgintel.session.own-connection", "TRUE").build()) {
      p.start();
      assertEquals(1, await(pg, database, 1));
      Thread.sleep(600);
      assertNull(pool.getHikariPoolMXBean(), "HikariCP starts its pool at the first borrow: never borrowed from");
      assertTrue(p.status().stream().filter(s -> s.name().equals("activity")).findFirst().orElseThrow()
          .consecutiveFailures() == 0, "collections succeed through pgintel's own session");
    }
  }

  @Test
  void falseYieldsToTheExhaustedPoolAndMakesNoSession(PgServer pg) throws Exception {
    String database = pg.createDatabase("own_false");
    try (BasicDataSource pool = dbcpOfOne(pg, database); TestTelemetry otel = new TestTelemetry()) {
      try (PgIntel p = activityOn(pool, otel).setting("pgintel.session.own-connection", "false").build()) {
        p.start();
        Thread.sleep(500);
        try (Connection held = pool.getConnection()) {
          Thread.sleep(2000);
          assertEquals(0, pgintelSessions(pg, database));
        }
        assertTrue(otel.value("pgintel.collector.skipped", EXHAUSTED).orElse(0.0) > 0,
            "ticks yielded to the exhausted pool");
      }
    }
  }

  @Test
  void aDbcp2PoolIsCopiedToo(PgServer pg) throws Exception {
    String database = pg.createDatabase("own_dbcp");
    try (BasicDataSource pool = dbcpOfOne(pg, database); TestTelemetry otel = new TestTelemetry()) {
      try (PgIntel p = activityOn(pool, otel).build()) {
        p.start();
        try (Connection held = pool.getConnection()) {
          assertEquals(1, await(pg, database, 1), "one session of pgintel's own beside the exhausted pool");
        }
      }
    }
  }

  @Test
  void falseWithAnExhaustedPoolDataSourceFailsBuildNamingTheSetting(PgServer pg) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PgIntel.builder()
        .dataSource(pg.dataSource()).exhaustedPoolDataSource(pg.dataSource())
        .setting("pgintel.session.own-connection", "false").build());
    assertTrue(e.getMessage().startsWith("pgintel.session.own-connection: 'false' contradicts"), e.getMessage());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> PgIntel.builder()
        .dataSource(pg.dataSource()).setting("pgintel.session.own-connection", "sometimes").build());
    assertTrue(bad.getMessage().contains("pgintel.session.own-connection")
        && bad.getMessage().contains("when-pool-exhausted, true, false"), bad.getMessage());
  }

  private static int pgintelSessions(PgServer pg, String database) throws SQLException {
    try (Connection c = pg.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database
            + "' AND application_name = 'pgintel'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** {@link #pgintelSessions} once it is {@code wanted}, or as it is after 10 s. */
  private static int await(PgServer pg, String database, int wanted) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    int n = pgintelSessions(pg, database);
    while (n != wanted && System.nanoTime() < deadline) {
      Thread.sleep(50);
      n = pgintelSessions(pg, database);
    }
    return n;
  }
}
