package io.pgintel.agent;

import io.pgintel.PgIntel;
import io.pgintel.PgIntelBuilder;
import io.pgintel.Setting;
import io.pgintel.agent.bootstrap.Bridge;
import io.pgintel.internal.PoolConnect;
import io.pgintel.trace.SessionRegistry;
import io.pgintel.trace.DriverHooks;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
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
 * The handlers run on the application's thread, inside its getConnection or the driver's connect. They look the
 * DataSource up (the last one seen, else a map), and for a DataSource or database not seen before they queue a
 * check; they never open a connection, never log, never throw (the bridge catches what slips through). A new
 * DataSource also costs one walk of the thread's stack: called from a known pool's code, it is what that pool
 * fills itself from, and is left alone.
 *
 * DataSources are kept weakly: the agent must not keep a pool alive that the application has dropped (a
 * redeployed web application, a test context). A monitor reads through a WeakDataSource for the same reason;
 * when its DataSource is collected the sweep closes it.
 *
 * The check runs on the agent's one thread: it borrows a connection (marked internal, so it is not counted),
 * reads the JDBC URL, and for PostgreSQL builds one PgIntel per server and database. All monitors
 * are started, replaced and stopped on that thread. What a database is read through is ranked: a known pool over
 * any other DataSource (a pool fills itself from a driver DataSource, which the advice sees too, often first)
 * over pgintel's own connection through the driver (for applications that only use DriverManager). A better one
 * found later takes over, keeping the session registry, so that sessions already linked stay linked.
 *
 * A DataSource that hands out another DataSource's connection inside its own getConnection (Spring's
 * AbstractRoutingDataSource, a wrapper around a pool) is skipped: reading through a router would reach whichever
 * target our thread happens to route to. The DataSources behind it are tracked as they hand out connections.
 *
 * Statements are correlated by hooks woven into the driver's statement execution (DriverHooks), which find a
 * connection's database by its URL the first time it runs a statement: what a router hands out is linked to the
 * database it reaches, and the application's objects are never wrapped.
 *
 * A driver connect that is not inside any getConnection is the application's own use of DriverManager. The check
 * waits a moment (a pool's housekeeping thread connects through the driver too, and the pool itself is usually
 * seen right after) and then, only when no DataSource reaches that database, opens one connection of pgintel's
 * own with the same URL and properties.
 */

/** Finds the application's PostgreSQL DataSources as they hand out connections, and monitors each database once. */
final class Discovery {

  private static final Logger log = LoggerFactory.getLogger(Discovery.class);
  private static final Set<String> POOLS = Set.of("com.zaxxer.hikari.HikariDataSource",
      "org.apache.tomcat.jdbc.pool.DataSource", "org.apache.commons.dbcp2.BasicDataSource",
      "com.mchange.v2.c3p0.ComboPooledDataSource", "io.agroal.pool.DataSource",
      "org.vibur.dbcp.ViburDBCPDataSource", "oracle.ucp.jdbc.PoolDataSourceImpl",
      "org.postgresql.ds.PGPoolingDataSource");
  /** Where the known pools' own code lives; see {@link #calledByPool(Class)}. */
  private static final List<String> POOL_PACKAGES = List.of("com.zaxxer.hikari.", "org.apache.tomcat.jdbc.pool.",
      "org.apache.commons.dbcp2.", "org.apache.commons.pool2.", "com.mchange.v2.c3p0.",
      "com.mchange.v2.resourcepool.", "io.agroal.pool.", "org.vibur.dbcp.", "oracle.ucp.",
      "org.postgresql.ds.PGPoolingDataSource", "org.postgresql.jdbc2.optional.PoolingDataSource");
  private static final StackWalker STACK = StackWalker.getInstance();
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final long DRIVER_GRACE_MILLIS = 2000;

  /**
   * Per thread, one read on every getConnection: {@link #INTERNAL} while pgintel itself borrows a connection (not
   * the application's, so not tracked), else null.
   */
  private static final ThreadLocal<Object> MARK = new ThreadLocal<>();
  private static final Object INTERNAL = new Object();

  private final AgentSettings settings;
  private final Map<Object, Tracked> tracked = new ConcurrentHashMap<>();
  /** The entry {@link #lookup} returned last; its referent is compared by identity, so it never keeps one alive. */
  private volatile Tracked recent;
  private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
  private final Map<String, Monitor> monitors = new ConcurrentHashMap<>();
  /** Databases the application reached through DriverManager: checked once each. */
  private final Set<String> driverDatabases = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService worker;
  private volatile boolean closed;
  private final DriverHooks hooks = new DriverHooks(this::registryFor);

  Discovery(AgentSettings settings) {
    this.settings = settings;
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pgintel-agent-discovery");
      t.setDaemon(true);
      return t;
    });
    worker.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.MINUTES);
  }

  /**
   * The bridge's handler: the connection the application gets from {@code dataSource}, always the one it was
   * given (statements are correlated by the hooks woven into the driver, not by wrappers).
   */
  Object onConnection(Object dataSource, Object connection) {
    if (!closed && MARK.get() != INTERNAL && dataSource instanceof DataSource ds && connection != null) {
      lookup(ds, true);
    }
    return connection;
  }

  /**
   * The statement hooks' question ({@link DriverHooks}): the registry of the database the driver's connection
   * reaches, or null while no monitor reads it. Once per driver connection, on the application's thread; by the
   * connection's own URL, so that a connection handed out through a router is correlated with the database it
   * reaches.
   */
  SessionRegistry registryFor(Object physical) {
    if (closed || !settings.correlation() || !(physical instanceof Connection c)) {
      return null;
    }
    try {
      String url = c.getMetaData().getURL();
      Monitor m = url == null ? null : monitors.get(PoolConnect.databaseKey(url));
      return m == null ? null : m.registry();
    } catch (SQLException e) {
      return null;
    }
  }

  /** The statement hooks to weave into the driver, answering through {@link #registryFor}. */
  DriverHooks hooks() {
    return hooks;
  }

  /** The bridge's inner handler: {@code dataSource} handed out a connection inside another getConnection. */
  void onInnerConnection(Object dataSource, Object connection) {
    if (closed || MARK.get() == INTERNAL || !(dataSource instanceof DataSource ds)) {
      return;
    }
    lookup(ds, false);
  }

  /** Marks what this thread borrows or connects, until {@link #external()}, as pgintel's own. */
  static void internal() {
    MARK.set(INTERNAL);
  }

  static void external() {
    MARK.remove();
  }

  /**
   * The entry of a DataSource, tracking it when new. Runs on every getConnection of the application: the last
   * DataSource seen answers without the map (most applications have one), and whether a new one delegates is only
   * asked when it is new.
   */
  private Tracked lookup(DataSource ds, boolean outermost) {
    Tracked t = recent;
    if (t == null || t.get() != ds) {
      t = tracked.get(new Probe(ds));
      if (t == null) {
        t = track(ds, outermost && Bridge.delegated() && !isPool(ds));
      }
      recent = t;
    }
    if (t.state == State.RETRY && System.nanoTime() - t.since > RETRY_NANOS) {
      schedule(t);
    }
    return t;
  }

  private Tracked track(DataSource ds, boolean delegates) {
    expunge();
    Tracked fresh = new Tracked(ds, collected);
    boolean poolsOwn = !delegates && !isPool(ds) && calledByPool(ds.getClass());
    fresh.state = delegates || poolsOwn ? State.SKIPPED : State.QUEUED;
    Tracked existing = tracked.putIfAbsent(fresh, fresh);
    if (existing != null) {
      return existing;
    }
    if (poolsOwn) {
      String type = ds.getClass().getName();
      run(() -> log.debug("pgintel agent: {} is what a pool fills itself from; monitoring the pool instead", type));
    } else if (delegates) {
      String type = ds.getClass().getName();
      run(() -> log.info("pgintel agent: {} hands out another DataSource's connections (routing or delegating); "
          + "monitoring the DataSources behind it instead", type));
    } else {
      schedule(fresh);
    }
    return fresh;
  }

  /**
   * The bridge's driver handler: the application, or a DataSource of its, connected through the PostgreSQL driver.
   * {@code call} is the driver, the URL, the properties (which may hold a password) and whether the connect was
   * outside any DataSource. Without {@code pgintel.agent.own-connection} {@link DeferredDiscovery} hands over only
   * those outside one.
   */
  Object onDriverConnect(Object[] call, Object connection) {
    if (closed || MARK.get() == INTERNAL || !(call[0] instanceof Driver driver) || !(call[1] instanceof String url)
        || connection == null) {
      return connection;
    }
    String database = PoolConnect.databaseKey(url);
    Monitor m = monitors.get(database);
    if ((m == null || settings.ownConnection() && m.own() == null) && driverDatabases.add(database)) {
      DriverConnection own = new DriverConnection(driver, url, call[2] instanceof Properties p ? p : null,
          database);
      try {
        // without its own connection, pgintel gives a DataSource a moment to claim the database first
        worker.schedule(() -> checkDriver(database, own), settings.ownConnection() ? 0 : DRIVER_GRACE_MILLIS,
            TimeUnit.MILLISECONDS);
      } catch (RuntimeException e) {
        // the worker is shut down: the JVM is exiting
      }
    }
    return connection;
  }

  private void schedule(Tracked t) {
    t.state = State.QUEUED;
    run(() -> check(t));
  }

  private void run(Runnable task) {
    try {
      worker.execute(task);
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
    Class<?> physical;
    internal();
    try (Connection c = ds.getConnection()) {
      url = c.getMetaData().getURL();
      // only what pgintel.agent.own-connection needs to copy the driver (by default, for a pool only)
      physical = settings.ownConnection() || settings.ownWhenPoolExhausted() && isPool(ds) ? physicalType(c) : null;
    } catch (Exception | LinkageError e) {
      t.state = State.RETRY;
      t.since = System.nanoTime();
      log.info("pgintel agent: could not borrow a connection from {} to see which database it reaches ({}); "
          + "will try again on a later getConnection", ds.getClass().getName(), e.toString());
      return;
    } finally {
      external();
    }
    if (url == null || !url.toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
      t.state = State.OTHER;
      log.debug("pgintel agent: {} is not PostgreSQL ({}); not monitored", ds.getClass().getName(),
          PoolConnect.databaseKey(String.valueOf(url)));
      return;
    }
    String database = PoolConnect.databaseKey(url);
    if (settings.ownConnection() && !driverDatabases.contains(database)) {
      DriverConnection own = ownFromConfiguration(ds, physical, database, false);
      if (own != null && connects(own, database) && driverDatabases.add(database)) {
        monitor(database, own, Rank.OWN, own, null);
        t.state = State.MONITORED;
        return;
      }
      if (own != null) {
        // it cannot connect (said so), or the pool connected meanwhile and that connect brings pgintel's own
        own.close();
      } else {
        log.info("pgintel agent: {} is set, but {} connected to {} before the agent was ready, and its settings do "
            + "not say how; reading through it until it opens a new connection", AgentSettings.OWN_CONNECTION,
            ds.getClass().getName(), database);
      }
    }
    boolean pool = isPool(ds);
    monitor(database, ds, pool ? Rank.POOL : Rank.DATA_SOURCE, null,
        pool && settings.ownWhenPoolExhausted() ? ownFromConfiguration(ds, physical, database, true) : null);
    t.state = State.MONITORED;
  }

  /**
   * Whether pgintel's own connection opens (it then stays open for the first collection). One that cannot (the
   * server at its connection limit, credentials the pool gets elsewhere) would leave the database unmonitored, so
   * the application's connections are read through instead, as without {@code pgintel.agent.own-connection}.
   */
  private boolean connects(DriverConnection own, String database) {
    try (Connection c = own.getConnection()) {
      return true;
    } catch (SQLException | RuntimeException | LinkageError e) {
      String state = e instanceof SQLException sql ? " (SQL state " + sql.getSQLState() + ")" : "";
      OwnLogin login = settings.ownLogin();
      log.warn("pgintel agent: {} is set but pgintel's own connection to {}{} failed: {}{}; reading through the "
          + "application's pool instead, where it has one", AgentSettings.OWN_CONNECTION, database,
          login == null ? "" : " as " + login, e.getMessage(), state);
      return false;
    }
  }

  /** The class of the driver's connection behind a pool's {@code c} (HikariCP unwraps to it), else c's own. */
  private static Class<?> physicalType(Connection c) {
    try {
      return c.unwrap(Connection.class).getClass();
    } catch (SQLException | RuntimeException e) {
      return c.getClass();
    }
  }

  /**
   * pgintel's own connection made as {@code pool}'s configuration says ({@link PoolConnect}), through a copy of the
   * driver of the pool's connection {@code physical}; null when the configuration does not say (the pool connected
   * before the agent was ready) or no copy can be made (the latter with a warning).
   *
   * @param onDemand for {@code when-pool-exhausted}: the copy is made, as the application's role, only when the
   *     connection is first asked for
   */
  private DriverConnection ownFromConfiguration(DataSource pool, Class<?> physical, String database,
      boolean onDemand) {
    Optional<PoolConnect.Settings> how = PoolConnect.of(pool);
    if (how.isEmpty()) {
      return null;
    }
    try {
      Class<?> driver = Class.forName("org.postgresql.Driver", false, physical.getClassLoader());
      return onDemand ? DriverConnection.isolatedOnDemand(pool, driver, how.get().url(), how.get().info(), database)
          : DriverConnection.isolated(pool, driver, how.get().url(), how.get().info(), database, settings.ownLogin());
    } catch (ClassNotFoundException | LinkageError | IllegalStateException e) {
      if (onDemand) {
        // the default: said once, not as a problem, and the pool is yielded to as with the setting false
        log.info("pgintel agent: pgintel cannot make a connection of its own to {} ({}); while {} has no connection "
            + "to spare, collectors borrow from it less often instead", database, e.getMessage(),
            pool.getClass().getName());
      } else {
        log.warn("pgintel agent: {}=true but pgintel cannot make a connection of its own ({}); reading {} through {}",
            AgentSettings.OWN_CONNECTION, e.getMessage(), database, pool.getClass().getName());
      }
      return null;
    }
  }

  /** On the agent's thread, a moment after the application first connected through the driver. */
  private void checkDriver(String database, DriverConnection own) {
    if (settings.ownConnection() && !closed) {
      DriverConnection isolated = isolated(database, own);
      if (isolated != null && connects(isolated, database)) {
        monitor(database, isolated, Rank.OWN, isolated, null);
        return;
      }
      if (isolated != null) {
        isolated.close();
        return; // the application's connections are read through, as without the setting
      }
    }
    if (closed || monitors.containsKey(database)) {
      own.close(); // a DataSource reaches it: pgintel needs no connection of its own
      return;
    }
    monitor(database, own, Rank.DRIVER, own, null);
  }

  /**
   * {@code own} through pgintel's own copy of the driver, or null, having said why, when the copy cannot be made
   * (pgintel then reads as it would without {@code pgintel.agent.own-connection}).
   */
  private DriverConnection isolated(String database, DriverConnection own) {
    try {
      return own.isolatedCopy(settings.ownLogin());
    } catch (IllegalStateException e) {
      log.warn("pgintel agent: {} is set but {}; reading {} through the application's connections instead",
          AgentSettings.OWN_CONNECTION, e.getMessage(), database);
      return null;
    }
  }

  /**
   * The monitor of {@code database}: an existing one, or one started through {@code ds}; when {@code ds} ranks
   * higher than what the existing one reads through, a new one through {@code ds} takes its place.
   *
   * @param own what {@code ds} is when it is pgintel's own connection, else null
   * @param spare pgintel's own connection for while {@code ds}'s pool is exhausted, or null
   */
  private Monitor monitor(String database, DataSource ds, Rank rank, DriverConnection own, DriverConnection spare) {
    Monitor m = monitors.computeIfAbsent(database, k -> start(k, ds, rank, new SessionRegistry(), own, spare));
    if (m != null && m.rank().compareTo(rank) < 0 && m.dataSource().get() != ds) {
      Monitor better = start(database, ds, rank, m.registry(), own, spare);
      if (better != null) {
        monitors.put(database, better);
        m.close();
        return better;
      }
    }
    for (DriverConnection unused : new DriverConnection[] {own, spare}) {
      if (unused != null && (m == null || m.own() != unused && m.spare() != unused)) {
        unused.close();
      }
    }
    return m;
  }

  private Monitor start(String database, DataSource ds, Rank rank, SessionRegistry registry,
      DriverConnection own, DriverConnection spare) {
    WeakReference<DataSource> ref = new WeakReference<>(ds);
    try {
      PgIntelBuilder builder = PgIntel.builder().dataSource(new WeakDataSource(ref)).sessionRegistry(registry)
          .settings(settings.core());
      // the agent makes its own sessions (pgintel.agent.own-connection), through its own copy of the driver
      builder.setting(Setting.OWN_CONNECTION.key(), spare != null ? AgentSettings.WHEN_POOL_EXHAUSTED : "false");
      if (spare != null) {
        builder.exhaustedPoolDataSource(spare);
      }
      PgIntel pgintel = builder.build();
      pgintel.start();
      log.info("pgintel agent: monitoring {} through {}", database, own != null ? own : ds.getClass().getName());
      return new Monitor(ref, registry, pgintel, rank, own, spare);
    } catch (RuntimeException | LinkageError e) {
      log.warn("pgintel agent: could not start monitoring {}; the application is not affected", database, e);
      return null;
    }
  }

  /**
   * Closes monitors whose DataSource the application has dropped. (A session of pgintel's own for an exhausted pool
   * is closed once unused for a while by the monitor itself: see {@link io.pgintel.internal.OwnConnection}.)
   */
  private void sweep() {
    expunge();
    monitors.forEach((database, m) -> {
      if ((m.dataSource().get() == null || m.own() != null && m.own().gone()) && monitors.remove(database, m)) {
        log.info("pgintel agent: the DataSource of {} is gone; monitoring stopped", database);
        m.close();
        // connections still open to it find their sessions again if a monitor of that database comes back
        m.registry().detachAll();
      }
    });
  }

  private void expunge() {
    Reference<?> r;
    while ((r = collected.poll()) != null) {
      tracked.remove(r);
    }
  }

  /** What the monitor of {@code database} reads through, or null while none does; for diagnostics and tests. */
  Rank rank(String database) {
    Monitor m = monitors.get(database);
    return m == null ? null : m.rank();
  }

  /** Stops every monitor, exporting what is pending; for the JVM's shutdown. */
  void close() {
    closed = true;
    worker.shutdownNow();
    monitors.values().forEach(Monitor::close);
    monitors.clear();
  }

  private enum State { QUEUED, RETRY, OTHER, MONITORED, SKIPPED }

  /**
   * What a monitor reads through, worst first; {@code OWN}, pgintel's own copy of the driver, only with
   * {@code pgintel.agent.own-connection}.
   */
  enum Rank { DRIVER, DATA_SOURCE, POOL, OWN }

  /**
   * Whether a DataSource is a connection pool the agent knows. A pool fills itself from a driver DataSource,
   * which the advice sees too, often first (a pool opens its first connection while it is built): monitoring
   * through the driver's would open a new session for every collection.
   */
  static boolean isPool(DataSource ds) {
    return POOLS.contains(ds.getClass().getName());
  }

  /**
   * Whether a known pool's code is on this thread's stack, below the getConnection being handled: the DataSource
   * (HikariCP's DriverDataSource, c3p0's DriverManagerDataSource, a driver DataSource handed to a pool) is what a
   * pool fills itself from, on the pool's own thread or inside its getConnection. Reading or wrapping through it
   * would open sessions beside the pool and hook the pool's physical connections beneath the application's. Asked
   * once per DataSource, when it is first seen; the DataSource's own frames do not count (c3p0's
   * DriverManagerDataSource lives in c3p0's package and may be used without the pool).
   */
  static boolean calledByPool(Class<?> dataSource) {
    Set<String> own = new HashSet<>();
    for (Class<?> c = dataSource; c != null; c = c.getSuperclass()) {
      own.add(c.getName());
    }
    return STACK.walk(frames -> frames.limit(256).map(StackWalker.StackFrame::getClassName)
        .anyMatch(name -> !own.contains(name) && poolCode(name)));
  }

  static boolean poolCode(String className) {
    for (String prefix : POOL_PACKAGES) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** Monitored through {@code dataSource}; {@code own} is pgintel's own connection when it reads through that. */
  private record Monitor(WeakReference<DataSource> dataSource, SessionRegistry registry, PgIntel pgintel,
      Rank rank, DriverConnection own, DriverConnection spare) {

    void close() {
      pgintel.close();
      if (own != null) {
        own.close();
      }
      if (spare != null) {
        spare.close();
      }
    }
  }

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
