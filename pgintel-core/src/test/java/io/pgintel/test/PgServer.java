package io.pgintel.test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A running PostgreSQL server handed to a test: embedded, in a container or external. Servers are shared by
 * every test class of a JVM, so a test that needs clean counters creates its own database with
 * {@link #createDatabase(String)}.
 */
public final class PgServer {

  private static final AtomicInteger DATABASE_SEQUENCE = new AtomicInteger();

  private final String label;
  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final int majorVersion;
  private final Lifecycle lifecycle;
  private final Path dataDir;

  PgServer(String label, String host, int port, String user, String password, int majorVersion,
      Lifecycle lifecycle) {
    this(label, host, port, user, password, majorVersion, lifecycle, null);
  }

  PgServer(String label, String host, int port, String user, String password, int majorVersion,
      Lifecycle lifecycle, Path dataDir) {
    this.label = label;
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
    this.majorVersion = majorVersion;
    this.lifecycle = lifecycle;
    this.dataDir = dataDir;
  }

  /** PostgreSQL major version, 13 to 18. */
  public int majorVersion() {
    return majorVersion;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String user() {
    return user;
  }

  /** The password, or null when the server needs none (the embedded one). */
  public String password() {
    return password;
  }

  public String jdbcUrl(String database) {
    return jdbcUrl(host, port, database);
  }

  private static String jdbcUrl(String host, int port, String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** A non-pooling DataSource on the given database; every getConnection() opens a new session. */
  public DataSource dataSource(String database) {
    return dataSource(user, password, database);
  }

  /**
   * A non-pooling DataSource on the given database that logs in as {@code role}, a role a test made (LOGIN, no
   * password: the harness's servers trust local connections).
   */
  public DataSource dataSourceAs(String role, String database) {
    return dataSource(role, null, database);
  }

  private DataSource dataSource(String role, String secret, String database) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setServerNames(new String[] {host});
    ds.setPortNumbers(new int[] {port});
    ds.setDatabaseName(database);
    ds.setUser(role);
    if (secret != null) {
      ds.setPassword(secret);
    }
    ds.setConnectTimeout(5);
    return ds;
  }

  public DataSource dataSource() {
    return dataSource("postgres");
  }

  public Connection connect(String database) throws SQLException {
    return connectVia(host, port, database);
  }

  /** A connection with this server's credentials through another address, such as a relay in front of it. */
  public Connection connectVia(String viaHost, int viaPort, String database) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    if (password != null) {
      props.setProperty("password", password);
    }
    return DriverManager.getConnection(jdbcUrl(viaHost, viaPort, database), props);
  }

  public Connection connect() throws SQLException {
    return connect("postgres");
  }

  /** Creates a fresh database whose statistics no other test touches, and returns its name. */
  public String createDatabase(String prefix) throws SQLException {
    String name = (prefix + "_" + ProcessHandle.current().pid() + "_" + DATABASE_SEQUENCE.incrementAndGet())
        .toLowerCase();
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return name;
  }

  /** Runs one statement on its own session in the given database. */
  public void execute(String database, String sql) throws SQLException {
    try (Connection c = connect(database); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Stops the server; only servers made with {@link PostgresServers#startPrivate(int)} can be stopped. */
  public void stop() throws Exception {
    lifecycle.stop();
  }

  /** Starts a stopped server again on the same port and data directory. */
  public void start() throws Exception {
    lifecycle.start();
  }

  /** The data directory of a private embedded server, null for the others. */
  Path dataDir() {
    return dataDir;
  }

  @Override
  public String toString() {
    return label;
  }

  interface Lifecycle {
    Lifecycle SHARED = new Lifecycle() {
      @Override
      public void stop() {
        throw new UnsupportedOperationException("shared servers cannot be stopped; use PostgresServers.startPrivate");
      }

      @Override
      public void start() {
        throw new UnsupportedOperationException("shared servers cannot be restarted");
      }
    };

    void stop() throws Exception;

    void start() throws Exception;
  }
}
