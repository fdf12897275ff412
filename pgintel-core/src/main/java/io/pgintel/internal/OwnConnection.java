package io.pgintel.internal;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * One connection of pgintel's own, kept open between collections and handed to one collection at a time: the
 * session the agent and the Spring starter read through beside the application's pool, never one of the pool's.
 * Closing what {@link #getConnection()} returned ends that collection's turn; the session stays open until it has
 * been unused for a while ({@link #closeIfIdle}, which pgintel's session factory calls whenever it borrows from the
 * application's pool instead), fails at the connection level (the next turn opens another), or this is closed for
 * good.
 *
 * <p>The properties may hold a password. They live only in this object, in memory: never written anywhere, never
 * logged ({@link #toString()} names the database only), dropped on {@link #close()}.
 *
 * <p>Not part of pgintel's API: shared by its modules, and may change in any release.
 */
public abstract class OwnConnection implements DataSource, AutoCloseable {

  /** {@code application_name} of a session of pgintel's own, where a DBA looks (unless the URL names one). */
  public static final String APPLICATION_NAME = "pgintel";
  /** How long a session unused is kept open, by default: it is not wanted beside a pool with connections to spare. */
  public static final Duration IDLE = Duration.ofMinutes(10);
  /** The shortest wait of a borrow from the session, {@link #waitFor}. */
  private static final Duration MIN_WAIT = Duration.ofSeconds(30);

  private final String url;
  private final String database;
  private final long waitNanos;
  private final long idleNanos;
  private final Semaphore turn = new Semaphore(1);
  private Properties info;
  private Connection physical;
  /** When a collection last took or returned the connection ({@link System#nanoTime()}). */
  private volatile long lastUsed;
  private boolean closed;

  /**
   * @param info the driver's properties, copied
   * @param database what {@link #toString()} names: the database, never a password
   * @param wait how long a collection waits for the turn of another; longer than any collection, so that a wait
   *     this long finds a stuck connection rather than a busy one
   * @param idle how long the session is kept open unused ({@link #closeIfIdle()})
   */
  protected OwnConnection(String url, Properties info, String database, Duration wait, Duration idle) {
    this.url = url;
    this.database = database;
    this.waitNanos = wait.toNanos();
    this.idleNanos = idle.toNanos();
    this.info = new Properties();
    // a flat copy: DriverManager's Properties may have defaults, and the caller may reuse its object
    if (info != null) {
      for (String name : info.stringPropertyNames()) {
        this.info.setProperty(name, info.getProperty(name));
      }
    }
  }

  /**
   * How long a borrow from a session of pgintel's own waits for its turn, given how long pgintel waits for a
   * connection ({@code borrow-timeout}): twice that and at least 30 s, so that a wait pgintel gave up on (another
   * collection still had the session) is not taken for a session that cannot connect.
   */
  public static Duration waitFor(Duration borrowTimeout) {
    Duration twice = borrowTimeout.multipliedBy(2);
    return twice.compareTo(MIN_WAIT) > 0 ? twice : MIN_WAIT;
  }

  /**
   * A session opened by the PostgreSQL driver as {@code pool}'s configuration says ({@link PoolConnect}), not
   * connected yet, named {@link #APPLICATION_NAME}; empty when {@code pool} is not a pool whose configuration
   * {@link PoolConnect} reads, or does not connect with a URL of the PostgreSQL driver itself (a wrapping driver's
   * is not copied).
   *
   * @throws ReflectiveOperationException when the driver cannot be loaded where the pool's classes or pgintel's are
   */
  public static Optional<OwnConnection> beside(DataSource pool, Duration wait) throws ReflectiveOperationException {
    return beside(pool, wait, IDLE);
  }

  /** As {@link #beside(DataSource, Duration)}, kept open unused for {@code idle} ({@link #closeIfIdle()}). */
  public static Optional<OwnConnection> beside(DataSource pool, Duration wait, Duration idle)
      throws ReflectiveOperationException {
    Optional<PoolConnect.Settings> how = PoolConnect.of(pool);
    if (how.isEmpty() || !how.get().url().toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
      return Optional.empty();
    }
    String url = how.get().url();
    return Optional.of(through(postgresDriver(pool), url, how.get().info(), PoolConnect.databaseKey(url), wait,
        idle));
  }

  private static Driver postgresDriver(DataSource pool) throws ReflectiveOperationException {
    Class<?> driver;
    try {
      driver = Class.forName("org.postgresql.Driver", true, pool.getClass().getClassLoader());
    } catch (ClassNotFoundException e) {
      driver = Class.forName("org.postgresql.Driver", true, OwnConnection.class.getClassLoader());
    }
    return (Driver) driver.getDeclaredConstructor().newInstance();
  }

  /**
   * A session opened by {@code driver} as {@code info} says, named {@link #APPLICATION_NAME} (a parameter of the URL,
   * if it has one, wins).
   */
  public static OwnConnection through(Driver driver, String url, Properties info, String database, Duration wait,
      Duration idle) {
    OwnConnection own = new OwnConnection(url, info, database, wait, idle) {
      @Override
      protected Connection connect(String url, Properties info) throws SQLException {
        return driver.connect(url, info);
      }
    };
    own.nameSession();
    return own;
  }

  /**
   * Another session like this one (its URL, properties and way of connecting), kept open unused for {@code idle}:
   * for work that must not take this one's turn for long. Closing it leaves this one open; once this one is closed,
   * it connects no more where this one's way of connecting ends with it.
   */
  public final OwnConnection sibling(Duration idle) {
    OwnConnection parent = this;
    Properties same;
    synchronized (this) {
      same = info;
    }
    return new OwnConnection(url, same, database, Duration.ofNanos(waitNanos), idle) {
      @Override
      protected Connection connect(String url, Properties info) throws SQLException {
        return parent.connect(url, info);
      }
    };
  }

  /**
   * Bounds how long a connect waits for the server's answer (the driver's {@code loginTimeout}, whole seconds), unless
   * the URL or the properties set one: for a session whose connect must not hang a thread for ever.
   */
  public final synchronized void boundLogin(Duration timeout) {
    if (info.getProperty("loginTimeout") == null && !url.contains("loginTimeout=")) {
      info.setProperty("loginTimeout", Long.toString(Math.max(1, timeout.toSeconds())));
    }
  }

  /** Names the session {@link #APPLICATION_NAME} where a DBA looks (a parameter of the URL, if it has one, wins). */
  protected final synchronized void nameSession() {
    info.setProperty("ApplicationName", APPLICATION_NAME);
  }

  /**
   * Opens the session; called by one collection at a time (the one whose turn it is), without this object's lock,
   * so that {@link #close()} never waits for a connect.
   *
   * @return the connection, or null when the driver does not accept {@code url}
   */
  protected abstract Connection connect(String url, Properties info) throws SQLException;

  /** Called once when this is closed for good, with this object's lock held; for what a subclass holds besides. */
  protected void released() {}

  /** The properties connected with: for a subclass to adjust before the first connection, or to copy. */
  protected final synchronized Properties info() {
    return info;
  }

  protected final String url() {
    return url;
  }

  protected final String database() {
    return database;
  }

  /** Whether {@link #close()} has been called. */
  protected final synchronized boolean closed() {
    return closed;
  }

  @Override
  public Connection getConnection() throws SQLException {
    try {
      if (!turn.tryAcquire(waitNanos, TimeUnit.NANOSECONDS)) {
        throw new SQLException("pgintel's own connection to " + database + " is still in use", "08001");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for pgintel's own connection", "08001", e);
    }
    try {
      Connection c = open();
      return (Connection) Proxy.newProxyInstance(OwnConnection.class.getClassLoader(),
          new Class<?>[] {Connection.class}, new Lease(c, this::endTurn, this::broken));
    } catch (SQLException | RuntimeException e) {
      turn.release();
      throw e;
    }
  }

  /** The session, opened now if there is none; only ever called by the collection whose turn it is. */
  private Connection open() throws SQLException {
    Properties with;
    synchronized (this) {
      if (closed) {
        throw closedException();
      }
      lastUsed = System.nanoTime();
      if (physical != null && !physical.isClosed()) {
        return physical;
      }
      with = info;
    }
    // outside the lock: a connect may take the driver's whole connect timeout, and close() must not wait for it
    Connection fresh = connect(url, with);
    if (fresh == null) {
      throw new SQLException("the PostgreSQL driver did not accept the application's URL", "08001");
    }
    synchronized (this) {
      if (!closed) {
        physical = fresh;
        return fresh;
      }
    }
    closeQuietly(fresh);
    throw closedException();
  }

  private SQLException closedException() {
    return new SQLException("pgintel's own connection to " + database + " is closed", "08003");
  }

  private void endTurn() {
    lastUsed = System.nanoTime();
    turn.release();
  }

  /**
   * A connection-level failure (SQL state class 08, or 57P: the server ended the session) on {@code c}: it is
   * closed so that the next collection opens a new one instead of failing on it for as long as the monitor runs.
   */
  private void broken(Connection c) {
    synchronized (this) {
      if (physical != c) {
        return;
      }
      physical = null;
    }
    closeQuietly(c);
  }

  /**
   * Closes the session when no collection has had it for the idle time and none holds it now; the next collection
   * opens a new one. Never waits: a session in use, or being opened, is left alone.
   *
   * @return whether a session was closed
   */
  public boolean closeIfIdle() {
    if (!turn.tryAcquire()) {
      return false;
    }
    try {
      Connection idle;
      synchronized (this) {
        if (physical == null || System.nanoTime() - lastUsed < idleNanos) {
          return false;
        }
        idle = physical;
        physical = null;
      }
      closeQuietly(idle);
      return true;
    } finally {
      turn.release();
    }
  }

  /**
   * Closes the session for good and forgets the properties, password included. Never waits for a collection's
   * connect: one under way closes what it opened when it ends.
   */
  @Override
  public void close() {
    Connection open;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      info = new Properties();
      open = physical;
      physical = null;
      released();
    }
    if (open != null) {
      closeQuietly(open);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // the server or the network already closed it
    }
  }

  @Override
  public String toString() {
    return "pgintel's own connection to " + database;
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
    private final Runnable end;
    private final Consumer<Connection> broken;
    private final AtomicBoolean returned = new AtomicBoolean();

    Lease(Connection target, Runnable end, Consumer<Connection> broken) {
      this.target = target;
      this.end = end;
      this.broken = broken;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "close" -> {
          if (returned.compareAndSet(false, true)) {
            end.run();
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
