package io.pgintel.agent;

import io.pgintel.PgIntel;
import io.pgintel.trace.SessionRegistry;
import io.pgintel.trace.TracingDataSource;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.sql.Connection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes.
 *
 * onConnection runs on the application's thread, inside its getConnection, for every connection it borrows. It
 * does one map lookup, and for a DataSource it has not seen before it queues a check; it never opens a
 * connection, never logs, never throws (the bridge catches what slips through).
 *
 * DataSources are kept weakly: the agent must not keep a pool alive that the application has dropped (a
 * redeployed web application, a test context). A monitor reads through a WeakDataSource for the same reason;
 * when its DataSource is collected the sweep closes it.
 *
 * The check runs on the agent's one thread: it borrows a connection (marked internal, so it is neither counted
 * nor wrapped), reads the JDBC URL, and for PostgreSQL builds one PgIntel per server and database. Two
 * DataSources reaching the same database share that PgIntel and its session registry; when one of them is a known
 * pool, the PgIntel reads through the pool.
 */

/** Finds the application's PostgreSQL DataSources as they hand out connections, and monitors each database once. */
final class Discovery {

  private static final Logger log = LoggerFactory.getLogger(Discovery.class);
  private static final Set<String> POOLS = Set.of("com.zaxxer.hikari.HikariDataSource",
      "org.apache.tomcat.jdbc.pool.DataSource", "org.apache.commons.dbcp2.BasicDataSource",
      "com.mchange.v2.c3p0.ComboPooledDataSource", "io.agroal.pool.DataSource",
      "org.vibur.dbcp.ViburDBCPDataSource", "oracle.ucp.jdbc.PoolDataSourceImpl",
      "org.postgresql.ds.PGPoolingDataSource");
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(30);

  /** True while pgintel itself borrows a connection: not the application's, so not tracked or wrapped. */
  static final ThreadLocal<Boolean> INTERNAL = ThreadLocal.withInitial(() -> Boolean.FALSE);

  private final AgentSettings settings;
  private final Map<Object, Tracked> tracked = new ConcurrentHashMap<>();
  private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
  private final Map<String, Monitor> monitors = new ConcurrentHashMap<>();
  private final ScheduledExecutorService worker;
  private volatile boolean closed;

  Discovery(AgentSettings settings) {
    this.settings = settings;
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pgintel-agent-discovery");
      t.setDaemon(true);
      return t;
    });
    worker.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.MINUTES);
  }

  /** The bridge's handler: the connection the application gets from {@code dataSource}. */
  Object onConnection(Object dataSource, Object connection) {
    if (closed || INTERNAL.get() || !(dataSource instanceof DataSource ds) || !(connection instanceof Connection c)) {
      return connection;
    }
    Tracked t = tracked.get(new Probe(ds));
    if (t == null) {
      t = track(ds);
    }
    if (t.state == State.RETRY && System.nanoTime() - t.since > RETRY_NANOS) {
      schedule(t);
    }
    SessionRegistry registry = t.registry;
    return registry == null ? connection : TracingDataSource.wrapConnection(c, registry);
  }

  private Tracked track(DataSource ds) {
    expunge();
    Tracked fresh = new Tracked(ds, collected);
    Tracked existing = tracked.putIfAbsent(fresh, fresh);
    if (existing != null) {
      return existing;
    }
    schedule(fresh);
    return fresh;
  }

  private void schedule(Tracked t) {
    t.state = State.QUEUED;
    try {
      worker.execute(() -> check(t));
    } catch (RuntimeException e) {
      // the worker is shut down: the JVM is exiting
    }
  }

  /** On the agent's thread: is this DataSource PostgreSQL, and which database does it reach? */
  private void check(Tracked t) {
    DataSource ds = t.get();
    if (ds == null || closed) {
      return;
    }
    String url;
    INTERNAL.set(Boolean.TRUE);
    try (Connection c = ds.getConnection()) {
      url = c.getMetaData().getURL();
    } catch (Exception | LinkageError e) {
      t.state = State.RETRY;
      t.since = System.nanoTime();
      log.info("pgintel agent: could not borrow a connection from {} to see which database it reaches ({}); "
          + "will try again on a later getConnection", ds.getClass().getName(), e.toString());
      return;
    } finally {
      INTERNAL.remove();
    }
    if (url == null || !url.toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
      t.state = State.OTHER;
      log.debug("pgintel agent: {} is not PostgreSQL ({}); not monitored", ds.getClass().getName(), url);
      return;
    }
    String database = databaseKey(url);
    Monitor m = monitors.computeIfAbsent(database, k -> start(k, ds, new SessionRegistry()));
    if (m != null && !m.pooled() && isPool(ds) && m.dataSource().get() != ds) {
      // a pool found after the driver DataSource it fills itself from: read through the pool instead
      Monitor pooled = start(database, ds, m.registry());
      if (pooled != null && monitors.replace(database, m, pooled)) {
        m.pgintel().close();
        m = pooled;
      } else if (pooled != null) {
        pooled.pgintel().close();
      }
    }
    t.state = State.MONITORED;
    if (m != null && settings.correlation()) {
      t.registry = m.registry();
    }
  }

  private Monitor start(String database, DataSource ds, SessionRegistry registry) {
    WeakReference<DataSource> ref = new WeakReference<>(ds);
    try {
      PgIntel pgintel = PgIntel.builder().dataSource(new WeakDataSource(ref)).sessionRegistry(registry)
          .settings(settings.core()).build();
      pgintel.start();
      log.info("pgintel agent: monitoring {} through {}", database, ds.getClass().getName());
      return new Monitor(ref, registry, pgintel, isPool(ds));
    } catch (RuntimeException | LinkageError e) {
      log.warn("pgintel agent: could not start monitoring {}; the application is not affected", database, e);
      return null;
    }
  }

  /** Host(s), port(s) and database of a JDBC URL: what two DataSources reaching the same database share. */
  static String databaseKey(String url) {
    int q = url.indexOf('?');
    return (q < 0 ? url : url.substring(0, q)).toLowerCase(Locale.ROOT);
  }

  /** Closes monitors whose DataSource the application has dropped. */
  private void sweep() {
    expunge();
    monitors.forEach((database, m) -> {
      if (m.dataSource().get() == null && monitors.remove(database, m)) {
        log.info("pgintel agent: the DataSource of {} is gone; monitoring stopped", database);
        m.pgintel().close();
      }
    });
  }

  private void expunge() {
    Reference<?> r;
    while ((r = collected.poll()) != null) {
      tracked.remove(r);
    }
  }

  /** Stops every monitor, exporting what is pending; for the JVM's shutdown. */
  void close() {
    closed = true;
    worker.shutdownNow();
    monitors.values().forEach(m -> m.pgintel().close());
    monitors.clear();
  }

  private enum State { QUEUED, RETRY, OTHER, MONITORED }

  /**
   * Whether a DataSource is a connection pool the agent knows. A pool fills itself from a driver DataSource,
   * which the advice sees too, often first (a pool opens its first connection while it is built): monitoring
   * through the driver's would open a new session for every collection.
   */
  static boolean isPool(DataSource ds) {
    return POOLS.contains(ds.getClass().getName());
  }

  /** Monitored through {@code dataSource}; {@code pooled} when that is a known pool. */
  private record Monitor(WeakReference<DataSource> dataSource, SessionRegistry registry, PgIntel pgintel,
      boolean pooled) {}

  /** Identity of a DataSource, whatever its equals says, for the weak key and the lookup probe alike. */
  private interface Identity {
    Object referent();

    static boolean same(Identity a, Object b) {
      return b instanceof Identity other && a.referent() != null && a.referent() == other.referent();
    }
  }

  /** One DataSource the application used, held weakly; the map key is the entry itself. */
  private static final class Tracked extends WeakReference<DataSource> implements Identity {
    private final int hash;
    volatile State state;
    volatile long since;
    volatile SessionRegistry registry;

    Tracked(DataSource ds, ReferenceQueue<Object> queue) {
      super(ds, queue);
      this.hash = System.identityHashCode(ds);
    }

    @Override
    public Object referent() {
      return get();
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o == this || Identity.same(this, o);
    }
  }

  /** A lookup key that holds the DataSource strongly for the length of one lookup. */
  private record Probe(Object referent) implements Identity {
    @Override
    public int hashCode() {
      return System.identityHashCode(referent);
    }

    @Override
    public boolean equals(Object o) {
      return Identity.same(this, o);
    }
  }
}
