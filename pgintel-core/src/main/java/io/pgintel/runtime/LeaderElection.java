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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leader among the instances of an application that monitor one database: the instance whose session holds
 * PostgreSQL's session-level advisory lock ({@value #LOCK_CLASS}, the group's hash) collects; the others stand by
 * and try for the lock again every interval, so that one takes over within an interval of the leader's end (its
 * process stopped, its session ended by the server or the network). Advisory locks belong to a database: instances
 * monitoring different databases each lead their own.
 *
 * <p>Hazards this class is written around:
 * <ul>
 *   <li><b>Never in the application's way.</b> The lock's session is one of pgintel's own beside the application's
 *       pool where the builder can make one (and it connects), held only while leading; a standing-by instance
 *       opens it only to try and closes it at once. Otherwise it is a connection of the application's DataSource,
 *       taken only to try and, while leading, held. Its work runs on a thread of its own, never a collector's, so
 *       that a slow connect delays no collection.</li>
 *   <li><b>No transaction left open.</b> The session runs in autocommit: the lock outlives the statement that took
 *       it, and the session sits idle, not idle in transaction, for as long as it leads.</li>
 *   <li><b>Never throws.</b> A failed try is logged (rate-limited) and tried again at the next interval; a leader
 *       whose session no longer answers steps down and tries like the others.</li>
 * </ul>
 */
public final class LeaderElection implements Leadership, AutoCloseable {

  /** The first key of pgintel's advisory locks ("pgi" in ASCII); the second is the group's hash. */
  static final int LOCK_CLASS = 0x706769;
  private static final int VALID_SECONDS = 5;
  private static final String TRY = "/* pgintel */ SELECT pg_try_advisory_lock(?, ?)";

  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  private final DataSource source;
  private final DataSource fallback;
  private final Runnable afterTry;
  private final AutoCloseable owned;
  private final String group;
  private final String database;
  private final Duration every;
  private final InstantSource clock;
  private final RateLimitedLog failureLog = new RateLimitedLog(log, Duration.ofMinutes(10));
  private final RateLimitedLog fallbackLog = new RateLimitedLog(log, Duration.ofHours(1));
  private final ScheduledExecutorService thread;
  /** The session that holds the lock while this instance leads; null otherwise. Guarded by this. */
  private Connection held;
  private boolean closed;
  private volatile Instant since;

  /**
   * @param source where the lock's session comes from
   * @param fallback where it comes from when {@code source} cannot connect (the application's DataSource, whose
   *     connection is then held while leading); or null
   * @param afterTry run after a session that did not win is closed: to close what {@code source} keeps open
   * @param owned what {@code source} holds that is closed with this (a session of pgintel's own), or null
   * @param group instances of one group (and database) elect one leader
   * @param database what the log names
   * @param every how often a standing-by instance tries, and a leader checks its session
   */
  public LeaderElection(DataSource source, DataSource fallback, Runnable afterTry, AutoCloseable owned, String group,
      String database, Duration every, InstantSource clock) {
    this.source = source;
    this.fallback = fallback;
    this.afterTry = afterTry;
    this.owned = owned;
    this.group = group;
    this.database = database;
    this.every = every;
    this.clock = clock;
    this.thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("pgintel-election"));
  }

  /** The second key of the group's lock. */
  static int key(String group) {
    return group.hashCode();
  }

  /** Tries for the lock now, and then every interval. */
  public void start() {
    thread.scheduleWithFixedDelay(this::check, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public Instant since() {
    return since;
  }

  /** Whether this instance leads now. */
  public boolean leading() {
    return since != null;
  }

  /** One round: a leader checks that its session still answers; an instance standing by tries for the lock. */
  void check() {
    try {
      Connection mine;
      synchronized (this) {
        mine = held;
      }
      if (mine != null) {
        if (mine.isValid(VALID_SECONDS)) {
          return;
        }
        stepDown(mine);
      }
      tryToLead();
    } catch (SQLException | RuntimeException e) {
      failureLog.warn("pgintel could not try to lead the instances of group '{}' on {} ({}): it stands by and "
          + "tries again every {}", group, database, e.toString(), every);
    }
  }

  private void tryToLead() throws SQLException {
    Connection c;
    try {
      c = source.getConnection();
    } catch (SQLException e) {
      if (fallback == null) {
        throw e;
      }
      fallbackLog.warn("pgintel's own session for the leader election of group '{}' on {} could not connect ({});"
          + " it tries through the application's DataSource, and holds one of its connections while it leads", group,
          database, e.toString());
      c = fallback.getConnection();
    }
    boolean won = false;
    try {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      try (PreparedStatement s = c.prepareStatement(TRY)) {
        s.setInt(1, LOCK_CLASS);
        s.setInt(2, key(group));
        s.setQueryTimeout(VALID_SECONDS);
        try (ResultSet r = s.executeQuery()) {
          won = r.next() && r.getBoolean(1);
        }
      }
      if (won) {
        synchronized (this) {
          if (closed) {
            won = false;
            return;
          }
          held = c;
          since = clock.instant();
        }
        log.info("pgintel leads the instances of group '{}' on {}: this instance collects, the others stand by",
            group, database);
      }
    } finally {
      if (!won) {
        closeQuietly(c);
        afterTry.run();
      }
    }
  }

  private void stepDown(Connection lost) {
    synchronized (this) {
      if (held != lost) {
        return;
      }
      held = null;
      since = null;
    }
    log.warn("pgintel no longer leads the instances of group '{}' on {}: the session that held its lock ended; "
        + "it stands by and tries again every {}", group, database, every);
    closeQuietly(lost);
    afterTry.run();
  }

  /** Stops trying and lets go of the lock (its session closed), so that another instance takes over. */
  @Override
  public void close() {
    Connection mine;
    synchronized (this) {
      closed = true;
      mine = held;
      held = null;
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
    return "leader election of group '" + group + "' on " + database;
  }
}
