package io.pgintel.collect;

import io.pgintel.internal.DaemonThreads;
import io.pgintel.internal.OwnConnection;
import io.pgintel.runtime.RateLimitedLog;
import io.pgintel.trace.BackendPid;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way pgintel touches the database: borrow, run read-only with {@code statement_timeout} and
 * {@code lock_timeout} set for the transaction only, restore, return. With pgjdbc and a connection in autocommit
 * each query is a transaction of its own that carries its settings: one round trip per query, nothing to commit
 * (see {@link SqlSession}).
 *
 * <p>Every round trip counts while the connection is held: an application whose pool is as large as its busy
 * threads has none to spare, so one of its threads waits, and the pool hands connections from thread to thread
 * (yielding and parking) until pgintel returns it. On a saturated machine each round trip is also a wait for
 * pgintel's thread to be scheduled again, and so is handing the connection from one of pgintel's threads to
 * another: the thread that borrows it does the work.
 *
 * <p>That thread is not the caller's, so that the wait is bounded even when the pool's own timeout is
 * 30 seconds: after {@code borrowTimeout} the tick is given up, and a connection that arrives later is handed
 * straight back to the pool. While such an abandoned borrow is still waiting, later ticks are skipped at once
 * instead of queueing more waiters on a pool that is evidently exhausted.
 *
 * <p>The borrowed connection is returned as it came: autocommit and read-only flag are read before and restored
 * after (with autocommit on and pgjdbc, neither is touched); settings are changed for the transaction only
 * ({@code set_config(..., true)}), so they end with it. The isolation level is
 * never changed, so it is not read either: pgjdbc answers {@code getTransactionIsolation()} with a
 * {@code SHOW TRANSACTION ISOLATION LEVEL} round trip, which would be two statements more per collection.
 *
 * <p>Given a DataSource of pgintel's own for when the application's pool has no connection to spare
 * ({@code pgintel.session.own-connection}), the scheduler reads through that instead while the pool is exhausted
 * ({@link #inSessions(List, boolean)}). If it cannot connect, that tick is skipped as if the pool had been busy, and
 * the own DataSource is left alone for {@link #OWN_RETRY}, with one warning: the scheduler yields to the exhausted
 * pool meanwhile, as without one. When it is an {@link OwnConnection} (the agent's, the library's, and the Spring
 * starter's for pools other than HikariCP), every borrow from the pool asks it to close its session if unused for
 * its idle time: no session of pgintel's stays open beside a pool that has long had connections to spare.
 */
public final class SessionFactory implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SessionFactory.class);
  /** How long the own DataSource is left alone after it failed to connect. */
  static final Duration OWN_RETRY = Duration.ofMinutes(5);

  private final Source application;
  /** pgintel's own DataSource for while the application's pool is exhausted, or null. */
  private final Source own;
  /** When the own DataSource last failed to connect ({@link System#nanoTime()}); 0 when it has not. */
  private volatile long ownFailed;
  private final RateLimitedLog ownLog = new RateLimitedLog(log, Duration.ofHours(1));
  /** Set by {@link #close()}: a borrow still waiting then is the instance stopping, not a failure to report. */
  private volatile boolean closed;
  /** Whether the role's partial view (no pg_monitor) has been said: once per instance, not per rediscovery. */
  private volatile boolean partialViewSaid;
  /**
   * Whether a connection pooler was found between application and server: said once, and found for good (a
   * rediscovery may read through a connection whose driver session pgintel cannot tell).
   */
  private volatile boolean pooledFound;
  private final Duration borrowTimeout;
  private final Duration statementTimeout;
  /** The settings statement; the same text every time, so built and registered once. */
  private final String settings;
  private final ExecutorService borrower;
  private final PoolGauge pool;
  private volatile ServerInfo server;

  public SessionFactory(DataSource dataSource, Duration borrowTimeout, Duration statementTimeout,
      Duration lockTimeout) {
    this(dataSource, null, borrowTimeout, statementTimeout, lockTimeout);
  }

  /**
   * @param own a DataSource of pgintel's own, read through while the application's pool has no connection to
   *     spare; null to borrow from {@code dataSource} always
   */
  public SessionFactory(DataSource dataSource, DataSource own, Duration borrowTimeout, Duration statementTimeout,
      Duration lockTimeout) {
    this.application = new Source(dataSource);
    this.own = own == null ? null : new Source(own);
    this.pool = PoolGauge.of(dataSource);
    this.borrowTimeout = borrowTimeout;
    this.statementTimeout = statementTimeout;
    // One statement, so that pg_stat_statements keeps the marker with it (a second statement of a multi-statement
    // string would be recorded without the leading comment).
    String text = "SELECT set_config('transaction_read_only', 'on', true),"
        + " set_config('statement_timeout', '" + Math.max(1, statementTimeout.toMillis()) + "', true),"
        + " set_config('lock_timeout', '" + Math.max(1, lockTimeout.toMillis()) + "', true)";
    OwnStatements.register(text);
    this.settings = SqlSession.MARKER + " " + text;
    // a thread per collection in flight: each borrows and then works. Two stay (the scheduler runs two batches at
    // most); more come for callers of collectNow or while a borrow given up on still waits, and go after 30 s
    this.borrower = new ThreadPoolExecutor(2, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        DaemonThreads.factory("pgintel-session"));
  }

  /** The server as last discovered, or null before the first successful session. */
  public ServerInfo server() {
    return server;
  }

  /**
   * Whether the application's pool has no connection to spare now (no idle one and no room for another, or
   * threads waiting), as its own counters tell; false for a DataSource whose counters pgintel cannot read.
   */
  boolean poolExhausted() {
    return pool.exhausted();
  }

  /** Whether the application has closed its pool, as the pool tells ({@link PoolGauge#closed()}). */
  boolean poolClosed() {
    return pool.closed();
  }

  /**
   * Whether there is a DataSource of pgintel's own to read through while the pool is exhausted, and it has not
   * failed to connect within the last {@link #OWN_RETRY}.
   */
  boolean ownUsable() {
    long failed = ownFailed;
    return own != null && (failed == 0 || System.nanoTime() - failed > OWN_RETRY.toNanos());
  }

  /** Forget what was discovered (after a connection failure the server may have been upgraded or failed over). */
  void forgetServer() {
    server = null;
  }

  /**
   * Runs each work in a read-only session of its own, one after the other, on one borrowed connection: collectors
   * due at the same moment share the borrow. The works run on the thread that borrowed the connection, as soon as
   * the pool hands it over: waking another thread first would add to the time the connection is held.
   *
   * @return what each work came to, in order; fewer than the works when the connection was lost on the way (the
   *     caller borrows again for the rest)
   * @throws PoolBusyException no pool connection within the borrow timeout: none of the works ran
   * @throws SQLException the pool failed to lend a connection: none of the works ran
   */
  List<Outcome> inSessions(List<? extends SessionWork<?>> works) throws SQLException, PoolBusyException {
    return inSessions(works, false);
  }

  /**
   * As {@link #inSessions(List)}; with {@code viaOwn}, through pgintel's own DataSource (when there is one) rather
   * than the application's pool.
   */
  List<Outcome> inSessions(List<? extends SessionWork<?>> works, boolean viaOwn) throws SQLException,
      PoolBusyException {
    Source source = viaOwn && own != null ? own : application;
    if (source == application && own != null && own.dataSource instanceof OwnConnection session
        && session.closeIfIdle()) {
      log.info("pgintel: the application's pool has had connections to spare for a while; closed {} until it runs "
          + "out again", session);
    }
    if (source.abandoned.get() > 0) {
      throw new PoolBusyException(source == own ? "an earlier collection still waits for pgintel's own connection"
          : "an earlier borrow is still waiting for a pool connection");
    }
    Lease lease = new Lease(works, source);
    borrower.execute(lease);
    return lease.outcomes();
  }

  /** What one work of {@link #inSessions} came to: its result, or what it threw; when it began and ended. */
  record Outcome(Object result, Throwable failure, long startedNanos, long endedNanos) {}

  /**
   * One borrow and the works done with it, on a borrowing thread. The caller waits {@code borrowTimeout} for the
   * connection; whichever comes first, the connection or the caller giving up, decides (one compare-and-set):
   * a connection that arrives after the caller gave up goes straight back to the pool.
   */
  private final class Lease implements Runnable {
    private static final int WAITING = 0;
    private static final int WORKING = 1;
    private static final int ABANDONED = 2;

    private final List<? extends SessionWork<?>> works;
    /** Where the connection comes from; a caller that gives up waiting for it counts against it. */
    private final Source source;
    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final CompletableFuture<List<Outcome>> done = new CompletableFuture<>();

    Lease(List<? extends SessionWork<?>> works, Source source) {
      this.works = works;
      this.source = source;
    }

    @Override
    public void run() {
      Connection c;
      try {
        c = connect();
      } catch (Throwable t) {
        if (!state.compareAndSet(WAITING, WORKING)) {
          source.abandoned.decrementAndGet();
        }
        done.completeExceptionally(t);
        return;
      }
      if (!state.compareAndSet(WAITING, WORKING)) {
        closeQuietly(c);
        source.abandoned.decrementAndGet();
        return;
      }
      List<Outcome> outcomes = new ArrayList<>(works.size());
      try {
        for (SessionWork<?> work : works) {
          long started = System.nanoTime();
          try {
            Object result = inTransaction(c, source, work);
            outcomes.add(new Outcome(result, null, started, System.nanoTime()));
          } catch (Throwable t) {
            outcomes.add(new Outcome(null, t, started, System.nanoTime()));
            if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError) || lost(c)) {
              // the rest would fail with it: the caller borrows again for them
              break;
            }
          }
        }
      } finally {
        // back in the pool before the caller goes on
        closeQuietly(c);
        done.complete(outcomes);
      }
    }

    /**
     * A connection from {@link #source}. pgintel's own failing is a busy pool to the caller: it is used only while
     * the pool has no connection to spare.
     */
    private Connection connect() throws SQLException, PoolBusyException {
      if (source != own) {
        return source.dataSource.getConnection();
      }
      try {
        return own.dataSource.getConnection();
      } catch (SQLException | RuntimeException e) {
        ownFailed = System.nanoTime();
        if (closed) {
          throw new PoolBusyException("pgintel stopped while this collection waited for its own connection");
        }
        ownLog.warn("pgintel's own connection, which it reads through while the application's pool has no "
            + "connection to spare, failed: {}; yielding to the pool as without it, and trying again in {}",
            e.getMessage(), io.pgintel.internal.Durations.format(OWN_RETRY));
        throw new PoolBusyException("pgintel's own connection failed, and the pool has no connection to spare");
      }
    }

    List<Outcome> outcomes() throws SQLException, PoolBusyException {
      boolean interrupted = false;
      try {
        long deadline = System.nanoTime() + borrowTimeout.toNanos();
        while (true) {
          try {
            if (state.get() == WAITING) {
              long left = deadline - System.nanoTime();
              if (left <= 0) {
                throw new TimeoutException();
              }
              return done.get(left, TimeUnit.NANOSECONDS);
            }
            // the connection came in time: the works are bounded by the statement timeout, so wait them out
            return done.get();
          } catch (TimeoutException | InterruptedException e) {
            interrupted |= e instanceof InterruptedException;
            if (state.compareAndSet(WAITING, ABANDONED)) {
              source.abandoned.incrementAndGet();
              String what = source == own ? "pgintel's own connection" : "a pool connection";
              throw new PoolBusyException((interrupted ? "interrupted while waiting for " : "waited in vain for ")
                  + what + (interrupted ? "" : " for " + borrowTimeout.toMillis() + " ms"));
            }
          } catch (ExecutionException e) {
            if (e.getCause() instanceof PoolBusyException busy) {
              throw busy;
            }
            throw borrowFailed(e.getCause());
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Whether the connection is gone (the driver and the pool know it without a round trip). */
  private static boolean lost(Connection c) {
    try {
      return c.isClosed();
    } catch (SQLException e) {
      return true;
    }
  }

  /** What the pool's {@code getConnection} threw, as the caller sees it. */
  private static SQLException borrowFailed(Throwable cause) {
    if (cause instanceof SQLException sql) {
      return sql;
    }
    return new SQLException("DataSource.getConnection failed: " + cause, "08001", cause);
  }

  private <T> T inTransaction(Connection c, Source from, SessionWork<T> work) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    boolean readOnly = c.isReadOnly();
    boolean pipelines = pipelines(c, from);
    // autocommit and pgjdbc: each query its own transaction, carrying the settings (see SqlSession)
    boolean perQuery = autoCommit && pipelines;
    int backstop = (int) Math.max(1, statementTimeout.plusSeconds(5).toSeconds());
    SqlSession session = null;
    boolean done = false;
    try {
      if (autoCommit && !perQuery) {
        c.setAutoCommit(false);
      }
      session = new SqlSession(c, server, backstop, settings, pipelines, perQuery);
      if (session.server() == null) {
        ServerInfo info = discover(session, c, pooledFound);
        server = info;
        session.discovered(info);
        if (info.pooled() && !pooledFound) {
          pooledFound = true;
          log.warn("pgintel: the application reaches PostgreSQL through a connection pooler (PgBouncer or a proxy: "
              + "the driver's session id is not the server's), so its connections cannot be found in "
              + "pg_stat_activity: query samples, blocking chains and long transactions are not linked to the "
              + "application's traces or lines of code by its connections (a traceparent in application_name still "
              + "links them); top queries still name their lines");
        }
        if (!info.canReadAllStats() && !partialViewSaid) {
          partialViewSaid = true;
          log.warn("pgintel: the role it connects as is neither a superuser nor a member of pg_monitor (or "
              + "pg_read_all_stats): other roles' sessions and statements are hidden from it, so connection counts, "
              + "active sessions, lock waits, the server breaker's pressure and query samples cover its own only; "
              + "GRANT pg_monitor TO that role");
        }
      }
      T result = work.run(session);
      if (session.inTransaction()) {
        // pgjdbc sends nothing when no statement began a transaction
        c.commit();
      }
      done = true;
      return result;
    } finally {
      if (!done && (session == null || session.inTransaction())) {
        try {
          c.rollback();
        } catch (SQLException ignored) {
          // broken connection: nothing to roll back
        }
      }
      restore(c, autoCommit, readOnly);
    }
  }

  /**
   * Whether the settings statement can travel with the first query in one statement text: pgjdbc splits such a
   * text and sends both statements before it waits for the server. Another driver may hand the text to the server
   * as one statement, which the extended protocol refuses, so it gets the settings in a round trip of their own.
   */
  private static boolean pipelines(Connection c, Source from) {
    Boolean known = from.pgjdbc;
    if (known == null) {
      // the same test as for the simple query protocol: pgjdbc's statement class behind the pool's
      try (Statement s = c.createStatement()) {
        known = Pgjdbc.available(s);
      } catch (SQLException e) {
        known = false;
      }
      from.pgjdbc = known;
    }
    return known;
  }

  /** A DataSource connections come from, with what is known about them. */
  private static final class Source {
    final DataSource dataSource;
    /** Borrows whose caller gave up and that still wait: while any does, later ones are not queued behind it. */
    final AtomicInteger abandoned = new AtomicInteger();
    /** Whether its connections are pgjdbc's, once known: see {@link #pipelines}. */
    volatile Boolean pgjdbc;

    Source(DataSource dataSource) {
      this.dataSource = dataSource;
    }
  }

  private static void restore(Connection c, boolean autoCommit, boolean readOnly) {
    try {
      if (c.getAutoCommit() != autoCommit) {
        c.setAutoCommit(autoCommit);
      }
      if (c.isReadOnly() != readOnly) {
        c.setReadOnly(readOnly);
      }
    } catch (SQLException ignored) {
      // a connection that cannot be restored is broken; the pool will evict it
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // returned to the pool either way
    }
  }

  /**
   * @param pooled a pooler was found before: it stays found (a rediscovery may read through pgintel's own
   *     connection, whose driver session pgintel cannot always read, or one that goes straight to the server)
   */
  private static ServerInfo discover(SqlSession s, Connection c, boolean pooled) throws SQLException {
    record Basics(int versionNum, String version, String database, boolean inRecovery, boolean superuser,
        boolean readAllStats, String preload, String serverAddr, int serverPort, int backendPid) {}
    Basics b = s.queryOne("""
        SELECT current_setting('server_version_num')::int AS version_num,
               current_setting('server_version') AS version,
               current_database() AS database,
               pg_is_in_recovery() AS in_recovery,
               coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS superuser,
               pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS read_all_stats,
               (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') AS preload,
               host(inet_server_addr()) AS server_addr,
               coalesce(inet_server_port(), 0) AS server_port,
               pg_backend_pid() AS backend_pid""",
        r -> new Basics(r.getInt("version_num"), r.string("version"), r.string("database"),
            r.getBoolean("in_recovery"), r.getBoolean("superuser"), r.getBoolean("read_all_stats"),
            r.stringOrNull("preload"), r.string("server_addr"), r.getInt("server_port"), r.getInt("backend_pid")));
    Map<String, String> extensions = new HashMap<>();
    for (String[] e : s.query("SELECT extname, extversion FROM pg_extension",
        r -> new String[] {r.string("extname"), r.string("extversion")})) {
      extensions.put(e[0], e[1]);
    }
    // pg_settings hides shared_preload_libraries from roles without pg_read_all_settings: then it is unknown
    Set<String> preload = null;
    if (b.preload() != null) {
      preload = new LinkedHashSet<>();
      for (String lib : b.preload().split(",")) {
        if (!lib.isBlank()) {
          preload.add(lib.trim().replace("\"", ""));
        }
      }
    }
    String address = b.serverAddr();
    int port = b.serverPort();
    Endpoint endpoint = Endpoint.ofJdbcUrl(c.getMetaData().getURL());
    if (endpoint != null) {
      address = endpoint.host();
      port = endpoint.port();
    }
    // a pooler hands the driver a session id of its own at login (PgBouncer, cloud proxies): the driver's pid is
    // then not the server session this statement ran in
    int driverPid = BackendPid.ofConnection(c);
    return new ServerInfo(b.versionNum(), b.version(), address, port, b.database(), b.inRecovery(), b.superuser(),
        b.readAllStats(), Map.copyOf(extensions), preload == null ? null : Set.copyOf(preload),
        pooled || driverPid != 0 && driverPid != b.backendPid());
  }

  /**
   * Takes no more work. A collection still running finishes on its thread (its statement timeout bounds it), and a
   * borrow still waiting hands its connection back when it comes: neither is interrupted, since interrupting a
   * thread inside the driver or the pool could leave the application's connection broken.
   */
  @Override
  public void close() {
    closed = true;
    borrower.shutdown();
  }

  /** Work done inside one session. */
  @FunctionalInterface
  interface SessionWork<T> {
    T run(SqlSession session) throws SQLException;
  }
}
