package io.pgintel.agent;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The application the agent tests start in a child JVM: it knows nothing of pgintel, makes a DataSource of the
 * PostgreSQL driver's and runs a query a few times a second. Only the JDK and the driver are on its class path.
 *
 * <p>Arguments: JDBC URL, user, seconds to run.
 */
public final class QueryingApp {

  private QueryingApp() {}

  public static void main(String[] args) throws Exception {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(args[0]);
    ds.setUser(args[1]);
    long end = System.nanoTime() + Long.parseLong(args[2]) * 1_000_000_000L;
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
  }
}
