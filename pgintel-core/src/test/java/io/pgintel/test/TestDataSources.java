package io.pgintel.test;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.sql.DataSource;

/** DataSource shapes for tests, all over real PostgreSQL connections. */
public final class TestDataSources {

  private TestDataSources() {}

  /**
   * Hands out one physical connection again and again and ignores close(): a "pool" that, unlike HikariCP,
   * does not reset what a borrower changed, so a test sees exactly what pgintel left behind.
   */
  public static DataSource singleConnection(Connection physical) {
    Connection handle = keptOpen(physical);
    return forward(DataSource.class, null, () -> handle);
  }

  /**
   * Hands out whichever physical connection {@code current} names at each borrow, close() ignored: a pool whose
   * sessions differ (in age, in what they loaded), with the test choosing which one pgintel gets.
   */
  public static DataSource switching(Supplier<Connection> current) {
    return forward(DataSource.class, null, () -> keptOpen(current.get()));
  }

  /** A handle on {@code physical} whose close() does nothing, as a pool's handle leaves the connection open. */
  private static Connection keptOpen(Connection physical) {
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
          if (method.getName().equals("close")) {
            return null;
          }
          try {
            return method.invoke(physical, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** Counts getConnection() calls on a real DataSource. */
  public static DataSource counting(DataSource target, AtomicInteger calls) {
    return forward(DataSource.class, target, () -> {
      calls.incrementAndGet();
      return target.getConnection();
    });
  }

  @FunctionalInterface
  private interface ConnectionSupplier {
    Connection get() throws Exception;
  }

  private static DataSource forward(Class<DataSource> type, DataSource target, ConnectionSupplier connections) {
    return (DataSource) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (proxy, method, args) -> {
          if (method.getName().equals("getConnection")) {
            return connections.get();
          }
          if (method.getName().equals("toString")) {
            return "test DataSource";
          }
          if (target == null) {
            throw new UnsupportedOperationException(method.getName());
          }
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** A HikariCP pool of {@code size} connections over {@code target}; a borrow waits at most {@code timeoutMillis}. */
  public static HikariDataSource hikari(DataSource target, int size, long timeoutMillis) {
    HikariConfig config = new HikariConfig();
    config.setDataSource(target);
    config.setMaximumPoolSize(size);
    config.setConnectionTimeout(timeoutMillis);
    return new HikariDataSource(config);
  }
}
