package io.pgintel.collect;

import java.time.Duration;
import java.time.Instant;

/**
 * Health of one collector, for status pages and health checks.
 *
 * @param lastSuccess end of the last successful collection, or null
 * @param lastError what went wrong last (error type and message, never query data), or null
 * @param detail why a collector is unavailable and how to fix it, or null
 */
public record CollectorStatus(String name, State state, Duration interval, Instant lastSuccess, String lastError,
    int consecutiveFailures, String detail) {

  /** How long a collector may go without a reading before {@link #reading} says it is not reading. */
  public static final Duration MIN_STALE = Duration.ofMinutes(1);

  /**
   * Whether it is active and read within its last three intervals (at least {@link #MIN_STALE}): ticks skipped
   * because the application's pool had no connection free, or a circuit stayed open, make it not reading although
   * nothing failed ({@link State#STALLED} in a running instance's status).
   */
  public boolean reading(Instant now) {
    return state == State.ACTIVE && lastSuccess != null && readWithin(interval, lastSuccess, now);
  }

  /** Whether {@code lastRead} lies within three intervals (at least {@link #MIN_STALE}) before {@code now}. */
  static boolean readWithin(Duration interval, Instant lastRead, Instant now) {
    Duration stale = interval.multipliedBy(3);
    return !lastRead.plus(stale.compareTo(MIN_STALE) < 0 ? MIN_STALE : stale).isBefore(now);
  }

  /** Where a collector stands. */
  public enum State {
    /** Scheduled; no failure since its last success. */
    ACTIVE,
    /** Failing; waiting longer between attempts. */
    BACKING_OFF,
    /**
     * Running and nothing failed, yet nothing read within its last three intervals (at least a minute): its
     * ticks were skipped (the application's pool with no connection free, as while the database behind it is
     * down; a circuit held open).
     */
    STALLED,
    /**
     * Standing by: another instance of the application leads the instances that monitor this database and collects
     * for them ({@code pgintel.leader-election.enabled}); this one takes over should it end.
     */
    STANDBY,
    /** The server lacks what it needs (view, extension, privilege); see {@code detail}. */
    UNAVAILABLE,
    /** Switched off in settings. */
    DISABLED,
    /** pgintel is not running. */
    STOPPED
  }
}
