package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.agent.ChildJvm.Run;
import io.pgintel.internal.PoolConnect;
import io.pgintel.test.OtlpReceiver;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The agent on applications with other pools, a delegating wrapper and a routing DataSource: each database is
 * monitored through the pool that reaches it, never through a wrapper or router in front of it, and the
 * application's connections are correlated.
 */
class PoolsIT {

  /** The libraries the pools and Spring's router need on the application's class path. */
  private static final List<Class<?>> LIBRARIES = List.of(org.apache.commons.dbcp2.BasicDataSource.class,
      org.apache.commons.pool2.ObjectPool.class, org.apache.commons.logging.LogFactory.class,
      org.apache.tomcat.jdbc.pool.DataSource.class, org.apache.juli.logging.Log.class,
      com.mchange.v2.c3p0.ComboPooledDataSource.class, com.mchange.v2.log.MLog.class,
      org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource.class,
      org.springframework.core.io.Resource.class, org.springframework.beans.factory.InitializingBean.class,
      org.springframework.dao.DataAccessException.class,
      org.springframework.jndi.JndiLocatorSupport.class, org.example.shop.ShopDataSource.class);

  @ParameterizedTest
  @CsvSource({"dbcp2, org.apache.commons.dbcp2.BasicDataSource",
      "tomcat, org.apache.tomcat.jdbc.pool.DataSource",
      "c3p0, com.mchange.v2.c3p0.ComboPooledDataSource",
      "delegating, com.zaxxer.hikari.HikariDataSource",
      "routing, com.zaxxer.hikari.HikariDataSource"})
  void monitorsEachDatabaseThroughThePoolThatReachesIt(String kind, String pool) throws Exception {
    PgServer pg = PostgresServers.newest();
    String database = pg.createDatabase(kind);
    List<String> databases = kind.equals("routing") ? List.of(database, database + "_b") : List.of(database);
    if (kind.equals("routing")) {
      pg.execute("postgres", "CREATE DATABASE " + databases.get(1));
    }
    try (OtlpReceiver receiver = new OtlpReceiver();
        ChildJvm app = ChildJvm.start(List.of("-javaagent:" + ChildJvm.AGENT_JAR
                + "=pgintel.collectors.database.interval=1s", "-Dotel.exporter.otlp.endpoint=" + receiver.endpoint(),
            "-Dotel.exporter.otlp.protocol=http/protobuf", "-Dotel.metric.export.interval=1000",
            "-Dotel.logs.exporter=none"), LIBRARIES, kind, pg.jdbcUrl(database), pg.user(), 6)) {
      Run run = app.await(Duration.ofSeconds(60));

      assertEquals(0, run.exit(), run.output());
      assertTrue(run.output().contains("linked=true"), "statements are correlated: " + run.output());
      for (String db : databases) {
        String key = PoolConnect.databaseKey(pg.jdbcUrl(db));
        List<String> monitoring = run.output().lines().filter(l -> l.contains("pgintel agent: monitoring " + key + " "))
            .toList();
        assertFalse(monitoring.isEmpty(), db + " is monitored: " + run.output());
        // never through what the pool fills itself from (c3p0's DriverManagerDataSource, HikariCP's own)
        assertTrue(monitoring.stream().allMatch(l -> l.endsWith(" through " + pool)), run.output());
        AgentIT.assertCommitsReceived(receiver, db, run.output());
      }
      if (kind.equals("delegating") || kind.equals("routing")) {
        assertTrue(run.output().contains("hands out another DataSource's connections"), run.output());
      }
    }
  }
}
