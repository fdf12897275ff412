package io.pgintel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mchange.v2.c3p0.ComboPooledDataSource;
import com.zaxxer.hikari.HikariDataSource;
import java.util.Properties;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** What pgintel reads of a pool's configuration to connect on its own; no pool here is started. */
class PoolConnectTest {

  @Test
  void hikariWithJdbcUrlGivesTheUrlAndWhatItHandsTheDriver() {
    try (HikariDataSource pool = new HikariDataSource()) {
      pool.setJdbcUrl("jdbc:postgresql://db.internal:5433/shop?sslmode=require");
      pool.setUsername("app");
      pool.setPassword("secret");
      pool.addDataSourceProperty("tcpKeepAlive", "true");

      PoolConnect.Settings how = PoolConnect.of(pool).orElseThrow();

      assertEquals("jdbc:postgresql://db.internal:5433/shop?sslmode=require", how.url());
      Properties expected = new Properties();
      expected.setProperty("user", "app");
      expected.setProperty("password", "secret");
      expected.setProperty("tcpKeepAlive", "true");
      assertEquals(expected, how.info());
    }
  }

  @Test
  void dbcp2TomcatAndC3p0GiveTheUrlAndWhatTheyHandTheDriver() throws Exception {
    Properties expected = new Properties();
    expected.setProperty("user", "app");
    expected.setProperty("password", "secret");
    expected.setProperty("tcpKeepAlive", "true");
    String url = "jdbc:postgresql://db.internal:5433/shop";

    try (BasicDataSource dbcp = new BasicDataSource()) {
      dbcp.setUrl(url);
      dbcp.setUsername("app");
      dbcp.setPassword("secret");
      dbcp.setConnectionProperties("tcpKeepAlive=true");
      assertEquals(new PoolConnect.Settings(url, expected), PoolConnect.of(dbcp).orElseThrow());
    }

    org.apache.tomcat.jdbc.pool.DataSource tomcat = new org.apache.tomcat.jdbc.pool.DataSource();
    tomcat.setUrl(url);
    tomcat.setUsername("app");
    tomcat.setPassword("secret");
    tomcat.setConnectionProperties("tcpKeepAlive=true");
    assertEquals(new PoolConnect.Settings(url, expected), PoolConnect.of(tomcat).orElseThrow());
    tomcat.setDataSource(new PGSimpleDataSource());
    assertTrue(PoolConnect.of(tomcat).isEmpty(), "on a DataSource of its own, Tomcat JDBC never uses its URL");

    ComboPooledDataSource c3p0 = new ComboPooledDataSource();
    try {
      c3p0.setJdbcUrl(url);
      Properties props = new Properties();
      props.setProperty("tcpKeepAlive", "true");
      c3p0.setProperties(props); // c3p0 keeps user and password among these: set them after
      c3p0.setUser("app");
      c3p0.setPassword("secret");
      PoolConnect.Settings how = PoolConnect.of(c3p0).orElseThrow();
      assertEquals(url, how.url());
      assertEquals(expected, how.info());
      assertEquals("Settings[" + PoolConnect.databaseKey(url) + "]", how.toString(), "no password in what may be logged");
    } finally {
      c3p0.close();
    }
  }

  @Test
  void hikariOnADataSourceOfItsOwnAndOtherDataSourcesSayNothing() {
    try (HikariDataSource pool = new HikariDataSource()) {
      pool.setDataSource(new PGSimpleDataSource());
      assertTrue(PoolConnect.of(pool).isEmpty(), "no JDBC URL: how it connects is the DataSource's business");
    }
    assertTrue(PoolConnect.of(new PGSimpleDataSource()).isEmpty());
  }
}
