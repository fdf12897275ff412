package io.pgintel.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs at most once per period and says how many messages it held back, so that a collector failing every
 * second fills no disk.
 */
public final class RateLimitedLog {

  private final Logger log;
  private final long periodNanos;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  public RateLimitedLog(Logger log, Duration period) {
    this.log = log;
    this.periodNanos = period.toNanos();
  }

  /** @return whether it was logged (not held back) */
  public boolean warn(String format, Object... args) {
    if (permit()) {
      log.warn(withSuppressed(format), args);
      return true;
    }
    return false;
  }

  public void info(String format, Object... args) {
    if (permit()) {
      log.info(withSuppressed(format), args);
    }
  }

  public void debug(String format, Object... args) {
    if (log.isDebugEnabled() && permit()) {
      log.debug(withSuppressed(format), args);
    }
  }

  private boolean permit() {
    long now = System.nanoTime();
    long allowed = nextAllowed.get();
    if ((allowed == Long.MIN_VALUE || now - allowed >= 0) && nextAllowed.compareAndSet(allowed, now + periodNanos)) {
      return true;
    }
    suppressed.incrementAndGet();
    return false;
  }

  private String withSuppressed(String format) {
    long n = suppressed.getAndSet(0);
    return n == 0 ? format : format + " (" + n + " similar messages suppressed)";
  }
}
