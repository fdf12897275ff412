package io.pgintel.spring;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.ClassUtils;

/**
 * {@code pgintel.session.own-connection}: the session pgintel reads through while the application's HikariCP pool
 * has no connection to spare ({@code when-pool-exhausted}, the default), always ({@code true}) or never
 * ({@code false}, yielding to the exhausted pool).
 *
 * <p>The session is a HikariCP pool of at most one connection, made from the application pool's own configuration
 * (its JDBC URL or DataSource class, user, password and driver properties), named {@code pgintel} in
 * {@code pg_stat_activity}. It opens its connection only when pgintel first reads through it and closes it after
 * {@link #IDLE} unused, so an application whose pool never runs out never sees it. A pool of another kind, or a
 * HikariCP pool built on a DataSource object of its own, is not copied: pgintel yields to it as with {@code false}.
 */
final class OwnSession {

  static final String PROPERTY = "pgintel.session.own-connection";
  /** {@code application_name} of the session, as the agent names its own. */
  static final String APPLICATION_NAME = "pgintel";
  /** The session closes once unused this long; the next exhaustion opens another. */
  static final Duration IDLE = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(OwnSession.class);
  private static final boolean HIKARI =
      ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource", OwnSession.class.getClassLoader());

  private OwnSession() {}

  /** The values of {@link #PROPERTY}. */
  enum Mode {
    ALWAYS, NEVER, WHEN_POOL_EXHAUSTED;

    /** {@code true}, {@code false} or {@code when-pool-exhausted} (any case); null is the default. */
    static Mode parse(String value) {
      if (value == null) {
        return WHEN_POOL_EXHAUSTED;
      }
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "true" -> ALWAYS;
        case "false" -> NEVER;
        case "when-pool-exhausted" -> WHEN_POOL_EXHAUSTED;
        default -> throw new IllegalArgumentException(PROPERTY + ": '" + value
            + "' is not allowed; use true, false or when-pool-exhausted");
      };
    }
  }

  /**
   * A one-connection pool that connects as {@code pool} does, not connected yet; empty when {@code pool} is not a
   * HikariCP pool configured with a JDBC URL or a DataSource class name. The caller closes it.
   */
  static Optional<DataSource> beside(String beanName, DataSource pool) {
    if (!HIKARI || !Hikari.copyable(pool)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Hikari.beside(beanName, pool));
    } catch (RuntimeException e) {
      // a setting the copy refuses (its driver class not loadable from here, say) must not fail the application
      log.warn("pgintel: cannot make a session of its own beside pool '{}' ({}); borrowing from the pool only",
          beanName, e.toString());
      return Optional.empty();
    }
  }

  /**
   * {@code session} as the only DataSource of an instance ({@code true}): one that does not show itself as a
   * HikariCP pool. pgintel asks a pool it reads through whether it has a connection to spare and, finding none,
   * borrows less often; of its own pool of one, which it finds lent whenever two of its collections overlap, that
   * would slow it down for nothing. A collection that finds the session busy waits for it as for any DataSource.
   */
  static DataSource alone(DataSource session) {
    return new Alone(session);
  }

  private record Alone(DataSource session) implements DataSource, AutoCloseable {

    @Override
    public java.sql.Connection getConnection() throws java.sql.SQLException {
      return session.getConnection();
    }

    @Override
    public java.sql.Connection getConnection(String user, String password) throws java.sql.SQLException {
      return session.getConnection(user, password);
    }

    @Override
    public java.io.PrintWriter getLogWriter() throws java.sql.SQLException {
      return session.getLogWriter();
    }

    @Override
    public void setLogWriter(java.io.PrintWriter out) throws java.sql.SQLException {
      session.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws java.sql.SQLException {
      session.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws java.sql.SQLException {
      return session.getLoginTimeout();
    }

    @Override
    public java.util.logging.Logger getParentLogger() throws java.sql.SQLFeatureNotSupportedException {
      return session.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws java.sql.SQLException {
      throw new java.sql.SQLException("pgintel's own session wraps nothing it shows");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return false;
    }

    @Override
    public void close() throws Exception {
      ((AutoCloseable) session).close();
    }
  }

  /** Only touched when HikariCP is on the class path. */
  private static final class Hikari {

    static boolean copyable(DataSource ds) {
      return ds instanceof com.zaxxer.hikari.HikariDataSource h && h.getDataSource() == null
          && (h.getJdbcUrl() != null || h.getDataSourceClassName() != null);
    }

    static DataSource beside(String beanName, DataSource ds) {
      com.zaxxer.hikari.HikariDataSource pool = (com.zaxxer.hikari.HikariDataSource) ds;
      // made without a configuration object: HikariCP then starts the pool (and its threads) at the first borrow
      com.zaxxer.hikari.HikariDataSource own = new com.zaxxer.hikari.HikariDataSource();
      Properties properties = new Properties();
      properties.putAll(pool.getDataSourceProperties());
      if (pool.getJdbcUrl() != null) {
        own.setJdbcUrl(pool.getJdbcUrl());
        if (pool.getDriverClassName() != null) {
          own.setDriverClassName(pool.getDriverClassName());
        }
        // the driver's connection property; a parameter of the URL, if it has one, still wins
        properties.setProperty("ApplicationName", APPLICATION_NAME);
      } else {
        own.setDataSourceClassName(pool.getDataSourceClassName());
        if (pool.getDataSourceClassName().startsWith("org.postgresql.")) {
          // a bean property of the driver's DataSources; another class may not have it
          properties.setProperty("applicationName", APPLICATION_NAME);
        }
      }
      own.setDataSourceProperties(properties);
      own.setUsername(pool.getUsername());
      own.setPassword(pool.getPassword());
      own.setPoolName("pgintel-" + beanName);
      own.setMaximumPoolSize(1);
      own.setMinimumIdle(0);
      own.setIdleTimeout(IDLE.toMillis());
      own.setInitializationFailTimeout(-1);
      own.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
      own.setRegisterMbeans(false);
      return own;
    }
  }
}
