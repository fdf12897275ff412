package io.pgintel.runtime;

import io.pgintel.internal.DaemonThreads;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leader among the instances of an application that monitor one database: the instance whose session holds
 * PostgreSQL's session-level advisory lock ({@value #LOCK_CLASS}, the group's hash) collects; the others stand by
 * and try for the lock again every interval. The leader checks three times an interval that its session still
 * answers (only that session, or its end, lets go of a session-level lock), so that after its end (its process
 * stopped, its session ended by the server) another takes over within about an interval, and a leader that lost its
 * session stops within a third of one. Leading is a lease: a leader whose session has not answered for an interval
 * (its round stuck on a silent network) stops collecting whatever its thread is doing. Advisory locks belong to a
 * database: instances monitoring different databases each lead their own.
 *
 * <p>Hazards this class is written around:
 * <ul>
 *   <li><b>Never in the application's way.</b> The lock's session is one of pgintel's own, never one of the
 *       application's pool (whose connections go back to the pool with their session's locks); a standing-by
 *       instance opens it only to try and closes it at once. Its work runs on a thread of its own, never a
 *       collector's, so that a slow connect delays no collection.</li>
 *   <li><b>Fail open.</b> An instance that cannot take part two rounds in a row (its session cannot connect, the
 *       server is down) collects as if it were alone and says so: duplicates rather than silence, and a server that
 *       is down shows as collectors failing, not as every instance standing by.</li>
 *   <li><b>A dead peer's lock.</b> The leader's session asks the server to probe it (TCP keepalives from half an
 *       interval of silence, every sixth of one, three missed) and never to end it for idleness, so that a leader
 *       cut off by the network loses its lock in about an interval, not at the operating system's two hours.</li>
 *   <li><b>No read waits for ever.</b> The election's session has a network timeout; a statement's own timeout
 *       cancels it through another connection, which a silent network does not carry.</li>
 *   <li><b>No transaction left open.</b> The session runs in autocommit: the lock outlives the statement that took
 *       it, and the session sits idle, not idle in transaction, for as long as it leads.</li>
 *   <li><b>Nothing leaves a round.</b> A failed round is logged (rate-limited) and the next one tries again: an
 *       exception out of a scheduled round would end every later one.</li>
 * </ul>
 */
public final class LeaderElection implements Leadership, AutoCloseable {

  /** The first key of pgintel's advisory locks ("pgi" in ASCII); the second is the group's hash. */
  static final int LOCK_CLASS = 0x706769;
  private static final int QUERY_SECONDS = 5;
  /** Fail open after this many rounds in a row that could not take part. */
  private static final int FAILED_ROUNDS = 2;
  private static final String TRY = "/* pgintel */ SELECT pg_try_advisory_lock(?, ?)";
  private static final String ANSWER = "/* pgintel */ SELECT 1";
  /** Keepalive probes, three missed and the server ends the session; never ended for idleness. */
  private static final String KEEP = "/* pgintel */ SELECT set_config('tcp_keepalives_idle', ?, false),"
      + " set_config('tcp_keepalives_interval', ?, false), set_config('tcp_keepalives_count', '3', false),"
      + " CASE WHEN current_setting('server_version_num')::int >= 140000"
      + " THEN set_config('idle_session_timeout', '0', false) END";

  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  private final DataSource source;
  private final Runnable afterTry;
  private final AutoCloseable owned;
  private final String group;
  private final String where;
  private final Duration every;
  private final InstantSource clock;
  private final RateLimitedLog failureLog = new RateLimitedLog(log, Duration.ofMinutes(10));
  private final ScheduledExecutorService thread;
  /** The session that holds the lock while this instance leads; null otherwise. Guarded by this. */
  private Connection held;
  /** Guarded by this. */
  private boolean closed;
  /** When this instance last tried for the lock ({@link System#nanoTime()}); one round at a time. */
  private long triedAt;
  private boolean tried;
  /** Rounds in a row that could not take part; one round at a time. */
  private int failedRounds;
  /** Written under this object's lock. */
  private volatile Instant since;
  /** Written under this object's lock. */
  private volatile boolean leading;
  /** When the leader's session last answered ({@link System#nanoTime()}): leading is a lease of an interval. */
  private volatile long confirmedAt;

  /**
   * @param source where the lock's session comes from: a session of pgintel's own
   * @param afterTry run after a session that did not win is closed: to close what {@code source} keeps open
   * @param owned what {@code source} holds that is closed with this (a session of pgintel's own), or null
   * @param group instances of one group (and database) elect one leader
   * @param where what the log names: the database, never a password
   * @param every how often a standing-by instance tries; the leader checks three times as often
   */
  public LeaderElection(DataSource source, Runnable afterTry, AutoCloseable owned, String group, String where,
      Duration every, InstantSource clock) {
    this.source = source;
    this.afterTry = afterTry;
    this.owned = owned;
    this.group = group;
    this.where = where;
    this.every = every;
    this.clock = clock;
    // two: a first round stuck on a connect must not hold back the collectors' start (see start)
    this.thread = Executors.newScheduledThreadPool(2, DaemonThreads.factory("pgintel-election"));
  }

  /** The second key of the group's lock. */
  static int key(String group) {
    return group.hashCode();
  }

  /**
   * Tries for the lock now, and then every interval.
   *
   * @param decided run once, on the election's threads, after the first round (won, lost or failed) or 10 s after
   *     the start, whichever comes first: the collectors start then, so that their first ticks are not skipped for
   *     want of an answer
   */
  public void start(Runnable decided) {
    AtomicBoolean started = new AtomicBoolean();
    Runnable once = () -> {
      if (started.compareAndSet(false, true)) {
        decided.run();
      }
    };
    long round = Math.max(1, every.toMillis() / 3);
    try {
      thread.execute(() -> {
        check();
        once.run();
        // the rounds after the first on this thread, one at a time
        thread.scheduleWithFixedDelay(this::check, round, round, TimeUnit.MILLISECONDS);
      });
      // a first round that takes its time (a server slow to answer a connect) holds the collectors back no longer:
      // they start standing by, on the other thread
      thread.schedule(once, QUERY_SECONDS * 2L, TimeUnit.SECONDS);
    } catch (RejectedExecutionException closedMeanwhile) {
      // closed before it started: nothing to start
    }
  }

  /** Since when this instance collects: it leads, or could not take part; null while it stands by. */
  @Override
  public Instant since() {
    Instant s = since;
    if (s != null && leading && System.nanoTime() - confirmedAt > every.toNanos()) {
      // its session has not answered for an interval: another instance may hold the lock by now
      return null;
    }
    return s;
  }

  /** Whether this instance holds the lock now (its session answered within an interval). */
  public boolean leading() {
    return leading && System.nanoTime() - confirmedAt <= every.toNanos();
  }

  /** One round: a leader checks that its session still answers; an instance standing by tries for the lock. */
  void check() {
    try {
      Connection mine;
      synchronized (this) {
        if (closed) {
          return;
        }
        mine = held;
      }
      if (mine != null) {
        if (answers(mine)) {
          confirmedAt = System.nanoTime();
          return;
        }
        if (!stepDown(mine)) {
          return;
        }
      } else if (tried && System.nanoTime() - triedAt < every.toNanos() - every.toNanos() / 6) {
        return;
      }
      tried = true;
      triedAt = System.nanoTime();
      tryToLead();
      failedRounds = 0;
    } catch (Throwable e) {
      try {
        if (++failedRounds >= FAILED_ROUNDS) {
          failOpen(e);
        }
      } catch (Throwable ignored) {
        // the next round tries again
      }
    }
  }

  private static boolean answers(Connection c) {
    try (PreparedStatement s = c.prepareStatement(ANSWER)) {
      s.setQueryTimeout(QUERY_SECONDS);
      try (ResultSet r = s.executeQuery()) {
        return r.next();
      }
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  private void tryToLead() throws SQLException {
    Connection c = source.getConnection();
    boolean won = false;
    try {
      c.setNetworkTimeout(Runnable::run, (int) TimeUnit.SECONDS.toMillis(QUERY_SECONDS * 2L));
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      try (PreparedStatement s = c.prepareStatement(TRY)) {
        s.setInt(1, LOCK_CLASS);
        s.setInt(2, key(group));
        s.setQueryTimeout(QUERY_SECONDS);
        try (ResultSet r = s.executeQuery()) {
          won = r.next() && r.getBoolean(1);
        }
      }
      if (won) {
        try (PreparedStatement s = c.prepareStatement(KEEP)) {
          s.setString(1, Long.toString(Math.max(1, every.toSeconds() / 2)));
          s.setString(2, Long.toString(Math.max(1, every.toSeconds() / 6)));
          s.setQueryTimeout(QUERY_SECONDS);
          s.executeQuery().close();
        }
        synchronized (this) {
          if (closed) {
            return;
          }
          held = c;
          confirmedAt = System.nanoTime();
          if (since == null) {
            // from failing open to leading, collection goes on unbroken
            since = clock.instant();
          }
          leading = true;
        }
        log.info("pgintel leads the instances of group '{}' on {}: this instance collects, the others stand by",
            group, where);
      } else {
        synchronized (this) {
          if (!closed) {
            // another instance leads: this one stands by (and if it collected while failing open, it stops)
            since = null;
          }
        }
      }
    } finally {
      boolean kept;
      synchronized (this) {
        kept = held == c;
      }
      // whatever went wrong on the way, a session that is not held is closed, and its lock with it
      if (!kept) {
        closeQuietly(c);
        afterTry.run();
      }
    }
  }

  /** The instance cannot take part in the election: it collects as if alone until a round succeeds. */
  private void failOpen(Throwable e) {
    synchronized (this) {
      if (closed || held != null) {
        return;
      }
      leading = false;
      if (since == null) {
        since = clock.instant();
      }
    }
    failureLog.warn("pgintel cannot take part in the leader election of group '{}' on {} ({}): this instance "
        + "collects as if it were alone, and tries again every {}", group, where, e.toString(), every);
  }

  /** @return false when there is nothing to step down from (closed meanwhile) */
  private boolean stepDown(Connection lost) {
    synchronized (this) {
      if (held != lost || closed) {
        return false;
      }
      held = null;
      leading = false;
      since = null;
    }
    log.warn("pgintel no longer leads the instances of group '{}' on {}: its session no longer answers (ended by "
        + "the server or the network); it stands by and tries again", group, where);
    closeQuietly(lost);
    afterTry.run();
    return true;
  }

  /** Stops trying and lets go of the lock (its session closed), so that another instance takes over. */
  @Override
  public void close() {
    Connection mine;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      mine = held;
      held = null;
      leading = false;
      since = null;
    }
    thread.shutdownNow();
    if (mine != null) {
      closeQuietly(mine);
      afterTry.run();
    }
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception ignored) {
        // a session of pgintel's own closes quietly
      }
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException | RuntimeException ignored) {
      // the server or the network already closed it
    }
  }

  @Override
  public String toString() {
    return "leader election of group '" + group + "' on " + where;
  }
}
