package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pgintel.test.PostgresServers;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import javax.sql.DataSource;
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
  void onlyTheKnownPoolsPackagesArePoolCode() {
    assertTrue(Discovery.poolCode("com.mchange.v2.c3p0.DriverManagerDataSource"));
    assertTrue(Discovery.poolCode("com.zaxxer.hikari.pool.HikariPool"));
    assertFalse(Discovery.poolCode("org.postgresql.ds.PGSimpleDataSource"));
    assertFalse(Discovery.calledByPool(DiscoveryTest.class));
  }
}
