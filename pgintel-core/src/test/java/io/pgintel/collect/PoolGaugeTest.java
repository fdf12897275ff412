package io.pgintel.collect;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mchange.v2.c3p0.ComboPooledDataSource;
import com.zaxxer.hikari.HikariDataSource;
import io.pgintel.test.PgServer;
import io.pgintel.test.TestDataSources;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/** The pool's own counters, read from four real pools of two connections each over a real server. */
@ExtendWith(io.pgintel.test.PostgresExtension.class)
class PoolGaugeTest {

  /** Borrows connections one by one and asks the gauge after each. */
  private static void exhaustedOnlyWithBothConnectionsLent(DataSource pool) throws Exception {
    PoolGauge gauge = PoolGauge.of(pool);
    assertTrue(gauge.present(), "a gauge for " + pool.getClass().getName());
    List<Connection> lent = new ArrayList<>();
    try {
      lent.add(pool.getConnection());
      assertFalse(gauge.exhausted(), "one of two lent: one to spare");
      lent.add(pool.getConnection());
      assertTrue(gauge.exhausted(), "both lent");
      lent.remove(0).close();
      // c3p0 takes a connection back on a helper thread
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (gauge.exhausted() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertFalse(gauge.exhausted(), "one returned");
    } finally {
      for (Connection c : lent) {
        c.close();
      }
    }
  }

  @Test
  void hikariCp(PgServer pg) throws Exception {
    try (HikariDataSource pool = TestDataSources.hikari(pg.dataSource(), 2, 30_000)) {
      exhaustedOnlyWithBothConnectionsLent(pool);
    }
  }

  @Test
  void hikariCpCountsAThreadWaitingEvenWithNoRoomToSpare(PgServer pg) throws Exception {
    try (HikariDataSource pool = TestDataSources.hikari(pg.dataSource(), 1, 5_000);
        Connection held = pool.getConnection()) {
      PoolGauge gauge = PoolGauge.of(pool);
      CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
        try (Connection c = pool.getConnection()) {
          c.isValid(1);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (pool.getHikariPoolMXBean().getThreadsAwaitingConnection() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertTrue(gauge.exhausted(), "a thread is waiting");
      held.close();
      waiter.get(5, TimeUnit.SECONDS);
      assertFalse(gauge.exhausted(), "the waiter was served and returned its connection");
    }
  }

  @Test
  void hikariCpNotStartedYetIsNotExhausted(PgServer pg) throws Exception {
    // the no-argument constructor starts the pool at the first getConnection: until then it has no MXBean
    try (HikariDataSource pool = new HikariDataSource()) {
      pool.setDataSource(pg.dataSource());
      pool.setMaximumPoolSize(1);
      PoolGauge gauge = PoolGauge.of(pool);
      assertTrue(gauge.present());
      assertFalse(gauge.exhausted());
      try (Connection c = pool.getConnection()) {
        assertTrue(gauge.exhausted(), "started, its one connection lent");
      }
    }
  }

  @Test
  void dbcp2(PgServer pg) throws Exception {
    try (BasicDataSource pool = dbcp(pg, 2)) {
      exhaustedOnlyWithBothConnectionsLent(pool);
    }
  }

  @Test
  void dbcp2WithoutALimitIsNeverExhausted(PgServer pg) throws Exception {
    try (BasicDataSource pool = dbcp(pg, -1); Connection a = pool.getConnection();
        Connection b = pool.getConnection()) {
      assertFalse(PoolGauge.of(pool).exhausted(), "it opens another connection when asked");
    }
  }

  @Test
  void tomcatJdbc(PgServer pg) throws Exception {
    org.apache.tomcat.jdbc.pool.DataSource pool = new org.apache.tomcat.jdbc.pool.DataSource();
    pool.setDataSource(pg.dataSource());
    pool.setMaxActive(2);
    pool.setMaxIdle(2);
    pool.setInitialSize(0);
    pool.setMinIdle(0);
    try {
      exhaustedOnlyWithBothConnectionsLent(pool);
    } finally {
      pool.close(true);
    }
  }

  @Test
  void c3p0(PgServer pg) throws Exception {
    ComboPooledDataSource pool = new ComboPooledDataSource();
    pool.setJdbcUrl(pg.jdbcUrl("postgres"));
    pool.setUser(pg.user());
    pool.setPassword(pg.password());
    pool.setMaxPoolSize(2);
    pool.setMinPoolSize(0);
    pool.setInitialPoolSize(0);
    try {
      exhaustedOnlyWithBothConnectionsLent(pool);
    } finally {
      pool.close();
    }
  }

  @Test
  void aPlainDataSourceHasNoGauge(PgServer pg) throws Exception {
    DataSource plain = pg.dataSource();
    assertTrue(plain instanceof PGSimpleDataSource, plain.getClass().getName());
    PoolGauge gauge = PoolGauge.of(plain);
    assertSame(PoolGauge.NONE, gauge);
    try (Connection a = plain.getConnection()) {
      assertFalse(gauge.exhausted());
    }
  }

  @Test
  void aWrapperThatUnwrapsToThePoolIsReadThroughOnEveryReading(PgServer pg) throws Exception {
    try (HikariDataSource pool = TestDataSources.hikari(pg.dataSource(), 2, 30_000)) {
      AtomicReference<DataSource> target = new AtomicReference<>(pool);
      DataSource wrapper = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {DataSource.class}, (proxy, method, args) -> switch (method.getName()) {
            case "unwrap" -> {
              if (target.get() == null) {
                throw new SQLException("gone");
              }
              yield args[0] == DataSource.class ? target.get() : null;
            }
            case "getConnection" -> target.get().getConnection();
            default -> throw new UnsupportedOperationException(method.getName());
          });
      exhaustedOnlyWithBothConnectionsLent(wrapper);
      PoolGauge gauge = PoolGauge.of(wrapper);
      try (Connection a = pool.getConnection(); Connection b = pool.getConnection()) {
        assertTrue(gauge.exhausted());
        target.set(null);
        assertFalse(gauge.exhausted(), "the wrapper lost its pool: no counters, no answer");
      }
    }
  }

  private static BasicDataSource dbcp(PgServer pg, int maxTotal) {
    BasicDataSource pool = new BasicDataSource();
    pool.setUrl(pg.jdbcUrl("postgres"));
    pool.setUsername(pg.user());
    pool.setPassword(pg.password());
    pool.setMaxTotal(maxTotal);
    pool.setMaxIdle(2);
    return pool;
  }
}
