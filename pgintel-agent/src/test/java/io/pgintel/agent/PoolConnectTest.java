package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** What the agent reads of a pool's configuration to connect on its own; no pool here is started. */
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
  void hikariOnADataSourceOfItsOwnAndOtherDataSourcesSayNothing() {
    try (HikariDataSource pool = new HikariDataSource()) {
      pool.setDataSource(new PGSimpleDataSource());
      assertTrue(PoolConnect.of(pool).isEmpty(), "no JDBC URL: how it connects is the DataSource's business");
    }
    assertTrue(PoolConnect.of(new PGSimpleDataSource()).isEmpty());
  }
}
