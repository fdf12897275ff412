package io.pgintel.spring;

import io.pgintel.internal.OwnConnection;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.ClassUtils;

/**
 * The session of its own pgintel reads through beside an application's HikariCP pool, as
 * {@code pgintel.session.own-connection} says (core reads the setting: while the pool has no connection to spare,
 * always, or never): a HikariCP pool of at most one connection made from the pool's own configuration (its JDBC URL
 * or the PostgreSQL driver's DataSource class, user, password or credentials provider, driver properties, connection
 * init SQL), named {@code pgintel} in {@code pg_stat_activity} unless the URL names it. It opens its connection only
 * when pgintel first reads through it and closes it after {@link #IDLE} unused, so an application whose pool never
 * runs out never sees it. For DBCP 2, Tomcat JDBC and c3p0 pools core makes the session itself
 * ({@link OwnConnection#beside}), from what it can read of their configuration.
 */
final class OwnSession {

  static final String PROPERTY = "pgintel.session.own-connection";
  /** {@code application_name} of the session, as the agent names its own. */
  static final String APPLICATION_NAME = OwnConnection.APPLICATION_NAME;
  /** The session closes once unused this long; the next exhaustion opens another. */
  static final Duration IDLE = OwnConnection.IDLE;

  private static final Logger log = LoggerFactory.getLogger(OwnSession.class);
  private static final boolean HIKARI =
      ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource", OwnSession.class.getClassLoader());

  private OwnSession() {}

  /** Whether {@code pool} is a HikariCP pool of PostgreSQL that this class copies (rather than core). */
  static boolean copyable(DataSource pool) {
    return HIKARI && Hikari.copyable(pool);
  }

  /**
   * A HikariCP pool of one connection that connects as {@code pool} does, not connected yet; empty when {@code pool}
   * is not a HikariCP pool of PostgreSQL configured with a JDBC URL or the driver's DataSource class. A borrow waits
   * up to {@code wait} for its connection. The caller closes it; it is {@link AutoCloseable}.
   */
  static Optional<DataSource> beside(String beanName, DataSource pool, Duration wait) {
    if (!copyable(pool)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Hikari.beside(beanName, pool, wait));
    } catch (RuntimeException | LinkageError e) {
      // a setting the copy refuses (its driver class not loadable from here, say) must not fail the application
      log.warn("pgintel: cannot make a session of its own beside pool '{}' ({}); borrowing from the pool only",
          beanName, e.toString());
      return Optional.empty();
    }
  }

  /** Only touched when HikariCP is on the class path. */
  private static final class Hikari {

    /** Getters and setters of the pool's credentials besides user and password; newer HikariCP versions only. */
    private static final java.util.List<String> CREDENTIALS =
        java.util.List.of("CredentialsProvider", "CredentialsProviderClassName");

    static boolean copyable(DataSource ds) {
      if (!(ds instanceof com.zaxxer.hikari.HikariDataSource h) || h.getDataSource() != null) {
        return false;
      }
      return h.getJdbcUrl() != null ? DataSourceInspector.PostgresUrl.isPostgres(h.getJdbcUrl())
          : h.getDataSourceClassName() != null && h.getDataSourceClassName().startsWith("org.postgresql.");
    }

    static DataSource beside(String beanName, DataSource ds, Duration wait) {
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
        // the driver's connection property; a parameter of the URL, if it has one, wins
        properties.setProperty("ApplicationName", APPLICATION_NAME);
      } else {
        own.setDataSourceClassName(pool.getDataSourceClassName());
        // a bean property of the driver's DataSources
        properties.setProperty("applicationName", APPLICATION_NAME);
      }
      own.setDataSourceProperties(properties);
      own.setUsername(pool.getUsername());
      own.setPassword(pool.getPassword());
      copyCredentials(pool, own);
      // what the application's connections run first (a SET ROLE, a search_path): pgintel's session is like them
      own.setConnectionInitSql(pool.getConnectionInitSql());
      own.setPoolName("pgintel-" + beanName);
      own.setMaximumPoolSize(1);
      own.setMinimumIdle(0);
      own.setIdleTimeout(IDLE.toMillis());
      own.setInitializationFailTimeout(-1);
      own.setConnectionTimeout(wait.toMillis());
      own.setRegisterMbeans(false);
      return new Guarded(own);
    }

    /** A credentials provider of the pool's (rotating passwords), on the HikariCP versions that have one. */
    private static void copyCredentials(com.zaxxer.hikari.HikariDataSource pool,
        com.zaxxer.hikari.HikariDataSource own) {
      for (String name : CREDENTIALS) {
        try {
          java.lang.reflect.Method get = com.zaxxer.hikari.HikariConfig.class.getMethod("get" + name);
          Object value = get.invoke(pool);
          if (value != null) {
            com.zaxxer.hikari.HikariConfig.class.getMethod("set" + name, get.getReturnType()).invoke(own, value);
          }
        } catch (NoSuchMethodException e) {
          // an older HikariCP: user and password are all there is
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("cannot copy the pool's " + name + ": " + e.getCause(), e);
        }
      }
    }

    /**
     * pgintel's own pool as a plain DataSource: it does not show itself as a HikariCP pool, and it closes for good.
     * Not shown as a pool because pgintel asks a pool it reads through ({@code true}) whether it has a connection to
     * spare and, finding none, borrows less often; of its own pool of one, which it finds lent whenever two of its
     * collections overlap, that would slow it down for nothing (such a collection waits for the session as for any
     * DataSource). Closed for good because HikariCP starts the pool at the first borrow: a first borrow that was
     * under way when the context closed would otherwise leave a pool (a thread, a connection) behind.
     */
    private static final class Guarded implements DataSource, AutoCloseable {
      private final com.zaxxer.hikari.HikariDataSource session;
      private volatile boolean closed;

      Guarded(com.zaxxer.hikari.HikariDataSource session) {
        this.session = session;
      }

      @Override
      public java.sql.Connection getConnection() throws java.sql.SQLException {
        return checked(session.getConnection());
      }

      @Override
      public java.sql.Connection getConnection(String user, String password) throws java.sql.SQLException {
        return checked(session.getConnection(user, password));
      }

      private java.sql.Connection checked(java.sql.Connection c) throws java.sql.SQLException {
        if (closed) {
          c.close();
          if (session.getHikariPoolMXBean() instanceof com.zaxxer.hikari.pool.HikariPool started) {
            try {
              started.shutdown();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          throw new java.sql.SQLException("pgintel's own session is closed", "08003");
        }
        return c;
      }

      @Override
      public void close() {
        closed = true;
        session.close();
        // a borrow that started the pool after the close above ends in checked(), which shuts it
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
      public String toString() {
        return "pgintel's own session (HikariCP pool " + session.getPoolName() + ")";
      }

      @Override
      public <T> T unwrap(Class<T> type) throws java.sql.SQLException {
        throw new java.sql.SQLException("pgintel's own session wraps nothing it shows");
      }

      @Override
      public boolean isWrapperFor(Class<?> type) {
        return false;
      }
    }
  }
}
