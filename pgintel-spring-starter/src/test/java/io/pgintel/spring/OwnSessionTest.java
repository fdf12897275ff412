package io.pgintel.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.Credentials;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code pgintel.session.own-connection} against a real PostgreSQL and pools of one connection (HikariCP, DBCP 2),
 * which the test holds to exhaust them, or pools never lent from (Tomcat JDBC, c3p0); pgintel's own session is told
 * apart by its {@code application_name}. The starter copies HikariCP pools itself; core makes the session for the
 * others (its own tests cover that in detail), here seen through Spring properties.
 */
class OwnSessionTest {

  private static PgServer pg;
  private static String database;

  /** The starter and the application's telemetry, no pool yet. */
  private final ApplicationContextRunner starter = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(PgIntelAutoConfiguration.class))
      .withUserConfiguration(PgIntelAutoConfigurationTest.InMemoryTelemetry.class);
  private final ApplicationContextRunner runner = starter.withUserConfiguration(OnePool.class)
      .withPropertyValues("pgintel.collectors.activity.interval=1s");

  @BeforeAll
  static void server() throws Exception {
    pg = PostgresServers.newest();
    database = pg.createDatabase("own_session");
  }

  @Test
  void byDefaultAnExhaustedPoolIsLeftAloneForASessionOfPgintelsOwnMadeOnlyThen() throws Exception {
    runner.run(context -> {
      assertThat(context).hasNotFailed();
      HikariDataSource pool = context.getBean(HikariDataSource.class);
      Thread.sleep(1500);
      assertThat(pgintelSessions()).as("a pool with a connection to spare is borrowed from").isZero();
      try (Connection held = pool.getConnection()) {
        assertThat(await(n -> n == 1)).as("pgintel's one session beside the exhausted pool's").isEqualTo(1);
        assertThat(pool.getHikariPoolMXBean().getThreadsAwaitingConnection()).as("nothing waits for the pool")
            .isZero();
      }
    });
    assertThat(await(n -> n == 0)).as("closed with the application context").isZero();
  }

  @Test
  void falseYieldsToTheExhaustedPool() throws Exception {
    runner.withPropertyValues("pgintel.session.own-connection=false").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(PgIntelMonitors.class).ownSessions()).isEmpty();
      try (Connection held = context.getBean(HikariDataSource.class).getConnection()) {
        // four activity ticks
        Thread.sleep(4000);
        assertThat(pgintelSessions()).isZero();
      }
      assertThat(skipped(context.getBean(InMemoryMetricReader.class)).getOrDefault("pool_exhausted", 0L))
          .as("ticks that yielded to the exhausted pool").isPositive();
    });
  }

  @Test
  void trueReadsThroughItsOwnSessionWhileThePoolCouldLend() {
    runner.withPropertyValues("pgintel.session.own-connection=TRUE").run(context -> {
      assertThat(context).hasNotFailed();
      context.getBean(PgIntelMonitors.class).collectNow();
      assertThat(pgintelSessions()).isEqualTo(1);
      // HikariCP starts a pool made without a configuration object at its first borrow
      assertThat(context.getBean(HikariDataSource.class).getHikariPoolMXBean())
          .as("the application's pool never lent a connection").isNull();
    });
  }

  @Test
  void withTrueACollectionThatFindsTheSessionBusyWaitsAndDoesNotSlowDown() throws Exception {
    runner.withPropertyValues("pgintel.session.own-connection=true").run(context -> {
      assertThat(context).hasNotFailed();
      DataSource own = (DataSource) context.getBean(PgIntelMonitors.class).ownSessions().get(0);
      // as if another collection of pgintel's held the session for four activity ticks
      try (Connection busy = own.getConnection()) {
        Thread.sleep(4000);
      }
      Thread.sleep(1500);
      InMemoryMetricReader reader = context.getBean(InMemoryMetricReader.class);
      Map<String, Long> skipped = skipped(reader);
      assertThat(skipped.getOrDefault("pool_busy", 0L)).as("ticks that found the session busy").isPositive();
      assertThat(skipped).as("pgintel's own session is not read as an exhausted pool").doesNotContainKey(
          "pool_exhausted");
    });
  }

  @Test
  void aPoolConfiguredWithTheDriversDataSourceClassIsCopiedToo() {
    starter.withUserConfiguration(PoolOverDataSourceClass.class)
        .withPropertyValues("pgintel.session.own-connection=true").run(context -> {
          assertThat(context).hasNotFailed();
          context.getBean(PgIntelMonitors.class).collectNow();
          assertThat(pgintelSessions()).as("named through the driver DataSource's applicationName").isEqualTo(1);
        });
  }

  @Test
  void aPoolsCredentialsProviderAndInitSqlAreCopied() {
    starter.withUserConfiguration(PoolWithCredentialsProvider.class)
        .withPropertyValues("pgintel.session.own-connection=true").run(context -> {
          assertThat(context).hasNotFailed();
          context.getBean(PgIntelMonitors.class).collectNow();
          try (Connection c = pg.dataSource(database).getConnection(); Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT usename FROM pg_stat_activity "
                  + "WHERE application_name = 'named by the init SQL'")) {
            assertThat(rs.next()).as("a session that ran the pool's init SQL").isTrue();
            assertThat(rs.getString(1)).as("logged in as the provider's user").isEqualTo(pg.user());
          }
          assertThat(context.getBean(PgIntelMonitors.class).forDataSource("dataSource").status())
              .allSatisfy(status -> assertThat(status.consecutiveFailures()).as(status.name()).isZero());
        });
  }

  @Test
  void aDbcp2PoolIsReadThroughASessionOfPgintelsOwnWhileExhausted() throws Exception {
    starter.withUserConfiguration(Dbcp2PoolOfOne.class)
        .withPropertyValues("pgintel.collectors.activity.interval=1s").run(context -> {
          assertThat(context).hasNotFailed();
          DataSource pool = context.getBean(org.apache.commons.dbcp2.BasicDataSource.class);
          Thread.sleep(1500);
          assertThat(pgintelSessions()).as("a pool with a connection to spare is borrowed from").isZero();
          try (Connection held = pool.getConnection()) {
            assertThat(await(n -> n == 1)).as("pgintel's one session beside the exhausted pool's").isEqualTo(1);
          }
          assertThat(skipped(context.getBean(InMemoryMetricReader.class))).as("no tick yielded to the pool")
              .doesNotContainKey("pool_exhausted");
        });
    assertThat(await(n -> n == 0)).as("closed with the application context").isZero();
  }

  @Test
  void tomcatAndC3p0PoolsAreCopiedTooAndNeverLendWithTrue() throws Exception {
    // each opens connections when its pool starts, at the first borrow: Tomcat JDBC initialSize (10), c3p0
    // initialPoolSize (3)
    for (Class<?> pool : List.of(TomcatPool.class, C3p0Pool.class)) {
      // a session an earlier test closed may still be leaving the server (a clean CI run counted one): gone first,
      // so that a session counted below is this pool's
      awaitNoOtherSessions();
      starter.withUserConfiguration(pool).withPropertyValues("pgintel.session.own-connection=true").run(context -> {
        assertThat(context).hasNotFailed();
        context.getBean(PgIntelMonitors.class).collectNow();
        assertThat(pgintelSessions()).as(pool.getSimpleName()).isEqualTo(1);
        assertThat(otherSessions()).as(pool.getSimpleName() + ": the application's pool never started").isZero();
        assertThat(context.getBean(PgIntelMonitors.class).forDataSource("dataSource").status())
            .allSatisfy(status -> assertThat(status.consecutiveFailures()).as(status.name()).isZero());
      });
    }
  }

  @Test
  void onlyAHikariPoolOfPostgresqlIsCopiedHere() throws Exception {
    Duration wait = Duration.ofSeconds(30);
    try (HikariDataSource mysql = new HikariDataSource(); HikariDataSource mysqlClass = new HikariDataSource();
        HikariDataSource postgres = new HikariDataSource()) {
      mysql.setJdbcUrl("jdbc:mysql://localhost:3306/shop");
      mysqlClass.setDataSourceClassName("com.mysql.cj.jdbc.MysqlDataSource");
      postgres.setJdbcUrl(pg.jdbcUrl(database));
      assertThat(OwnSession.beside("a", mysql, wait)).isEmpty();
      assertThat(OwnSession.beside("b", mysqlClass, wait)).isEmpty();
      assertThat(OwnSession.beside("c", pg.dataSource(database), wait)).as("not a pool").isEmpty();
      DataSource own = OwnSession.beside("d", postgres, wait).orElseThrow();
      ((AutoCloseable) own).close();
      assertThat(catchThrowable(own::getConnection)).as("closed for good").isInstanceOf(SQLException.class);
    }
  }

  @Test
  void aBorrowFromTheOwnSessionWaitsLongerThanPgintelWaitsForIt() {
    assertThat(MonitorFactory.ownSessionWait(null)).isEqualTo(Duration.ofSeconds(30));
    assertThat(MonitorFactory.ownSessionWait(Duration.ofSeconds(20))).isEqualTo(Duration.ofSeconds(40));
  }

  @Test
  void anyOtherValueFailsStartupNamingTheProperty() {
    runner.withPropertyValues("pgintel.session.own-connection=sometimes").run(context -> {
      assertThat(context).hasFailed();
      InvalidPgIntelSettingException failure = PgIntelAutoConfigurationTest.findCause(context.getStartupFailure(),
          InvalidPgIntelSettingException.class);
      assertThat(failure).hasMessageContaining("'sometimes'")
          .hasMessageContaining("when-pool-exhausted, true, false");
      assertThat(failure.property()).isEqualTo(OwnSession.PROPERTY);
    });
  }

  /** {@code pgintel.collector.skipped} by reason, over all collectors. */
  private static Map<String, Long> skipped(InMemoryMetricReader reader) {
    Map<String, Long> out = new HashMap<>();
    for (MetricData m : reader.collectAllMetrics()) {
      if (m.getName().equals("pgintel.collector.skipped")) {
        for (LongPointData p : m.getLongSumData().getPoints()) {
          out.merge(p.getAttributes().get(AttributeKey.stringKey("pgintel.skip.reason")), p.getValue(), Long::sum);
        }
      }
    }
    return out;
  }

  /** Sessions on the test's database named as pgintel's own session names itself. */
  private static int pgintelSessions() throws SQLException {
    try (Connection c = pg.dataSource(database).getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            + "AND application_name = '" + OwnSession.APPLICATION_NAME + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Sessions on the test's database besides pgintel's own and the one asking. */
  private static int otherSessions() throws SQLException {
    try (Connection c = pg.dataSource(database).getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            + "AND pid <> pg_backend_pid() AND application_name <> '" + OwnSession.APPLICATION_NAME + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Waits, at most 20 s, until no session but pgintel's is in the database. */
  private static void awaitNoOtherSessions() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (otherSessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  /** {@link #pgintelSessions()} once it meets {@code wanted}, or as it is after 20 s. */
  private static int await(IntPredicate wanted) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int n = pgintelSessions();
    while (!wanted.test(n) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      n = pgintelSessions();
    }
    return n;
  }

  /** The application's pool, of one connection, so that holding it exhausts the pool. */
  private static HikariDataSource poolOfOne() {
    HikariDataSource ds = new HikariDataSource();
    ds.setMaximumPoolSize(1);
    return ds;
  }

  @Configuration(proxyBeanMethods = false)
  static class OnePool {

    @Bean
    HikariDataSource dataSource() {
      HikariDataSource ds = poolOfOne();
      ds.setJdbcUrl(pg.jdbcUrl(database));
      ds.setUsername(pg.user());
      return ds;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Dbcp2PoolOfOne {

    @Bean
    org.apache.commons.dbcp2.BasicDataSource dataSource() {
      org.apache.commons.dbcp2.BasicDataSource ds = new org.apache.commons.dbcp2.BasicDataSource();
      ds.setUrl(pg.jdbcUrl(database));
      ds.setUsername(pg.user());
      ds.setMaxTotal(1);
      return ds;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class TomcatPool {

    @Bean
    org.apache.tomcat.jdbc.pool.DataSource dataSource() {
      org.apache.tomcat.jdbc.pool.DataSource ds = new org.apache.tomcat.jdbc.pool.DataSource();
      ds.setUrl(pg.jdbcUrl(database));
      ds.setUsername(pg.user());
      return ds;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class C3p0Pool {

    @Bean
    com.mchange.v2.c3p0.ComboPooledDataSource dataSource() {
      com.mchange.v2.c3p0.ComboPooledDataSource ds = new com.mchange.v2.c3p0.ComboPooledDataSource();
      ds.setJdbcUrl(pg.jdbcUrl(database));
      ds.setUser(pg.user());
      return ds;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class PoolWithCredentialsProvider {

    @Bean
    HikariDataSource dataSource() {
      HikariDataSource ds = poolOfOne();
      ds.setJdbcUrl(pg.jdbcUrl(database));
      ds.setCredentialsProvider(() -> Credentials.of(pg.user(), null));
      ds.setConnectionInitSql("SET application_name = 'named by the init SQL'");
      return ds;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class PoolOverDataSourceClass {

    @Bean
    HikariDataSource dataSource() {
      HikariDataSource ds = poolOfOne();
      ds.setDataSourceClassName("org.postgresql.ds.PGSimpleDataSource");
      ds.addDataSourceProperty("url", pg.jdbcUrl(database));
      ds.setUsername(pg.user());
      return ds;
    }
  }
}
