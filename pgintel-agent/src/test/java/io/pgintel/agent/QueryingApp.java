package io.pgintel.agent;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The application the agent tests start in a child JVM: it knows nothing of pgintel, makes a DataSource (the
 * PostgreSQL driver's, or a HikariCP pool) and runs a query a few times a second. Only the JDK, the driver and
 * HikariCP are on its class path.
 *
 * <p>Arguments: {@code simple} or {@code hikari}, JDBC URL, user, seconds to run.
 */
public final class QueryingApp {

  private QueryingApp() {}

  public static void main(String[] args) throws Exception {
    DataSource ds = args[0].equals("hikari") ? hikari(args[1], args[2]) : simple(args[1], args[2]);
    long end = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000_000L;
    boolean wrapped = false;
    int queries = 0;
    while (System.nanoTime() < end) {
      try (Connection c = ds.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_class")) {
        rs.next();
        queries++;
        wrapped = Proxy.isProxyClass(c.getClass());
      }
      Thread.sleep(100);
    }
    System.out.println("queries=" + queries);
    System.out.println("wrapped=" + wrapped);
    System.out.println("agent.active=" + System.getProperty("pgintel.agent.active"));
    if (ds instanceof HikariDataSource pool) {
      pool.close();
    }
  }

  private static DataSource simple(String url, String user) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url);
    ds.setUser(user);
    return ds;
  }

  private static DataSource hikari(String url, String user) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setMaximumPoolSize(3);
    return new HikariDataSource(config);
  }
}
