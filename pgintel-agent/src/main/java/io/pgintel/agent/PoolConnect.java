package io.pgintel.agent;

import java.lang.reflect.Method;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * How a pool connects to the server, read from its configuration: for {@code pgintel.agent.own-connection} when the
 * pool opened its connections before the agent could see them (a {@code main} that builds its pool first thing).
 * HikariCP only, and only when it connects through the driver with a JDBC URL ({@code jdbcUrl}); a pool built on a
 * DataSource of its own, or another pool, is read through until the agent sees it connect.
 *
 * <p>What it returns may hold a password, like the properties the agent sees a driver connect with; it is handed
 * straight to a {@link DriverConnection}.
 */
final class PoolConnect {

  private static final String HIKARI = "com.zaxxer.hikari.HikariDataSource";

  private PoolConnect() {}

  /** The URL and properties the pool's driver connects with. */
  record Settings(String url, Properties info) {
    /** Host, port and database only: the properties, and the URL's parameters, may hold a password. */
    @Override
    public String toString() {
      return "Settings[" + Discovery.databaseKey(url) + "]";
    }
  }

  /** What {@code pool} connects with, when it is a HikariCP pool configured with a JDBC URL. */
  static Optional<Settings> of(DataSource pool) {
    if (!pool.getClass().getName().equals(HIKARI)) {
      return Optional.empty();
    }
    try {
      // HikariConfig's getters, public on the pool; HikariCP hands the driver these properties, user and password
      if (!(get(pool, "getJdbcUrl") instanceof String url)) {
        return Optional.empty();
      }
      Properties info = new Properties();
      if (get(pool, "getDataSourceProperties") instanceof Properties own) {
        for (String name : own.stringPropertyNames()) {
          info.setProperty(name, own.getProperty(name));
        }
      }
      if (get(pool, "getUsername") instanceof String user) {
        info.setProperty("user", user);
      }
      if (get(pool, "getPassword") instanceof String password) {
        info.setProperty("password", password);
      }
      return Optional.of(new Settings(url, info));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return Optional.empty();
    }
  }

  private static Object get(Object target, String getter) throws ReflectiveOperationException {
    Method m = target.getClass().getMethod(getter);
    return m.invoke(target);
  }
}
