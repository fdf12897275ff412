package io.pgintel.agent;

import io.pgintel.internal.OwnConnection;
import java.lang.ref.WeakReference;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * The agent's {@link OwnConnection}, opened with the URL and properties the application connected with: by the
 * application's PostgreSQL driver when the application uses {@code DriverManager} only, or by pgintel's own copy of
 * it ({@link IsolatedDriver}) with {@code pgintel.agent.own-connection}, then optionally as a role of its own
 * ({@link OwnLogin}). The application's own connections are never borrowed.
 *
 * <p>What the application connected with (its driver, or its pool) is held weakly, so that a redeployed
 * application's class loader can go, and monitoring ends with it.
 */
final class DriverConnection extends OwnConnection {

  /** Longer than any collection: a borrow waiting this long finds a stuck connection, not a busy one. */
  private static final Duration WAIT = Duration.ofSeconds(60);

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
    super(url, info, database, WAIT, IDLE);
    this.owner = new WeakReference<>(owner);
    this.copy = copy;
    this.toCopy = toCopy == null ? null : new WeakReference<>(toCopy);
    this.isolated = copy != null || toCopy != null;
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
    c.nameSession();
    if (login != null) {
      login.applyTo(c.info());
    }
    return c;
  }

  /** Whether what the application connected with has been unloaded: nothing left to monitor with. */
  boolean gone() {
    return owner.get() == null;
  }

  @Override
  protected Connection connect(String url, Properties info) throws SQLException {
    Object o = owner.get();
    if (o == null) {
      throw new SQLException("the application's PostgreSQL driver is gone", "08001");
    }
    Driver d = isolated ? copy() : (Driver) o;
    Discovery.internal();
    try {
      return d.connect(url, info);
    } finally {
      Discovery.external();
    }
  }

  /**
   * The copy of the driver to connect with, made now when it is made on demand; under the lock that
   * {@link #released()} takes, so that a copy is never made after, or released during, the close.
   */
  private synchronized Driver copy() throws SQLException {
    if (closed()) {
      throw new SQLException("pgintel's own connection to " + database() + " is closed", "08003");
    }
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

  @Override
  protected void released() {
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
    if (d == null || closed()) {
      throw new IllegalStateException("the application's PostgreSQL driver is gone");
    }
    DriverConnection c = isolated(d, d.getClass(), url(), info(), database(), login);
    close();
    return c;
  }

  /** Whether pgintel connects through a copy of the driver of its own. */
  boolean isolated() {
    return isolated;
  }

  @Override
  public String toString() {
    return super.toString() + (isolated ? " (its own copy of the driver)" : "");
  }
}
