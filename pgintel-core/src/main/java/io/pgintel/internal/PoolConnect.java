package io.pgintel.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * How a pool connects to the server, read from its configuration, for a session of pgintel's own beside it
 * ({@link OwnConnection}): the agent's when the pool opened its connections before the agent could see them, the
 * Spring starter's for pools other than HikariCP. HikariCP, DBCP 2, Tomcat JDBC and c3p0, each only when it connects
 * through the driver with a JDBC URL; for a pool built on a DataSource of its own, or another pool, nothing.
 *
 * <p>What it returns may hold a password; it is handed straight to an {@link OwnConnection}.
 *
 * <p>Not part of pgintel's API: shared by its modules, and may change in any release.
 */
public final class PoolConnect {

  /**
   * Each pool's getters for its JDBC URL, user, password (null: in the properties) and the properties it hands the
   * driver (the pool passes user and password over those), and for the DataSource it connects through instead of
   * the URL when it has one; by the pool's class (or a superclass) name.
   */
  private static final Map<String, Getters> POOLS = Map.of(
      "com.zaxxer.hikari.HikariDataSource",
      new Getters("getJdbcUrl", "getUsername", "getPassword", "getDataSourceProperties", null),
      // DBCP 2's properties getter is package-private
      "org.apache.commons.dbcp2.BasicDataSource",
      new Getters("getUrl", "getUsername", "getPassword", "getConnectionProperties", null),
      "org.apache.tomcat.jdbc.pool.DataSourceProxy",
      // Tomcat's getPassword() answers a placeholder; setPassword puts the password in its driver properties
      new Getters("getUrl", "getUsername", null, "getDbProperties", "getDataSource"),
      "com.mchange.v2.c3p0.AbstractComboPooledDataSource",
      new Getters("getJdbcUrl", "getUser", "getPassword", "getProperties", null));

  private PoolConnect() {}

  /** The URL and properties the pool's driver connects with. */
  public record Settings(String url, Properties info) {
    /** Host, port and database only: the properties, and the URL's parameters, may hold a password. */
    @Override
    public String toString() {
      return "Settings[" + databaseKey(url) + "]";
    }
  }

  private record Getters(String url, String user, String password, String properties, String dataSource) {}

  /** What {@code pool} connects with, when it is a pool named in {@link #POOLS} configured with a JDBC URL. */
  public static Optional<Settings> of(DataSource pool) {
    Getters getters = null;
    for (Class<?> c = pool.getClass(); c != null && getters == null; c = c.getSuperclass()) {
      getters = POOLS.get(c.getName());
    }
    if (getters == null) {
      return Optional.empty();
    }
    try {
      // HikariCP configured with a DataSource has no URL; Tomcat JDBC on one ignores its URL
      if (!(get(pool, getters.url()) instanceof String url) || url.isBlank()
          || getters.dataSource() != null && get(pool, getters.dataSource()) != null) {
        return Optional.empty();
      }
      Properties info = new Properties();
      if (optional(pool, getters.properties()) instanceof Properties own) {
        for (String name : own.stringPropertyNames()) {
          info.setProperty(name, own.getProperty(name));
        }
      }
      if (get(pool, getters.user()) instanceof String user) {
        info.setProperty("user", user);
      }
      if (getters.password() != null && get(pool, getters.password()) instanceof String password) {
        info.setProperty("password", password);
      }
      return Optional.of(new Settings(url, info));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return Optional.empty();
    }
  }

  /**
   * Host(s), port(s) and database of a JDBC URL, lower case: what two DataSources reaching the same database share,
   * and what may be logged of a URL (its parameters may hold a password).
   */
  public static String databaseKey(String url) {
    int q = url.indexOf('?');
    return (q < 0 ? url : url.substring(0, q)).toLowerCase(Locale.ROOT);
  }

  private static Object get(Object target, String getter) throws ReflectiveOperationException {
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      try {
        Method m = c.getDeclaredMethod(getter);
        if (!Modifier.isPublic(m.getModifiers()) || !Modifier.isPublic(c.getModifiers())) {
          m.setAccessible(true);
        }
        return m.invoke(target);
      } catch (NoSuchMethodException e) {
        // declared higher up
      }
    }
    throw new NoSuchMethodException(target.getClass().getName() + "." + getter + "()");
  }

  /** A getter some versions lack, or that refuses: null. */
  private static Object optional(Object target, String getter) {
    try {
      return get(target, getter);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }
}
