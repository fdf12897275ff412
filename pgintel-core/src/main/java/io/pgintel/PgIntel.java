package io.pgintel;

import io.pgintel.collect.CollectorStatus;
import io.pgintel.collect.Scheduler;
import io.pgintel.collect.SessionFactory;
import io.pgintel.emit.Emitter;
import io.pgintel.emit.OpenTelemetrySource;
import io.pgintel.internal.OwnConnection;
import io.pgintel.process.Processor;
import io.pgintel.process.ProcessorChain;
import io.pgintel.process.ProcessorStats;
import io.pgintel.runtime.Breakers;
import io.pgintel.runtime.CircuitBreaker;
import io.pgintel.runtime.LeaderElection;
import io.pgintel.sql.SqlEngine;
import io.pgintel.trace.SessionRegistry;
import io.pgintel.trace.TracingDataSource;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-app PostgreSQL monitoring: reads the server's statistics views through the application's DataSource and
 * reports them through OpenTelemetry.
 *
 * <pre>{@code
 * PgIntel pgintel = PgIntel.builder()
 *     .dataSource(dataSource)
 *     .openTelemetry(openTelemetry)      // optional
 *     .build();                          // validates settings, fails with the key that is wrong
 * pgintel.start();                       // returns at once; collection runs on daemon threads
 * ...
 * pgintel.close();                       // stops, flushes, returns every connection
 * }</pre>
 *
 * <p>After {@link #start()} nothing pgintel does throws into the application: failures are logged (rate
 * limited), counted in {@code pgintel.collector.errors} and retried with back-off.
 */
public final class PgIntel implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PgIntel.class);
  private static final int NEW = 0;
  private static final int STARTED = 1;
  private static final int CLOSED = 2;

  private final Settings settings;
  private final SessionFactory sessions;
  private final Scheduler scheduler;
  private final OpenTelemetrySource telemetry;
  private final Emitter emitter;
  private final ProcessorStats processing = new ProcessorStats();
  private final ProcessorChain chain;
  private final Breakers breakers;
  private final AtomicInteger state = new AtomicInteger(NEW);
  private final SessionRegistry registry;
  /** A session of pgintel's own that the builder made, closed with this instance; or null. */
  private final OwnConnection ownSession;
  /** Which of the application's instances collects, when they elect one; or null. */
  private final LeaderElection election;

  PgIntel(Settings settings, SessionFactory sessions, Scheduler.Factory schedulerFactory,
      OpenTelemetrySource telemetry, SessionRegistry registry, SqlEngine sql, List<Processor> processors,
      Breakers breakers, OwnConnection ownSession, LeaderElection election) {
    this.election = election;
    this.breakers = breakers;
    this.ownSession = ownSession;
    this.settings = settings;
    this.registry = registry;
    this.sessions = sessions;
    this.telemetry = telemetry;
    this.emitter = new Emitter(telemetry.openTelemetry(), sessions::server, sql::cacheStats, this::status,
        (Boolean) settings.value(Setting.PII_ENABLED), settings.choices(Setting.PII_DETECTORS), processing,
        breakers::status, settings.customQueries(), election);
    this.chain = new ProcessorChain(processors, processing, emitter);
    this.scheduler = schedulerFactory.create(chain);
  }

  public static PgIntelBuilder builder() {
    return new PgIntelBuilder();
  }

  /** Starts collecting. Idempotent; returns at once. Does nothing when {@code pgintel.enabled=false}. */
  public void start() {
    if (!settings.enabled()) {
      log.info("pgintel is disabled (pgintel.enabled=false)");
      return;
    }
    if (state.compareAndSet(NEW, STARTED)) {
      if (election != null) {
        // the collectors start once the first round has answered: none of their first ticks stands by for it
        election.start(scheduler::start);
      } else {
        scheduler.start();
      }
      log.info("pgintel started: collectors {}, telemetry through {}", settings.enabledCollectors(),
          telemetry.origin());
    }
  }

  /**
   * The application's DataSource, with each statement linked to the span that runs it, so that activity samples,
   * query samples and blocking chains of its sessions carry the application's trace and line of code. Use the
   * returned DataSource in place of the original. SQL text is never rewritten.
   */
  public DataSource wrap(DataSource dataSource) {
    return TracingDataSource.wrap(Objects.requireNonNull(dataSource, "dataSource"), registry);
  }

  /** Health of every collector. */
  public List<CollectorStatus> status() {
    // null only while the constructor runs: the emitter, made first, may already be asked
    return scheduler == null ? List.of() : scheduler.status();
  }

  /**
   * The circuit breakers: {@code server} first, then one per collector that has run. An open breaker pauses
   * collection (see {@code pgintel.circuit.*}).
   */
  public List<CircuitBreaker.Status> circuits() {
    return breakers.status();
  }

  /** The stages records go through between the collectors and OpenTelemetry, in order. */
  public List<String> processors() {
    return chain.stageNames();
  }

  /** The settings this instance runs with. */
  public Settings settings() {
    return settings;
  }

  /**
   * Runs every enabled collector once, now, on one borrowed connection; returns when they are done. For tests and
   * command-line tools.
   */
  public void collectNow() {
    if (state.get() != CLOSED) {
      scheduler.collectNow();
    }
  }

  /** The latest records of one collector (empty before its first collection). */
  public List<? extends Record> latest(String collector) {
    return emitter.latest(collector);
  }

  /** Stops collecting, exports what is pending and releases everything. Idempotent. */
  @Override
  public void close() {
    if (state.getAndSet(CLOSED) == CLOSED) {
      return;
    }
    scheduler.close();
    if (election != null) {
      // its lock let go now, so that another instance takes over at its next try
      election.close();
    }
    sessions.close();
    if (ownSession != null) {
      ownSession.close();
    }
    telemetry.flush();
    emitter.close();
    telemetry.close();
  }
}
