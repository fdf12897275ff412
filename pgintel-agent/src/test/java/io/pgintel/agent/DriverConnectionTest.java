package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.internal.PoolConnect;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The agent's own connection, through pgintel's own copy of the driver, on a real server; what every session of
 * pgintel's own does (turns, idle closing, replacing a broken session) is {@code OwnConnectionTest}'s.
 */
class DriverConnectionTest {

  private final PgServer pg = PostgresServers.newest();
  /**
   * Held here as DriverManager holds an application's driver: DriverConnection keeps it only weakly, and a driver
   * made inline could be collected between two calls (a GC at the wrong moment failed this test once in CI).
   */
  private final org.postgresql.Driver driver = new org.postgresql.Driver();

  private DriverConnection own() {
    Properties info = new Properties();
    info.setProperty("user", pg.user());
    String url = pg.jdbcUrl("postgres");
    return new DriverConnection(driver, url, info, PoolConnect.databaseKey(url));
  }

  @Test
  void isolatedCopyConnectsThroughDriverClassesTheApplicationNeverCalls() throws Exception {
    DriverConnection own = own();
    try (DriverConnection isolated = own.isolatedCopy(null)) {
      assertTrue(isolated.isolated());
      assertThrows(SQLException.class, own::getConnection, "the original is closed once the copy exists");
      try (Connection c = isolated.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")) {
        rs.next();
        assertEquals(DriverConnection.APPLICATION_NAME, rs.getString(1));
        ClassLoader copy = s.getClass().getClassLoader();
        assertNotEquals(driver.getClass().getClassLoader(), copy);
        assertEquals(IsolatedDriver.Loader.class, copy.getClass());
        assertNotEquals(org.postgresql.jdbc.PgStatement.class, s.getClass(), "the same class name, another class");
        assertEquals(org.postgresql.jdbc.PgStatement.class.getName(), s.getClass().getName());
        // loading the copy registered it with DriverManager, and it took itself out again
        Object registered = copy.loadClass("org.postgresql.Driver").getMethod("isRegistered").invoke(null);
        assertEquals(Boolean.FALSE, registered);
      }
    }
  }

  @Test
  void isolatedCopyLogsInAsTheMonitoringRoleEvenWhenTheUrlNamesTheApplicationsRole() throws Exception {
    try (Connection admin = pg.dataSource().getConnection(); Statement s = admin.createStatement()) {
      s.execute("DROP ROLE IF EXISTS pgintel_monitor_test");
      s.execute("CREATE ROLE pgintel_monitor_test LOGIN PASSWORD 'monitor-secret' IN ROLE pg_monitor");
    }
    String url = pg.jdbcUrl("postgres") + (pg.jdbcUrl("postgres").contains("?") ? "&" : "?") + "user=" + pg.user();
    Properties info = new Properties();
    info.setProperty("user", pg.user());
    try (DriverConnection isolated = DriverConnection.isolated(driver, org.postgresql.Driver.class, url, info,
        PoolConnect.databaseKey(url), new OwnLogin("pgintel_monitor_test", "monitor-secret"));
        Connection c = isolated.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_user, application_name, "
            + "pg_has_role('pg_read_all_stats', 'USAGE') FROM pg_stat_activity WHERE pid = pg_backend_pid()")) {
      rs.next();
      assertEquals("pgintel_monitor_test", rs.getString(1));
      assertEquals(DriverConnection.APPLICATION_NAME, rs.getString(2));
      assertTrue(rs.getBoolean(3), "sees every session's statement, as pg_monitor");
      assertEquals("pgintel's own connection to " + PoolConnect.databaseKey(url) + " (its own copy of the driver)",
          isolated.toString());
    } finally {
      try (Connection admin = pg.dataSource().getConnection(); Statement s = admin.createStatement()) {
        s.execute("DROP ROLE IF EXISTS pgintel_monitor_test");
      }
    }
  }

  @Test
  void driverThatCannotBeLoadedAgainSaysWhy() {
    // where this test's classes come from holds no org.postgresql.Driver
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> IsolatedDriver.copyOf(DriverConnectionTest.class));
    assertTrue(none.getMessage().startsWith("could not load a copy of the PostgreSQL driver from file:"),
        none.getMessage());
    // a class of the JDK's own comes from no jar file or directory at all
    IllegalStateException nowhere = assertThrows(IllegalStateException.class, () -> IsolatedDriver.copyOf(
        String.class));
    assertTrue(nowhere.getMessage().startsWith("the PostgreSQL driver's classes do not come from a jar file"),
        nowhere.getMessage());
    // a copy made on demand is refused at once when it could never be made
    IllegalStateException later = assertThrows(IllegalStateException.class, () -> DriverConnection.isolatedOnDemand(
        driver, String.class, pg.jdbcUrl("postgres"), new Properties(), "postgres"));
    assertEquals(nowhere.getMessage(), later.getMessage());
  }
}
