package io.pgintel.spring;

import io.pgintel.internal.PoolConnect;
import java.util.Locale;
import javax.sql.DataSource;
import org.springframework.util.ClassUtils;

/**
 * Tells what a DataSource bean is without opening a connection: the pool behind wrappers and proxies, its JDBC
 * URL when the type exposes one, and so whether it is PostgreSQL, a routing DataSource, or cannot be told.
 *
 * <p>Only known types are asked (HikariCP, the PostgreSQL driver's DataSources, Spring's driver-based ones, each
 * behind a class-presence check, because the starter must load in applications that have none of them; DBCP 2,
 * Tomcat JDBC and c3p0 by their getters' names, {@link PoolConnect}).
 * Reading {@code DatabaseMetaData} would answer for every type but costs a connection on the startup path.
 */
final class DataSourceInspector {

  private static final ClassLoader LOADER = DataSourceInspector.class.getClassLoader();
  private static final boolean SPRING_JDBC =
      ClassUtils.isPresent("org.springframework.jdbc.datasource.DelegatingDataSource", LOADER);
  private static final boolean SPRING_AOP = ClassUtils.isPresent("org.springframework.aop.framework.Advised", LOADER);
  private static final boolean HIKARI = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource", LOADER);
  private static final boolean PG_DRIVER = ClassUtils.isPresent("org.postgresql.ds.common.BaseDataSource", LOADER);
  private static final String PG_DRIVER_CLASS = "org.postgresql.Driver";
  private static final int MAX_UNWRAP = 10;

  private DataSourceInspector() {}

  /** What one DataSource bean is. */
  enum Kind {
    POSTGRESQL,
    /** No URL or driver to tell by: monitored, since failing collectors only log. */
    UNKNOWN,
    OTHER_DATABASE,
    ROUTING
  }

  /**
   * One DataSource bean as pgintel sees it.
   *
   * @param target the pool behind Spring's delegating wrappers and AOP proxies: pgintel borrows from it directly,
   *     so that its own queries do not pass through tracing or transaction-aware proxies
   * @param url the JDBC URL, or null when the type does not expose one
   */
  record Inspected(String beanName, DataSource target, String url, String driverClassName, Kind kind) {

    /** What two beans reaching the same database share: host(s), port(s) and database of the URL. */
    String databaseKey() {
      if (url == null) {
        return "bean:" + beanName;
      }
      return PostgresUrl.databaseKey(url);
    }
  }

  static Inspected inspect(String beanName, DataSource bean) {
    DataSource target = unwrap(bean);
    if (SPRING_JDBC && SpringJdbc.isRouting(target)) {
      return new Inspected(beanName, target, null, null, Kind.ROUTING);
    }
    String url = null;
    String driver = null;
    if (HIKARI && Hikari.is(target)) {
      url = Hikari.url(target);
      driver = Hikari.driverClassName(target);
      DataSource inner = Hikari.inner(target);
      if (url == null && inner != null) {
        Inspected behind = inspect(beanName, inner);
        return new Inspected(beanName, target, behind.url(), behind.driverClassName(), behind.kind());
      }
    } else if (PG_DRIVER && PgDriver.is(target)) {
      return new Inspected(beanName, target, PgDriver.url(target), PG_DRIVER_CLASS, Kind.POSTGRESQL);
    } else if (SPRING_JDBC && SpringJdbc.isDriverBased(target)) {
      url = SpringJdbc.url(target);
    } else {
      url = PoolConnect.of(target).map(PoolConnect.Settings::url).orElse(null);
    }
    return new Inspected(beanName, target, url, driver, kind(url, driver));
  }

  static Kind kind(String url, String driverClassName) {
    if (url != null) {
      return PostgresUrl.isPostgres(url) ? Kind.POSTGRESQL : Kind.OTHER_DATABASE;
    }
    if (driverClassName != null) {
      return driverClassName.equals(PG_DRIVER_CLASS) ? Kind.POSTGRESQL : Kind.OTHER_DATABASE;
    }
    return Kind.UNKNOWN;
  }

  /** Peels Spring's delegating DataSources, AOP proxies and JDBC wrappers around a known pool. */
  static DataSource unwrap(DataSource ds) {
    DataSource current = ds;
    for (int i = 0; i < MAX_UNWRAP; i++) {
      DataSource next = null;
      if (SPRING_JDBC) {
        next = SpringJdbc.delegate(current);
      }
      if (next == null && SPRING_AOP) {
        next = SpringAop.target(current);
      }
      if (next == null && HIKARI && !Hikari.is(current)) {
        next = Hikari.unwrapFrom(current);
      }
      if (next == null || next == current) {
        return current;
      }
      current = next;
    }
    return current;
  }

  /** The JDBC URL forms pgintel understands: {@code jdbc:postgresql://host[:port][,host[:port]]/db?...}. */
  static final class PostgresUrl {

    private PostgresUrl() {}

    /** True for the PostgreSQL driver's URLs, also behind wrapping drivers ({@code jdbc:p6spy:postgresql:}). */
    static boolean isPostgres(String url) {
      String lower = url.toLowerCase(Locale.ROOT);
      return lower.startsWith("jdbc:") && lower.contains(":postgresql:");
    }

    /** {@code host:port/database}, lower-cased hosts, default port made explicit, parameters dropped. */
    static String databaseKey(String url) {
      String lower = url.toLowerCase(Locale.ROOT);
      int at = lower.indexOf("postgresql:");
      if (at < 0) {
        return url;
      }
      String rest = url.substring(at + "postgresql:".length());
      int query = rest.indexOf('?');
      if (query >= 0) {
        rest = rest.substring(0, query);
      }
      if (!rest.startsWith("//")) {
        // jdbc:postgresql:database means localhost:5432
        return "localhost:5432/" + rest;
      }
      rest = rest.substring(2);
      int slash = rest.indexOf('/');
      String hosts = slash < 0 ? rest : rest.substring(0, slash);
      String database = slash < 0 ? "" : rest.substring(slash + 1);
      StringBuilder key = new StringBuilder();
      for (String host : hosts.split(",")) {
        if (key.length() > 0) {
          key.append(',');
        }
        String h = host.isEmpty() ? "localhost" : host.toLowerCase(Locale.ROOT);
        // a bracketed IPv6 address carries colons of its own
        boolean hasPort = h.startsWith("[") ? h.contains("]:") : h.contains(":");
        key.append(hasPort ? h : h + ":5432");
      }
      return key + "/" + database;
    }
  }

  private static final class SpringJdbc {

    static DataSource delegate(DataSource ds) {
      return ds instanceof org.springframework.jdbc.datasource.DelegatingDataSource d ? d.getTargetDataSource() : null;
    }

    static boolean isRouting(DataSource ds) {
      return ds instanceof org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;
    }

    static boolean isDriverBased(DataSource ds) {
      return ds instanceof org.springframework.jdbc.datasource.AbstractDriverBasedDataSource;
    }

    static String url(DataSource ds) {
      return ((org.springframework.jdbc.datasource.AbstractDriverBasedDataSource) ds).getUrl();
    }
  }

  private static final class SpringAop {

    static DataSource target(DataSource ds) {
      if (ds instanceof org.springframework.aop.framework.Advised advised) {
        try {
          return advised.getTargetSource().getTarget() instanceof DataSource target ? target : null;
        } catch (Exception e) {
          // a target source that cannot hand out its target now (pooled, lazy): monitor the proxy itself
          return null;
        }
      }
      return null;
    }
  }

  private static final class Hikari {

    static boolean is(DataSource ds) {
      return ds instanceof com.zaxxer.hikari.HikariDataSource;
    }

    static String url(DataSource ds) {
      return ((com.zaxxer.hikari.HikariDataSource) ds).getJdbcUrl();
    }

    static String driverClassName(DataSource ds) {
      return ((com.zaxxer.hikari.HikariDataSource) ds).getDriverClassName();
    }

    static DataSource inner(DataSource ds) {
      return ((com.zaxxer.hikari.HikariDataSource) ds).getDataSource();
    }

    /** A JDBC wrapper (instrumentation libraries) around a Hikari pool; asking never opens a connection. */
    static DataSource unwrapFrom(DataSource ds) {
      try {
        return ds.isWrapperFor(com.zaxxer.hikari.HikariDataSource.class)
            ? ds.unwrap(com.zaxxer.hikari.HikariDataSource.class)
            : null;
      } catch (Exception e) {
        return null;
      }
    }
  }

  private static final class PgDriver {

    static boolean is(DataSource ds) {
      return ds instanceof org.postgresql.ds.common.BaseDataSource;
    }

    static String url(DataSource ds) {
      return ((org.postgresql.ds.common.BaseDataSource) ds).getUrl();
    }
  }
}
