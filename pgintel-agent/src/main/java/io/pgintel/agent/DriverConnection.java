package io.pgintel.agent;

import java.io.PrintWriter;
import java.lang.ref.WeakReference;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * One connection of pgintel's own, kept open between collections and handed to one collection at a time, opened
 * with the URL and properties the application connected with: by the application's PostgreSQL driver when the
 * application uses {@code DriverManager} only, or by pgintel's own copy of it ({@link IsolatedDriver}) with
 * {@code pgintel.agent.own-connection}, then optionally as a role of its own ({@link OwnLogin}). The application's
 * own connections are never borrowed.
 *
 * <p>The properties may hold a password. They live only in this object, in memory, for as long as the monitor
 * runs: never written anywhere, never logged ({@link #toString()} names the database only), dropped on
 * {@link #close()}. What the application connected with (its driver, or its pool) is held weakly, so that a
 * redeployed application's class loader can go, and monitoring ends with it.
 */
final class DriverConnection implements DataSource, AutoCloseable {

  /** Longer than any collection: a borrow waiting this long finds a stuck connection, not a busy one. */
  private static final long WAIT_SECONDS = 60;
  /** {@code application_name} of a session of pgintel's own beside the application's pool. */
  static final String APPLICATION_NAME = "pgintel";

  /** The application's driver (connected through unless {@link #copy} is set), or the pool that connected. */
  private final WeakReference<Object> owner;
  /**
   * pgintel's own copy of the driver ({@link IsolatedDriver}) to connect with instead; null once closed, and until
   * the first connection for a copy made on demand ({@link #isolatedOnDemand}).
   */
  private Driver copy;
  /** For a copy made on demand: the application's driver class to copy; held weakly, as the owner is. */
  private final WeakReference<Class<?>> toCopy;
  private final boolean isolated;
  private final String url;
  private final String database;
  private final Semaphore turn = new Semaphore(1);
  private Properties info;
  private Connection physical;
  /** When a collection last took the connection ({@link System#nanoTime()}). */
  private long lastUsed;
  private boolean closed;

  DriverConnection(Driver driver, String url, Properties info, String database) {
    this(driver, null, null, url, info, database);
  }

  /**
   * @param owner the application's driver, or with {@code copy} whatever of the application's bounds the monitoring
   * @param copy a copy of the application's driver in a class loader of pgintel's own to connect through, or null
   * @param toCopy without {@code copy}: the application's driver class to copy at the first connection, or null
   */
  private DriverConnection(Object owner, Driver copy, Class<?> toCopy, String url, Properties info,
      String database) {
    this.owner = new WeakReference<>(owner);
    this.copy = copy;
    this.toCopy = toCopy == null ? null : new WeakReference<>(toCopy);
    this.isolated = copy != null || toCopy != null;
    this.url = url;
    this.database = database;
    this.info = new Properties();
    // a flat copy: DriverManager's Properties may have defaults, and the caller may reuse its object
    if (info != null) {
      for (String name : info.stringPropertyNames()) {
        this.info.setProperty(name, info.getProperty(name));
      }
    }
  }

  /**
   * A connection through pgintel's own copy ({@link IsolatedDriver}) of the driver class {@code driver}, named for
   * what it is; monitoring ends when {@code owner} (the application's pool, say) is gone.
   *
   * @param login the role to log in as instead of the one {@code url} and {@code info} name, or null
   * @throws IllegalStateException with the reason when no copy can be made
   */
  static DriverConnection isolated(Object owner, Class<?> driver, String url, Properties info, String database,
      OwnLogin login) {
    return named(new DriverConnection(owner, IsolatedDriver.copyOf(driver), null,
        login == null ? url : OwnLogin.withoutCredentials(url), info, database), login);
  }

  /**
   * As {@link #isolated}, as the application's role, with the copy of the driver made only when the first
   * connection is asked for: for a connection that may never be needed ({@code when-pool-exhausted}). A copy that
   * cannot be made then fails that connection with the reason.
   *
   * @throws IllegalStateException with the reason when it is clear now that no copy can be made (a driver nested in
   *     a Spring Boot jar)
   */
  static DriverConnection isolatedOnDemand(Object owner, Class<?> driver, String url, Properties info,
      String database) {
    IsolatedDriver.location(driver);
    return named(new DriverConnection(owner, null, driver, url, info, database), null);
  }

  private static DriverConnection named(DriverConnection c, OwnLogin login) {
    // a session beside the application's: named for what it is where a DBA looks (unless the URL names one)
    c.info.setProperty("ApplicationName", APPLICATION_NAME);
    if (login != null) {
      login.applyTo(c.info);
    }
    return c;
  }

  /** Whether what the application connected with has been unloaded: nothing left to monitor with. */
  boolean gone() {
    return owner.get() == null;
  }

  @Override
  public Connection getConnection() throws SQLException {
    try {
      if (!turn.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new SQLException("pgintel's own connection to " + database + " is still in use", "08001");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for pgintel's own connection", "08001", e);
    }
    try {
      Connection c = open();
      return (Connection) Proxy.newProxyInstance(DriverConnection.class.getClassLoader(),
          new Class<?>[] {Connection.class}, new Lease(c, turn, this::broken));
    } catch (SQLException | RuntimeException e) {
      turn.release();
      throw e;
    }
  }

  private synchronized Connection open() throws SQLException {
    if (closed) {
      throw new SQLException("monitoring of " + database + " has stopped", "08003");
    }
    lastUsed = System.nanoTime();
    if (physical != null && !physical.isClosed()) {
      return physical;
    }
    Object o = owner.get();
    if (o == null) {
      throw new SQLException("the application's PostgreSQL driver is gone", "08001");
    }
    Driver d = isolated ? copy() : (Driver) o;
    Discovery.internal();
    try {
      physical = d.connect(url, info);
    } finally {
      Discovery.external();
    }
    if (physical == null) {
      throw new SQLException("the PostgreSQL driver did not accept the application's URL", "08001");
    }
    return physical;
  }

  /** The copy of the driver to connect with, made now when it is made on demand. */
  private Driver copy() throws SQLException {
    if (copy == null) {
      Class<?> driver = toCopy == null ? null : toCopy.get();
      if (driver == null) {
        throw new SQLException("the application's PostgreSQL driver is gone", "08001");
      }
      try {
        copy = IsolatedDriver.copyOf(driver);
      } catch (IllegalStateException e) {
        throw new SQLException(e.getMessage(), "08001", e);
      }
    }
    return copy;
  }

  /**
   * A connection-level failure (SQL state class 08, or 57P: the server ended the session) on {@code c}: it is
   * closed so that the next collection opens a new one instead of failing on it for as long as the monitor runs.
   */
  private synchronized void broken(Connection c) {
    if (physical == c) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // broken already
      }
      physical = null;
    }
  }

  /**
   * Closes the session when no collection has taken it for {@code idle} and none holds it now; the next collection
   * opens a new one. For a connection used only while the application's pool is exhausted: no session of pgintel's
   * stays beside a pool that has long had connections to spare.
   *
   * @return whether a session was closed
   */
  synchronized boolean closeIfIdle(Duration idle) {
    if (physical == null || System.nanoTime() - lastUsed < idle.toNanos() || !turn.tryAcquire()) {
      return false;
    }
    try {
      physical.close();
    } catch (SQLException ignored) {
      // the server or the network already closed it
    } finally {
      physical = null;
      turn.release();
    }
    return true;
  }

  /** Closes pgintel's own connection and forgets the properties, password included. */
  @Override
  public synchronized void close() {
    closed = true;
    info = new Properties();
    if (physical != null) {
      try {
        physical.close();
      } catch (SQLException ignored) {
        // the server or the network already closed it
      }
      physical = null;
    }
    if (copy != null) {
      IsolatedDriver.release(copy);
      copy = null;
    }
  }

  /**
   * The same connection made through a copy of the driver of pgintel's own ({@link IsolatedDriver}); this one is
   * closed (its properties forgotten) once the copy exists.
   *
   * @throws IllegalStateException with the reason when no copy can be made; this one is then left as it was
   */
  synchronized DriverConnection isolatedCopy(OwnLogin login) {
    Object d = owner.get();
    if (d == null || closed) {
      throw new IllegalStateException("the application's PostgreSQL driver is gone");
    }
    DriverConnection c = isolated(d, d.getClass(), url, info, database, login);
    close();
    return c;
  }

  /** Whether pgintel connects through a copy of the driver of its own. */
  boolean isolated() {
    return isolated;
  }

  @Override
  public String toString() {
    return "pgintel's own connection to " + database + (isolated ? " (its own copy of the driver)" : "");
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("pgintel connects as the application did");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // nothing is logged through JDBC
  }

  @Override
  public void setLoginTimeout(int seconds) {
    // the application's URL and properties decide
  }

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("not a DataSource of the application's");
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new SQLException("not a wrapper for " + type.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return type.isInstance(this);
  }

  /** One collection's turn on the connection: closing it ends the turn, the connection stays open. */
  private static final class Lease implements InvocationHandler {
    private final Connection target;
    private final Semaphore turn;
    private final Consumer<Connection> broken;
    private final AtomicBoolean returned = new AtomicBoolean();

    Lease(Connection target, Semaphore turn, Consumer<Connection> broken) {
      this.target = target;
      this.turn = turn;
      this.broken = broken;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "close" -> {
          if (returned.compareAndSet(false, true)) {
            turn.release();
          }
          return null;
        }
        case "isClosed" -> {
          return returned.get() || target.isClosed();
        }
        default -> {
          if (returned.get()) {
            throw new SQLException("connection already returned", "08003");
          }
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            if (e.getCause() instanceof SQLException failure && failure.getSQLState() != null
                && (failure.getSQLState().startsWith("08") || failure.getSQLState().startsWith("57P"))) {
              broken.accept(target);
            }
            throw e.getCause();
          }
        }
      }
    }
  }
}
