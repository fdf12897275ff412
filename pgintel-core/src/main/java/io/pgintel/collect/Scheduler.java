package io.pgintel.collect;

import io.pgintel.internal.DaemonThreads;
import io.pgintel.runtime.Breakers;
import io.pgintel.runtime.RateLimitedLog;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each collector on its own interval on two daemon threads named {@code pgintel-collector-*}.
 *
 * <p>Ticks sit on a fixed grid (start + k * interval, no jitter), so that series line up with the interval.
 * A collector is never run twice at once: its next tick is planned only when the current one ends, and ticks
 * missed while it ran are counted as {@code overrun} skips. A failing collector waits twice as long after each
 * consecutive failure, up to {@code maxBackoff}, and goes back to its grid on the first success. Nothing a
 * collector does can throw out of here.
 */
public final class Scheduler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
  private static final Duration RECHECK_UNAVAILABLE = Duration.ofMinutes(10);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final SessionFactory sessions;
  private final Breakers breakers;
  private final CollectionListener listener;
  private final Duration maxBackoff;
  private final List<Task> tasks = new ArrayList<>();
  private final List<CollectorStatus> disabled;
  private final ScheduledThreadPoolExecutor executor;
  private volatile boolean running;
  private volatile boolean closed;

  /**
   * @param collectors the enabled collectors with their intervals
   * @param disabled status entries for collectors switched off in settings
   */
  public Scheduler(SessionFactory sessions, List<Scheduled> collectors, List<CollectorStatus> disabled,
      CollectionListener listener, Duration maxBackoff, Breakers breakers) {
    this.sessions = sessions;
    this.breakers = breakers;
    this.listener = listener;
    this.maxBackoff = maxBackoff;
    this.disabled = List.copyOf(disabled);
    for (Scheduled s : collectors) {
      tasks.add(new Task(s.collector(), s.interval()));
    }
    executor = new ScheduledThreadPoolExecutor(2, DaemonThreads.factory("pgintel-collector"));
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** A collector and how often it runs. */
  public record Scheduled(Collector collector, Duration interval) {}

  /** Makes the scheduler once its listener exists. */
  @FunctionalInterface
  public interface Factory {
    Scheduler create(CollectionListener listener);
  }

  public synchronized void start() {
    if (running || closed) {
      return;
    }
    running = true;
    long now = System.nanoTime();
    for (Task t : tasks) {
      t.gridStart = now;
      t.tick = 0;
      t.schedule(0);
    }
  }

  /** Runs every collector once, now, on the calling thread (waiting for a running tick of the same collector). */
  public void collectNow() {
    for (Task t : tasks) {
      t.lock.lock();
      try {
        t.runOnce(true);
      } finally {
        t.lock.unlock();
      }
    }
  }

  public List<CollectorStatus> status() {
    List<CollectorStatus> out = new ArrayList<>();
    for (Task t : tasks) {
      out.add(t.status());
    }
    out.addAll(disabled);
    return out;
  }

  /**
   * Stops ticking. A collection in progress may finish (its statement timeout bounds it): interrupting a JDBC
   * call could leave the application's pooled connection broken.
   */
  @Override
  public synchronized void close() {
    running = false;
    closed = true;
    executor.shutdown();
    try {
      if (!executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  static String errorType(Throwable e) {
    if (e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException) {
      return "connection";
    }
    if (e instanceof SQLException sql) {
      String state = sql.getSQLState();
      if (state == null) {
        return "sql";
      }
      if (state.startsWith("08")) {
        return "connection";
      }
      return switch (state) {
        case "57014" -> "statement_timeout";
        case "55P03" -> "lock_timeout";
        case "42501" -> "insufficient_privilege";
        case "42P01", "42883", "42703" -> "undefined_object";
        case "57P01", "57P02", "57P03" -> "server_shutdown";
        case "25006" -> "read_only_violation";
        default -> "sqlstate_" + state;
      };
    }
    return e.getClass().getSimpleName();
  }

  private final class Task implements Runnable {
    final Collector collector;
    final Duration interval;
    final long intervalNanos;
    final RateLimitedLog failureLog;
    final ReentrantLock lock = new ReentrantLock();
    long gridStart;
    long tick;
    ScheduledFuture<?> next;
    volatile Instant lastSuccess;
    volatile String lastError;
    volatile int failures;
    volatile String unavailable;

    Task(Collector collector, Duration interval) {
      this.collector = collector;
      this.interval = interval;
      this.intervalNanos = interval.toNanos();
      this.failureLog = new RateLimitedLog(log, Duration.ofMinutes(1));
    }

    void schedule(long delayNanos) {
      if (running) {
        try {
          next = executor.schedule(this, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RuntimeException rejected) {
          // shut down concurrently
        }
      }
    }

    @Override
    public void run() {
      if (!running) {
        return;
      }
      if (!lock.tryLock()) {
        // collectNow() is running this collector: this tick is its own overrun
        listener.skipped(collector.name(), "overrun");
        planNext();
        return;
      }
      try {
        runOnce(false);
      } finally {
        lock.unlock();
      }
      planNext();
    }

    private void planNext() {
      long now = System.nanoTime();
      long earliest = now;
      if (unavailable != null) {
        earliest = now + RECHECK_UNAVAILABLE.toNanos();
      } else if (failures > 0) {
        long backoff = intervalNanos;
        for (int i = 1; i < failures && backoff < maxBackoff.toNanos(); i++) {
          backoff *= 2;
        }
        earliest = now + Math.min(backoff, Math.max(maxBackoff.toNanos(), intervalNanos));
      }
      long openUntil = breakers.openUntil(collector.name());
      boolean circuitOpen = openUntil > 0;
      if (circuitOpen) {
        earliest = Math.max(earliest, now + (openUntil - System.currentTimeMillis()) * 1_000_000);
      }
      long nextTick = Math.max(tick + 1, ceilDiv(earliest - gridStart, intervalNanos));
      long missed = nextTick - tick - 1;
      if (circuitOpen || failures == 0 && unavailable == null) {
        for (long i = 0; i < missed; i++) {
          listener.skipped(collector.name(), circuitOpen ? "circuit_open" : "overrun");
        }
      }
      tick = nextTick;
      schedule(gridStart + nextTick * intervalNanos - now);
    }

    /** @param forced asked for by {@link #collectNow()}: runs even with its circuit open, as a probe */
    void runOnce(boolean forced) {
      if (unavailable != null) {
        // rediscover: the missing extension or privilege may have been added since
        sessions.forgetServer();
      }
      if (forced) {
        breakers.probe(collector.name());
      } else if (!breakers.allow(collector.name(), System.currentTimeMillis())) {
        listener.skipped(collector.name(), "circuit_open");
        return;
      }
      long started = System.nanoTime();
      try {
        List<? extends Record> records = sessions.inSession(session -> {
          Optional<String> reason = collector.unavailableReason(session.server());
          if (reason.isPresent()) {
            markUnavailable(reason.get());
            return null;
          }
          return collector.collect(session);
        });
        if (records == null) {
          breakers.abandoned(collector.name());
          return;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        breakers.succeeded(collector.name(), System.currentTimeMillis(), took, interval, records);
        if (failures > 0 || unavailable != null) {
          log.info("pgintel collector '{}' recovered after {} failed attempt(s)", collector.name(), failures);
        }
        failures = 0;
        unavailable = null;
        lastError = null;
        lastSuccess = Instant.now();
        listener.collected(collector.name(), List.copyOf(records), lastSuccess, interval, took);
      } catch (PoolBusyException e) {
        breakers.abandoned(collector.name());
        listener.skipped(collector.name(), "pool_busy");
        failureLog.debug("pgintel collector '{}' skipped a tick: {}", collector.name(), e.getMessage());
      } catch (Throwable e) {
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        String type = errorType(e);
        if (type.equals("connection") || type.equals("server_shutdown")) {
          sessions.forgetServer();
        }
        failures++;
        lastError = type + ": " + e.getMessage();
        breakers.failed(collector.name(), System.currentTimeMillis(), type);
        listener.failed(collector.name(), type, took);
        failureLog.warn("pgintel collector '{}' failed ({} in a row, {}): {}; {}", collector.name(), failures, type,
            e.getMessage(), hint(type));
        if (e instanceof VirtualMachineError vm && !(e instanceof StackOverflowError)) {
          throw vm;
        }
      }
    }

    private void markUnavailable(String reason) {
      if (!reason.equals(unavailable)) {
        log.warn("pgintel collector '{}' is unavailable on this server: {}", collector.name(), reason);
      }
      unavailable = reason;
    }

    CollectorStatus status() {
      // health is reported from the first attempt on, also for collectNow() without start()
      CollectorStatus.State state;
      if (closed) {
        state = CollectorStatus.State.STOPPED;
      } else if (unavailable != null) {
        state = CollectorStatus.State.UNAVAILABLE;
      } else if (failures > 0) {
        state = CollectorStatus.State.BACKING_OFF;
      } else if (running || lastSuccess != null) {
        state = CollectorStatus.State.ACTIVE;
      } else {
        state = CollectorStatus.State.STOPPED;
      }
      return new CollectorStatus(collector.name(), state, interval, lastSuccess, lastError, failures, unavailable);
    }
  }

  private static String hint(String errorType) {
    return switch (errorType) {
      case "statement_timeout" -> "the query ran past pgintel.session.statement-timeout; it will back off";
      case "lock_timeout" -> "a lock held by another session was in the way; it will back off";
      case "connection", "server_shutdown" -> "the server is unreachable; pgintel retries with back-off";
      case "insufficient_privilege" -> "grant pg_monitor to the application's role";
      default -> "pgintel retries with back-off";
    };
  }

  private static long ceilDiv(long a, long b) {
    return a <= 0 ? 0 : (a + b - 1) / b;
  }
}
