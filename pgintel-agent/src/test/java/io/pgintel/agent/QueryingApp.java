package io.pgintel.agent;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import javax.management.ObjectName;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The application the agent tests start in a child JVM: it knows nothing of pgintel, makes a DataSource (the
 * PostgreSQL driver's, or a HikariCP pool) or uses {@code DriverManager} alone, and runs a query a few times a
 * second. Only the JDK, the driver, HikariCP and the libraries of the chosen pool are on its class path. It reports the most sessions it saw in its
 * database besides its own: with {@code drivermanager} these are pgintel's.
 *
 * <p>Arguments: {@code simple}, {@code hikari}, {@code drivermanager} or a kind {@link Pools} makes, JDBC URL,
 * user, seconds to run. With {@code -Dqueryingapp.hold-all-seconds=S} and {@code hikari}, after 30 queries the
 * application borrows every connection of its pool and holds them for S seconds: an exhausted pool.
 */
public final class QueryingApp {

  private QueryingApp() {}

  /** The routing DataSource's key for this thread: which of its two databases a connection comes from. */
  static final ThreadLocal<String> ROUTE = ThreadLocal.withInitial(() -> "a");

  /** Sent with every DriverManager connect; the tests check it never shows up in the output. */
  static final String PASSWORD = "pw-never-logged-7d1e";

  public static void main(String[] args) throws Exception {
    // an application whose startup takes a while (an embedded server, say): its DataSource classes load after the
    // agents have installed their transformers, not before
    Thread.sleep(Integer.getInteger("queryingapp.start-delay-ms", 0));
    DataSource ds = switch (args[0]) {
      case "hikari" -> hikari(args[1], args[2]);
      case "drivermanager" -> driverManager(args[1], args[2]);
      case "simple" -> simple(args[1], args[2]);
      default -> Pools.create(args[0], args[1], args[2]);
    };
    long end = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000_000L;
    boolean linked = false;
    String physical = "";
    int queries = 0;
    long otherSessions = 0;
    int holdAllSeconds = Integer.getInteger("queryingapp.hold-all-seconds", 0);
    boolean watchPgintel = Boolean.getBoolean("queryingapp.pgintel-sessions");
    boolean reportOrders = Boolean.getBoolean("queryingapp.report-orders");
    Set<String> pgintelSessions = new TreeSet<>();
    while (System.nanoTime() < end) {
      try (Connection c = ds.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE datname = current_database() "
              + "AND pid <> pg_backend_pid() AND backend_type = 'client backend') FROM pg_stat_activity")) {
        rs.next();
        otherSessions = Math.max(otherSessions, rs.getLong(1));
        if (queries++ == 0) {
          System.out.println("first query done");
        }
        linked = linkedToItsSession(c);
        if (reportOrders) {
          reportOrders(c);
          logOrders(c);
        }
        if (watchPgintel) {
          watchPgintel(c, pgintelSessions);
        }
        if (ds instanceof HikariDataSource pool) {
          // the driver connection HikariCP holds: one the pool made after the agent knew the database
          physical = c.unwrap(Connection.class).getClass().getName();
          if (queries == 20) {
            pool.getHikariPoolMXBean().softEvictConnections();
          }
        }
      }
      if (holdAllSeconds > 0 && queries == 30 && ds instanceof HikariDataSource pool) {
        holdAll(pool, holdAllSeconds);
      }
      // a routing application: every other borrow reaches the second database
      ROUTE.set(queries % 2 == 0 ? "a" : "b");
      Thread.sleep(100);
    }
    System.out.println("queries=" + queries);
    System.out.println("linked=" + linked);
    System.out.println("physical=" + physical);
    System.out.println("otherSessions.max=" + otherSessions);
    System.out.println("agent.active=" + System.getProperty("pgintel.agent.active"));
    System.out.println("compiler.directives=" + compilerDirectives());
    if (watchPgintel) {
      System.out.println("pgintel.sessions=" + pgintelSessions);
    }
    if (Boolean.getBoolean("queryingapp.hotloop")) {
      // after the first borrow, so the agent's directives are in place
      System.out.println("hotloop=" + io.pgintel.app.HotLoop.run(1_500));
    }
    if (ds instanceof AutoCloseable pool) {
      pool.close();
    }
  }

  /**
   * Application code whose line a top query should name: a prepared statement that runs long enough (50 ms) for
   * the activity sampler to catch it running through the agent's hooks in the driver.
   */
  static void reportOrders(Connection c) throws Exception {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_sleep(0.05), ?::int AS orders")) {
      ps.setInt(1, 42);
      ps.executeQuery().close(); // REPORT_ORDERS_LINE
    }
  }

  /** The same, as a batch: the hooks on the driver's batch execution see the batch's list of queries. */
  static void logOrders(Connection c) throws Exception {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS orders_log (n int)");
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders_log SELECT ?::int FROM pg_sleep(0.02)")) {
      for (int i = 0; i < 3; i++) {
        ps.setInt(1, i);
        ps.addBatch();
      }
      ps.executeBatch(); // LOG_ORDERS_LINE
    }
  }

  /**
   * Adds to {@code names} the application name of every session of this database whose last statement was pgintel's
   * (its statements begin with a comment naming it), and {@code "session named pgintel"} while one is connected.
   */
  private static void watchPgintel(Connection c, Set<String> names) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT DISTINCT CASE WHEN query LIKE "
        + "'/* pgintel%' THEN application_name ELSE 'session named pgintel' END FROM pg_stat_activity WHERE datname "
        + "= current_database() AND (query LIKE '/* pgintel%' OR application_name = 'pgintel')")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
  }

  /** Borrows every connection the pool may have and keeps them for {@code seconds}. */
  private static void holdAll(HikariDataSource pool, int seconds) throws Exception {
    List<Connection> held = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < pool.getMaximumPoolSize(); i++) {
        held.add(pool.getConnection());
      }
      System.out.println("holding all " + held.size() + " connections");
      Thread.sleep(seconds * 1000L);
    } finally {
      for (Connection c : held) {
        c.close();
      }
    }
  }

  /**
   * Whether the agent records this connection's statements for its own session: the backend pid the agent's
   * statement hooks linked the driver's connection to, asked through the agent's bridge (on the bootstrap class path
   * when the agent runs), is the connection's own.
   */
  static boolean linkedToItsSession(Connection c) {
    try {
      PGConnection physical = c.unwrap(PGConnection.class);
      // from the bootstrap class loader only: asked through the application's, an attached agent's jar could
      // define the bridge there first, and the agent would refuse to start
      Object pid = Class.forName("io.pgintel.agent.bootstrap.Bridge", false, null)
          .getMethod("linkedPid", Object.class).invoke(null, physical);
      return pid instanceof Integer p && p > 0 && p == physical.getBackendPID();
    } catch (ReflectiveOperationException | java.sql.SQLException e) {
      return false;
    }
  }

  /** The patterns of the JIT compiler's directives in this JVM, as {@code jcmd Compiler.directives_print} lists them. */
  static List<String> compilerDirectives() throws Exception {
    Object printed = ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesPrint",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    return String.valueOf(printed).lines().filter(l -> l.contains("matching:")).map(String::strip).toList();
  }

  static HikariDataSource hikari(String url, String user) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setMaximumPoolSize(3);
    return new HikariDataSource(config);
  }

  private static DataSource simple(String url, String user) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url);
    ds.setUser(user);
    return ds;
  }

  /** Not a DataSource to the agent (no such class name): each call is a plain DriverManager.getConnection. */
  private static DataSource driverManager(String url, String user) {
    Properties info = new Properties();
    info.setProperty("user", user);
    info.setProperty("password", PASSWORD);
    return (DataSource) Proxy.newProxyInstance(QueryingApp.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, arguments) -> {
          if (method.getName().equals("getConnection")) {
            return DriverManager.getConnection(url, info);
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }
}
