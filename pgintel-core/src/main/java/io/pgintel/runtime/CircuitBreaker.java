package io.pgintel.runtime;

import java.time.Duration;
import java.util.Locale;

/**
 * Closed, open, half-open, for one collector or for the whole database. Closed lets collections run; it opens
 * after {@code threshold} consecutive failures (errors, timeouts, collections that took too much of their
 * interval) or at once when tripped (the database is under pressure). Open refuses every collection until its
 * pause is over; then it is half-open and lets one probe through. A successful probe closes it and resets the
 * pause; a failed one opens it again for twice as long, up to the longest pause.
 *
 * <p>Time is given by the caller (milliseconds since the epoch) so that transitions are testable and a pause
 * restored from disk after a restart means the same thing.
 */
public final class CircuitBreaker {

  /** The breaker's state; {@link #code()} is what {@code pgintel.circuit.state} reports. */
  public enum State {
    CLOSED, OPEN, HALF_OPEN;

    public int code() {
      return ordinal();
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A breaker as the status API shows it; {@code openUntil} is 0 unless open. */
  public record Status(String name, State state, int consecutiveFailures, String reason, long openUntil) {}

  private final String name;
  private final int threshold;
  private final long firstPause;
  private final long longestPause;
  private State state = State.CLOSED;
  private int consecutive;
  private long pause;
  private long openUntil;
  private boolean probing;
  private String reason;

  /**
   * @param threshold consecutive failures that open the breaker
   * @param firstPause how long it stays open the first time
   * @param longestPause the longest it stays open after failed probes
   */
  public CircuitBreaker(String name, int threshold, Duration firstPause, Duration longestPause) {
    this.name = name;
    this.threshold = threshold;
    this.firstPause = firstPause.toMillis();
    this.longestPause = Math.max(longestPause.toMillis(), this.firstPause);
    this.pause = this.firstPause;
  }

  public String name() {
    return name;
  }

  /**
   * Whether a collection may run now. An open breaker whose pause is over turns half-open and lets exactly one
   * probe through; the caller reports the probe's outcome with {@link #success}, {@link #failure} or
   * {@link #abandon}.
   */
  public synchronized boolean allow(long now) {
    if (state == State.OPEN && now >= openUntil) {
      state = State.HALF_OPEN;
      probing = false;
    }
    if (state == State.HALF_OPEN) {
      if (probing) {
        return false;
      }
      probing = true;
      return true;
    }
    return state == State.CLOSED;
  }

  /** A collection succeeded in good time. Returns true when this changed the state. */
  public synchronized boolean success() {
    consecutive = 0;
    probing = false;
    if (state == State.CLOSED) {
      return false;
    }
    state = State.CLOSED;
    pause = firstPause;
    reason = null;
    openUntil = 0;
    return true;
  }

  /** A collection failed, timed out or was too slow. Returns true when this changed the state. */
  public synchronized boolean failure(long now, String why) {
    consecutive++;
    reason = why;
    if (state == State.HALF_OPEN) {
      probing = false;
      pause = Math.min(pause * 2, longestPause);
      return open(now);
    }
    return state == State.CLOSED && consecutive >= threshold && open(now);
  }

  /** Opens at once, whatever the count: the database is under pressure. */
  public synchronized boolean trip(long now, String why) {
    reason = why;
    probing = false;
    if (state == State.HALF_OPEN) {
      pause = Math.min(pause * 2, longestPause);
    }
    return state != State.OPEN && open(now);
  }

  /** A probe ended without an answer (its tick was skipped): the next collection may probe. */
  public synchronized void abandon() {
    probing = false;
  }

  /** When an open breaker lets the next probe through, or 0 when it is not open. */
  public synchronized long openUntil() {
    return state == State.OPEN ? openUntil : 0;
  }

  public synchronized State state() {
    return state;
  }

  public synchronized Status status() {
    return new Status(name, state, consecutive, reason, openUntil());
  }

  /** Puts back a state kept on disk: open until {@code until}, after a pause of {@code pauseMillis}. */
  synchronized void restore(long until, long pauseMillis, String why) {
    state = State.OPEN;
    openUntil = until;
    pause = Math.max(firstPause, Math.min(pauseMillis, longestPause));
    reason = why;
    consecutive = threshold;
  }

  synchronized long pause() {
    return pause;
  }

  private boolean open(long now) {
    state = State.OPEN;
    openUntil = now + pause;
    return true;
  }
}
