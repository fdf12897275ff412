package io.pgintel.collect;

import io.pgintel.internal.DaemonThreads;
import io.pgintel.runtime.Breakers;
import io.pgintel.runtime.Leadership;
import io.pgintel.runtime.RateLimitedLog;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each collector on its own interval: two daemon threads named {@code pgintel-collector-*} keep time, and
 * the collections run on the session threads that borrow the connections ({@link SessionFactory}).
 *
 * <p>Ticks sit on a fixed grid (start + k * interval, no jitter), so that series line up with the interval.
 * A collector is never run twice at once: its next tick is planned only when the current one ends, and ticks
 * missed while it ran are counted as {@code overrun} skips. A failing collector waits twice as long after each
 * consecutive failure, up to {@code maxBackoff}, and goes back to its grid on the first success. Nothing a
 * collector does can throw out of here.
 *
 * <p>Collectors due at the same moment share one borrowed connection (every grid is counted from the same start,
 * so at the defaults five of them meet every 15 s): the first of them to wake claims the others' ticks and runs
 * them all, each in a session of its own, fastest interval first. One borrow instead of five is four fewer times
 * that an application thread waits for a connection pgintel holds. A batch whose last sessions took more than
 * 50 ms borrows again for the rest, so that no one wait grows long.
 *
 * <p>Before it borrows, the scheduler asks the application's pool whether it has a connection to spare
 * ({@link SessionFactory#poolExhausted()}): while it was found with none within the last
 * {@code exhaustedPoolInterval}, a collector borrows at most once per {@code exhaustedPoolInterval} (at the
 * defaults this slows only the every-second {@code activity} sample, to one every 10 s), and the ticks in between
 * are skipped and counted ({@code pool_exhausted}). A borrow from a pool with nothing idle takes the connection an
 * application thread is about to ask for. "Within the last": one reading is a moment's, and an application whose
 * threads use every connection leaves one idle whenever a thread between two borrows is not running (on a busy
 * machine, often), so one reading that finds the pool exhausted counts for the whole interval.
 *
 * <p>With a DataSource of pgintel's own for that case ({@link SessionFactory#ownUsable()}), the pool is asked at
 * every tick instead, and while it was found exhausted within the interval every collector reads through that
 * DataSource at its own interval: nothing is skipped, and no application thread waits for pgintel.
 */
public final class Scheduler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
  private static final Duration RECHECK_UNAVAILABLE = Duration.ofMinutes(10);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  /**
   * Longest that collectors due together hold one borrowed connection, going by their last sessions: past it they
   * borrow again, so that an application thread waiting for that connection waits about as long as for one slow
   * collection (the {@code tables} collector's, under load), not for all of them (at the defaults, every collector
   * is due at the same minute). Under a saturated pool a budget of 20 ms split even the collectors due every 15 s
   * (1.17 to 1.43 borrows a second instead of 1.00 in PoolHoldBenchmark).
   */
  private static final long SHARED_HOLD_BUDGET_NANOS = Duration.ofMillis(50).toNanos();

  private final SessionFactory sessions;
  private final Breakers breakers;
  private final CollectionListener listener;
  private final Duration maxBackoff;
  private final long exhaustedPoolNanos;
  /** When a reading of the pool last found it exhausted ({@link System#nanoTime()}), 0 if none has. */
  private volatile long lastExhausted;
  /** Says once an hour that collectors are holding back, so that sparser samples have a reason in the log. */
  private final RateLimitedLog exhaustedLog = new RateLimitedLog(log, Duration.ofHours(1));
  /** Says once an hour that collectors read through pgintel's own connection because the pool is exhausted. */
  private final RateLimitedLog ownLog = new RateLimitedLog(log, Duration.ofHours(1));
  private final List<Task> tasks = new ArrayList<>();
  /** Guards every task's due tick, so that collectors due at the same moment are taken on together, once. */
  private final Object dueTicks = new Object();
  private final List<CollectorStatus> disabled;
  private final ScheduledThreadPoolExecutor executor;
  private volatile boolean running;
  /** When {@link #start()} was called; null before. */
  private volatile Instant startedAt;
  private final InstantSource clock;
  private final Leadership leadership;
  private volatile boolean closed;
  /** Whether the application's closed pool has been mentioned: once, however many ticks it skips. */
  private volatile boolean poolClosedSaid;
  /**
   * Failures to get or keep a database session ({@link Breakers#sessionFailure}): every collector meets the same
   * cause, so they are said once a minute for all, not once per collector.
   */
  private final RateLimitedLog sessionLog = new RateLimitedLog(log, Duration.ofMinutes(1));
  /** Collectors that read nothing for a while though nothing failed (every tick pool_busy): said now and then. */
  private final RateLimitedLog starvedLog = new RateLimitedLog(log, Duration.ofMinutes(10));
  /** Whether sessions failed since the last collection that had one: its end is said once. */
  private final AtomicBoolean sessionsFailing = new AtomicBoolean();
  /** Whether a session failure was logged since the last "again": only then is the end of it. */
  private volatile boolean sessionFailureSaid;

  /**
   * @param collectors the enabled collectors with their intervals
   * @param disabled status entries for collectors switched off in settings
   * @param exhaustedPoolInterval once the pool is found with no connection to spare, for this long a collector
   *     borrows at most this often
   * @param leadership whether this instance collects now, or stands by for another one that does
   */
  public Scheduler(SessionFactory sessions, List<Scheduled> collectors, List<CollectorStatus> disabled,
      CollectionListener listener, Duration maxBackoff, Duration exhaustedPoolInterval, Breakers breakers,
      Leadership leadership) {
    this(sessions, collectors, disabled, listener, maxBackoff, exhaustedPoolInterval, breakers, leadership,
        InstantSource.system());
  }

  /**
   * @param clock what the health of collectors is reckoned by (when each read last, how long one has not); ticks
   *     keep to {@link System#nanoTime()}
   */
  Scheduler(SessionFactory sessions, List<Scheduled> collectors, List<CollectorStatus> disabled,
      CollectionListener listener, Duration maxBackoff, Duration exhaustedPoolInterval, Breakers breakers,
      Leadership leadership, InstantSource clock) {
    this.clock = clock;
    this.leadership = leadership;
    this.sessions = sessions;
    this.breakers = breakers;
    this.listener = listener;
    this.maxBackoff = maxBackoff;
    this.exhaustedPoolNanos = exhaustedPoolInterval.toNanos();
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
    startedAt = clock.instant();
    running = true;
    long now = System.nanoTime();
    // every first tick is due now: none fires before all are scheduled, so that the first takes them all on
    synchronized (dueTicks) {
      for (Task t : tasks) {
        t.gridStart = now;
        t.tick = 0;
        t.schedule(now);
      }
    }
  }

  /**
   * Runs every collector once, now, on one borrowed connection (waiting for a running tick of a collector to end);
   * the caller waits until they are done.
   */
  public void collectNow() {
    for (Task t : tasks) {
      t.lock.lock();
    }
    try {
      runTogether(tasks, true);
    } finally {
      for (Task t : tasks) {
        t.lock.unlock();
      }
    }
  }

  /**
   * Runs {@code due} (each locked by the caller), each collector in a session of its own, as many of them to a
   * borrow as fit {@link #SHARED_HOLD_BUDGET_NANOS}.
   *
   * @param forced asked for by {@link #collectNow()}: runs even with a circuit open, as a probe
   */
  private void runTogether(List<Task> due, boolean forced) {
    Instant collecting = leadership.since();
    if (collecting == null) {
      // another instance collects for this one, also when asked to collect now: the database is not asked at all
      for (Task t : due) {
        listener.skipped(t.collector.name(), "standby");
        // failures of a while ago would space its ticks out when this instance collects again
        t.failures = 0;
      }
      return;
    }
    for (Task t : due) {
      // another instance collected since this one last did: what this one would compare with is out of date
      if (t.collectingSince != null && !t.collectingSince.equals(collecting)) {
        try {
          t.collector.reset();
        } catch (RuntimeException | LinkageError e) {
          // its own loss, as in beforeSession
        }
      }
      t.collectingSince = collecting;
    }
    List<Task> admitted = new ArrayList<>(due.size());
    List<SessionFactory.SessionWork<List<? extends Record>>> works = new ArrayList<>(due.size());
    long now = System.nanoTime();
    // the pool is asked only when its answer could hold a collector back, or send it through pgintel's own
    boolean own = sessions.ownUsable();
    boolean exhausted = (own || !forced && due.stream().anyMatch(t -> t.mayYield(now))) && poolExhaustedLately(now);
    boolean viaOwn = own && exhausted;
    if (viaOwn) {
      ownLog.info("pgintel found the application's connection pool with no connection to spare: while that lasts, it"
          + " reads through a connection of its own instead of borrowing (pgintel.session.exhausted-pool-interval"
          + " after the last time it found the pool so)");
    }
    for (Task t : due) {
      t.endedAt = 0;
      if (exhausted && !viaOwn && !forced && t.mayYield(now)) {
        listener.skipped(t.collector.name(), "pool_exhausted");
        exhaustedLog.info("pgintel found the application's connection pool with no connection to spare: while that"
            + " lasts, collectors borrow at most every {} (pgintel.session.exhausted-pool-interval), and the ticks"
            + " they skip are counted in pgintel.collector.skipped (pool_exhausted)",
            Duration.ofNanos(exhaustedPoolNanos));
        continue;
      }
      SessionFactory.SessionWork<List<? extends Record>> work = t.admit(forced);
      if (work != null) {
        admitted.add(t);
        works.add(work);
      }
    }
    int next = 0;
    while (next < admitted.size()) {
      // as many as fit the budget by their last sessions' times, at least one
      int end = next + 1;
      long expected = admitted.get(next).lastSessionNanos;
      while (end < admitted.size() && expected + admitted.get(end).lastSessionNanos <= SHARED_HOLD_BUDGET_NANOS) {
        expected += admitted.get(end).lastSessionNanos;
        end++;
      }
      next += runBorrowed(admitted.subList(next, end), works.subList(next, end), viaOwn);
    }
  }

  /** Reads the pool: whether it is exhausted now, or was found so within the last exhausted-pool interval. */
  private boolean poolExhaustedLately(long now) {
    if (sessions.poolExhausted()) {
      lastExhausted = now;
      return true;
    }
    long last = lastExhausted;
    return last != 0 && now - last < exhaustedPoolNanos;
  }

  /**
   * Runs {@code works} in one borrow and settles their tasks' outcomes.
   *
   * @return how many ran: fewer than all when the connection was lost on the way, and the rest need another borrow
   */
  private int runBorrowed(List<Task> batch, List<SessionFactory.SessionWork<List<? extends Record>>> works,
      boolean viaOwn) {
    long started = System.nanoTime();
    for (Task t : batch) {
      t.lastBorrow = started;
    }
    List<SessionFactory.Outcome> outcomes;
    try {
      outcomes = sessions.inSessions(works, viaOwn);
    } catch (PoolBusyException e) {
      for (Task t : batch) {
        t.poolBusy(e);
      }
      return batch.size();
    } catch (Throwable e) {
      boolean closedPool = !viaOwn && sessions.poolClosed();
      if (closedPool && !poolClosedSaid) {
        poolClosedSaid = true;
        log.info("pgintel: the application's pool is closed; collectors skip their ticks (pool_closed) while it is");
      }
      for (Task t : batch) {
        if (closedPool) {
          t.poolClosed();
        } else {
          t.failed(e, Duration.ofNanos(System.nanoTime() - started), true);
        }
      }
      return batch.size();
    }
    VirtualMachineError fatal = null;
    // each collection's time: the wait for the connection, then its own session
    long borrowWait = outcomes.isEmpty() ? 0 : outcomes.get(0).startedNanos() - started;
    for (int i = 0; i < outcomes.size(); i++) {
      Task t = batch.get(i);
      SessionFactory.Outcome o = outcomes.get(i);
      t.endedAt = o.endedNanos();
      t.lastSessionNanos = o.endedNanos() - o.startedNanos();
      Duration took = Duration.ofNanos(borrowWait + o.endedNanos() - o.startedNanos());
      if (o.failure() == null) {
        @SuppressWarnings("unchecked")
        List<? extends Record> records = (List<? extends Record>) o.result();
        t.succeeded(records, took);
      } else {
        t.failed(o.failure(), took, false);
        if (o.failure() instanceof VirtualMachineError vm && !(vm instanceof StackOverflowError)) {
          fatal = vm;
        }
      }
    }
    if (fatal != null) {
      // what an error of the JVM left undone is given up, and the error goes on
      for (Task t : batch.subList(outcomes.size(), batch.size())) {
        t.notRun();
      }
      throw fatal;
    }
    return Math.max(1, outcomes.size());
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
        case "53300" -> "too_many_connections";
        case "28P01", "28000" -> "authentication";
        case "25006" -> "read_only_violation";
        default -> "sqlstate_" + state;
      };
    }
    return e.getClass().getSimpleName();
  }

  /**
   * Whether what was learnt of the server may be out of date after this failure: it went away or restarted, or
   * a relation, function or the database itself was dropped, re-created or moved (an extension, say); the next
   * session learns it again.
   */
  private static boolean outdatesServer(String errorType, Throwable e) {
    if (errorType.equals("connection") || errorType.equals("server_shutdown")) {
      return true;
    }
    String state = e instanceof SQLException sql ? sql.getSQLState() : null;
    return "42P01".equals(state) || "42883".equals(state) || "3D000".equals(state);
  }

  /** Order of a batch: the fastest sampler first, on the freshest connection. */
  private static final Comparator<Task> FASTEST_FIRST = Comparator.comparingLong(t -> t.intervalNanos);

  private final class Task {
    final Collector collector;
    final Duration interval;
    final long intervalNanos;
    final RateLimitedLog failureLog;
    final Instant created;
    final ReentrantLock lock = new ReentrantLock();
    /** Since when this instance collected at this collector's last tick ({@link Leadership#since}); under lock. */
    Instant collectingSince;
    long gridStart;
    long tick;
    /** When the tick now scheduled is due ({@link System#nanoTime()}) and which tick it is; under dueTicks. */
    long dueAt;
    long dueTick;
    /** The last tick taken on to run (by this task's timer or a companion's); -1 before any; under dueTicks. */
    long claimed = -1;
    /** When this tick's collection ended ({@link System#nanoTime()}), 0 if it did not run; under lock. */
    long endedAt;
    /** How long its last session held the connection; 0 before the first; under lock. */
    long lastSessionNanos;
    /** When it last borrowed, or asked to ({@link System#nanoTime()}); 0 before the first; under lock. */
    long lastBorrow;
    volatile Instant lastSuccess;
    volatile String lastError;
    volatile int failures;
    /** Whether a failure since the last success was logged: only then is the recovery (once per flapping). */
    volatile boolean failureSaid;
    volatile String unavailable;

    Task(Collector collector, Duration interval) {
      this.created = clock.instant();
      this.collector = collector;
      this.interval = interval;
      this.intervalNanos = interval.toNanos();
      this.failureLog = new RateLimitedLog(log, Duration.ofMinutes(1));
    }

    /**
     * Whether an exhausted pool holds this collector back at {@code now}: it runs more often than
     * {@code exhaustedPoolInterval} and borrowed less than that ago (half an interval of slack, so that a tick on
     * its grid a moment early is not skipped for it). Its first tick never waits.
     */
    boolean mayYield(long now) {
      return intervalNanos < exhaustedPoolNanos && lastBorrow != 0
          && now - lastBorrow < exhaustedPoolNanos - intervalNanos / 2;
    }

    /** Schedules {@link #tick}, due at {@code due}. */
    void schedule(long due) {
      if (running) {
        long k = tick;
        synchronized (dueTicks) {
          dueTick = k;
          dueAt = due;
        }
        try {
          executor.schedule(() -> fire(k), Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (RuntimeException rejected) {
          // shut down concurrently
        }
      }
    }

    /** Takes tick {@code k} on; false if someone already has. */
    private boolean claim(long k) {
      if (claimed >= k) {
        return false;
      }
      claimed = k;
      return true;
    }

    /**
     * This task's timer: tick {@code k} is due. Whichever timer of those due at this moment comes first takes
     * the others' ticks on too (one monitor, so no tick is taken twice or dropped); the others find theirs taken.
     */
    void fire(long k) {
      if (!running) {
        return;
      }
      List<Task> due = new ArrayList<>();
      synchronized (dueTicks) {
        if (!claim(k)) {
          return;
        }
        due.add(this);
        for (Task other : tasks) {
          if (other != this && other.dueAt == dueAt && other.claim(other.dueTick)) {
            due.add(other);
          }
        }
      }
      List<Task> batch = new ArrayList<>(due.size());
      for (Task t : due) {
        if (t.lock.tryLock()) {
          batch.add(t);
        } else {
          // collectNow() is running this collector: this tick is its own overrun
          listener.skipped(t.collector.name(), "overrun");
          t.planNext(System.nanoTime());
        }
      }
      batch.sort(FASTEST_FIRST);
      try {
        runTogether(batch, false);
      } finally {
        long now = System.nanoTime();
        for (Task t : batch) {
          // a collector's next tick counts from when its own collection ended, not from the end of the ones
          // after it in the batch: a slow companion makes it late, never skips its tick
          long from = t.endedAt != 0 ? Math.min(t.endedAt, now) : now;
          t.lock.unlock();
          t.planNext(from);
        }
      }
    }

    /** Schedules the next tick, counting from {@code now}. */
    private void planNext(long now) {
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
      schedule(gridStart + nextTick * intervalNanos);
    }

    /**
     * The work of one collection if this collector may run now, else null (counted as skipped).
     *
     * @param forced asked for by {@link #collectNow()}: runs even with its circuit open, as a probe
     */
    SessionFactory.SessionWork<List<? extends Record>> admit(boolean forced) {
      if (unavailable != null) {
        // rediscover: the missing extension or privilege may have been added since
        sessions.forgetServer();
      }
      if (forced) {
        breakers.probe(collector.name());
      } else if (!breakers.allow(collector.name(), System.currentTimeMillis())) {
        listener.skipped(collector.name(), "circuit_open");
        return null;
      }
      try {
        collector.beforeSession();
      } catch (RuntimeException | LinkageError | InternalError e) {
        // its own loss: the collection itself goes on (and collectNow() may run on the application's thread)
      }
      return session -> {
        Optional<String> reason = collector.unavailableReason(session.server());
        if (reason.isPresent()) {
          markUnavailable(reason.get());
          return null;
        }
        try {
          return collector.collect(session);
        } catch (SQLException e) {
          Optional<String> unavailable = collector.unavailableReason(e);
          if (unavailable.isEmpty()) {
            throw e;
          }
          markUnavailable(unavailable.get());
          return null;
        }
      };
    }

    /** @param records null when the collector turned out to be unavailable on this server */
    void succeeded(List<? extends Record> records, Duration took) {
      if (records == null) {
        notRun();
        return;
      }
      breakers.succeeded(collector.name(), System.currentTimeMillis(), took, interval, records);
      if (sessionsFailing.compareAndSet(true, false) && sessionFailureSaid) {
        // said only after a failure that was: a flapping session is a line a minute, not two per flap
        sessionFailureSaid = false;
        log.info("pgintel has a database session again: collectors resume");
      }
      if (failures > 0 && failureSaid || unavailable != null) {
        log.info("pgintel collector '{}' recovered after {} failed attempt(s)", collector.name(), failures);
      }
      failures = 0;
      failureSaid = false;
      unavailable = null;
      lastError = null;
      lastSuccess = clock.instant();
      listener.collected(collector.name(), List.copyOf(records), lastSuccess, interval, took);
    }

    void notRun() {
      breakers.abandoned(collector.name());
    }

    /** The application closed its pool (its shutdown): a skipped tick, not a failure. */
    void poolClosed() {
      notRun();
      listener.skipped(collector.name(), "pool_closed");
    }

    /**
     * Its last reading, or when it started (was made) for one that has not read yet; at the earliest when this
     * instance began to lead.
     */
    Instant readSince() {
      Instant read = lastSuccess != null ? lastSuccess : startedAt != null ? startedAt : created;
      Instant leads = leadership.since();
      return leads != null && leads.isAfter(read) ? leads : read;
    }

    /** Whether it read within its last three intervals (at least a minute) since it started, as far as it ran. */
    boolean reading() {
      return CollectorStatus.readWithin(interval, readSince(), clock.instant());
    }

    void poolBusy(PoolBusyException e) {
      notRun();
      listener.skipped(collector.name(), "pool_busy");
      failureLog.debug("pgintel collector '{}' skipped a tick: {}", collector.name(), e.getMessage());
      if (failures == 0 && unavailable == null && !reading()) {
        // nothing failed, yet nothing is read: as when the database behind the pool is down
        starvedLog.warn("pgintel collector '{}' has read nothing for {} s: the application's pool had no "
            + "connection free within the borrow timeout at its ticks (pool_busy); the database behind it may be "
            + "unreachable, or the pool too small for the application's own load", collector.name(),
            Duration.between(readSince(), clock.instant()).toSeconds());
      }
    }

    /**
     * @param gettingSession it failed while getting its session, before the collector ran: a cause every
     *     collector meets alike; once the collector runs (a session ended under it, as by pg_terminate_backend),
     *     the failure is its own too
     */
    void failed(Throwable e, Duration took, boolean gettingSession) {
      String type = errorType(e);
      if (outdatesServer(type, e)) {
        sessions.forgetServer();
      }
      boolean session = gettingSession && Breakers.sessionFailure(type);
      failures++;
      lastError = type + ": " + e.getMessage();
      breakers.failed(collector.name(), System.currentTimeMillis(), type, gettingSession);
      listener.failed(collector.name(), type, took);
      if (session) {
        sessionsFailing.set(true);
        sessionFailureSaid |= sessionLog.warn("pgintel lost or could not open a database session ({}, collector '{}'"
            + " and any other due): {}; {}", type, collector.name(), e.getMessage(), hint(type));
      } else {
        failureSaid |= failureLog.warn("pgintel collector '{}' failed ({} in a row, {}): {}; {}", collector.name(),
            failures, type, e.getMessage(), hint(type));
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
      } else if (running && leadership.since() == null) {
        // what it said when it last collected is another instance's to say now
        state = CollectorStatus.State.STANDBY;
      } else if (unavailable != null) {
        state = CollectorStatus.State.UNAVAILABLE;
      } else if (failures > 0) {
        state = CollectorStatus.State.BACKING_OFF;
      } else if (running && !reading()) {
        state = CollectorStatus.State.STALLED;
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
      case "connection" -> "the server is unreachable; pgintel retries with back-off";
      case "server_shutdown" -> "the server ended the session (shutdown, restart or pg_terminate_backend); pgintel "
          + "retries with back-off";
      case "too_many_connections" -> "the server or the role has no connection to spare; pgintel retries with "
          + "back-off";
      case "authentication" -> "the server refused the role's credentials; pgintel retries with back-off";
      case "insufficient_privilege" -> "grant pg_monitor to the application's role";
      default -> "pgintel retries with back-off";
    };
  }

  private static long ceilDiv(long a, long b) {
    return a <= 0 ? 0 : (a + b - 1) / b;
  }
}
