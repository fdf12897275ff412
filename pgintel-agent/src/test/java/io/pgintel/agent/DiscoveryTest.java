package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pgintel.internal.PoolConnect;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.Test;

/** How discovery tells a pool's own supplier of connections from a DataSource the application calls. */
class DiscoveryTest {

  /** A driver DataSource that records, on each getConnection, whether discovery would call it the pool's own. */
  static final class RecordingDataSource implements DataSource {
    final DataSource target = PostgresServers.newest().dataSource("postgres");
    final List<Boolean> calledByPool = new CopyOnWriteArrayList<>();

    @Override
    public Connection getConnection() throws SQLException {
      calledByPool.add(Discovery.calledByPool(RecordingDataSource.class));
      return target.getConnection();
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }
  }

  @Test
  void aDataSourceAPoolFillsItselfFromIsThePoolsOwnAndTheApplicationsCallIsNot() throws Exception {
    RecordingDataSource driver = new RecordingDataSource();
    try (Connection c = driver.getConnection()) {
      assertEquals(List.of(false), driver.calledByPool, "the application's own call");
    }
    HikariConfig config = new HikariConfig();
    config.setDataSource(driver);
    config.setMaximumPoolSize(2);
    try (HikariDataSource pool = new HikariDataSource(config); Connection c = pool.getConnection()) {
      assertTrue(c.isValid(1));
    }
    List<Boolean> byPool = driver.calledByPool.subList(1, driver.calledByPool.size());
    assertFalse(byPool.isEmpty(), "HikariCP filled itself from the DataSource");
    assertTrue(byPool.stream().allMatch(b -> b), "every call HikariCP made, on its own threads or the builder's: "
        + byPool);
  }

  @Test
  void ownConnectionThatCannotConnectLeavesThePoolToBeReadThrough() throws Exception {
    PgServer pg = PostgresServers.newest();
    String database = pg.createDatabase("limited");
    // a role the server lets connect once at a time: the pool's one connection takes that once
    pg.execute("postgres", "DO $$ BEGIN CREATE ROLE pgintel_limited LOGIN CONNECTION LIMIT 1; "
        + "EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    pg.execute("postgres", "GRANT pg_monitor TO pgintel_limited");
    // its configuration says how to connect, but the server refuses a second session of that role
    assertEquals(Discovery.Rank.POOL, rankOf(pg, database, "pgintel_limited", OWN, () -> { }));
  }

  @Test
  void ownConnectionLogsInAsTheMonitoringRoleAndARoleThatCannotLogInLeavesThePool() throws Exception {
    PgServer pg = PostgresServers.newest();
    pg.execute("postgres", "DO $$ BEGIN CREATE ROLE pgintel_watcher LOGIN IN ROLE pg_monitor; "
        + "EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    pg.execute("postgres", "DO $$ BEGIN CREATE ROLE pgintel_nologin NOLOGIN; "
        + "EXCEPTION WHEN duplicate_object THEN NULL; END $$");

    String watched = pg.createDatabase("watched");
    assertEquals(Discovery.Rank.OWN, rankOf(pg, watched, pg.user(),
        OWN + "pgintel.agent.own-connection.user=pgintel_watcher,", () -> {
      try (Connection c = pg.dataSource(watched).getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT usename, application_name FROM pg_stat_activity "
              + "WHERE datname = current_database() AND pid <> pg_backend_pid() AND usename = 'pgintel_watcher'")) {
        assertTrue(rs.next(), "pgintel's session, as the monitoring role");
        assertEquals(DriverConnection.APPLICATION_NAME, rs.getString(2));
      }
    }));

    String refused = pg.createDatabase("refused");
    assertEquals(Discovery.Rank.POOL, rankOf(pg, refused, pg.user(),
        OWN + "pgintel.agent.own-connection.user=pgintel_nologin,", () -> { }));
  }

  @Test
  void byDefaultAnExhaustedPoolIsLeftAloneForAConnectionOfPgintelsOwnMadeOnlyThen() throws Exception {
    PgServer pg = PostgresServers.newest();
    String database = pg.createDatabase("exhausted");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(pg.jdbcUrl(database));
    config.setUsername(pg.user());
    config.setMaximumPoolSize(1);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      assertEquals(Discovery.Rank.POOL, rankOf(pg, database, pool, "", () -> {
        Thread.sleep(1500);
        assertEquals(0, pgintelSessions(pg, database), "a pool with a connection to spare is borrowed from");
        try (Connection held = pool.getConnection()) {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
          while (pgintelSessions(pg, database) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
          }
          assertEquals(1, pgintelSessions(pg, database), "pgintel's one session beside the exhausted pool's");
          assertEquals(0, pool.getHikariPoolMXBean().getThreadsAwaitingConnection(), "nothing waits for the pool");
        }
      }));
    }
  }

  /** Sessions on {@code database} named as pgintel's own connection names itself. */
  private static int pgintelSessions(PgServer pg, String database) throws SQLException {
    try (Connection c = pg.dataSource(database).getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            + "AND application_name = '" + DriverConnection.APPLICATION_NAME + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * What a discovery with {@code agentArguments} reads a HikariCP pool of {@code poolUser} over {@code database}
   * through, once it has decided; {@code check} runs while it still does.
   */
  private static Discovery.Rank rankOf(PgServer pg, String database, String poolUser,
      String agentArguments, Check check) throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(pg.jdbcUrl(database));
    config.setUsername(poolUser);
    config.setMaximumPoolSize(1);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      return rankOf(pg, database, pool, agentArguments, check);
    }
  }

  /** The same for any {@code pool} over {@code database} that has connected before the discovery saw it. */
  private static Discovery.Rank rankOf(PgServer pg, String database, DataSource pool,
      String agentArguments, Check check) throws Exception {
    AgentSettings settings = AgentSettings.resolve(agentArguments
        + "otel.metrics.exporter=none,otel.logs.exporter=none,otel.traces.exporter=none", Map.of(), new Properties());
    assertEquals(List.of(), settings.problems());
    Discovery discovery = new Discovery(settings);
    try {
      Connection lent = pool.getConnection();
      lent.close();
      // as the advice would tell it: the application got a connection from the pool
      discovery.onConnection(pool, lent);
      String key = PoolConnect.databaseKey(pg.jdbcUrl(database));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (discovery.rank(key) == null && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      Discovery.Rank rank = discovery.rank(key);
      check.run();
      return rank;
    } finally {
      discovery.close();
    }
  }

  @Test
  void ownConnectionOfADbcp2PoolThatConnectedBeforeTheAgentComesFromItsConfiguration() throws Exception {
    PgServer pg = PostgresServers.newest();
    String database = pg.createDatabase("dbcp");
    try (BasicDataSource pool = new BasicDataSource()) {
      pool.setUrl(pg.jdbcUrl(database));
      pool.setUsername(pg.user());
      pool.setMaxTotal(1);
      assertEquals(Discovery.Rank.OWN, rankOf(pg, database, pool, OWN, () -> {
        assertEquals(1, pgintelSessions(pg, database), "pgintel's one session beside the pool's");
      }));
    }
  }

  /** The agent argument that makes pgintel read through a connection of its own, always. */
  private static final String OWN = "pgintel.agent.own-connection=true,";

  @FunctionalInterface
  private interface Check {
    void run() throws Exception;
  }

  @Test
  void onlyTheKnownPoolsPackagesArePoolCode() {
    assertTrue(Discovery.poolCode("com.mchange.v2.c3p0.DriverManagerDataSource"));
    assertTrue(Discovery.poolCode("com.zaxxer.hikari.pool.HikariPool"));
    assertFalse(Discovery.poolCode("org.postgresql.ds.PGSimpleDataSource"));
    assertFalse(Discovery.calledByPool(DiscoveryTest.class));
  }
}
