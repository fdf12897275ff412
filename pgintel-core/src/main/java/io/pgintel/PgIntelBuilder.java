package io.pgintel;

import io.opentelemetry.api.OpenTelemetry;
import io.pgintel.collect.BuiltInCollectors;
import io.pgintel.collect.Collector;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.collect.custom.CustomQuery;
import io.pgintel.collect.custom.CustomQueryCollector;
import io.pgintel.collect.Scheduler;
import io.pgintel.collect.SessionFactory;
import io.pgintel.collect.connections.ConnectionsCollector;
import io.pgintel.collect.plans.PlansCollector;
import io.pgintel.emit.OpenTelemetrySource;
import io.pgintel.emit.MetricMeasures;
import io.pgintel.internal.OwnConnection;
import io.pgintel.process.CardinalityLimiter;
import io.pgintel.process.Measures;
import io.pgintel.process.PlanProcessor;
import io.pgintel.process.Processor;
import io.pgintel.process.Verifier;
import io.pgintel.process.Sampler;
import io.pgintel.runtime.Breakers;
import io.pgintel.runtime.LeaderElection;
import io.pgintel.runtime.Leadership;
import io.pgintel.sql.SqlEngine;
import io.pgintel.trace.SessionRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a {@link PgIntel}. Setters only record what they are given; {@link #build()} checks everything at once
 * and fails with a message that names the setting and what it allows. Any setting can be given by key with
 * {@link #setting(String, Object)}, the same keys the agent and the Spring starter read.
 */
public final class PgIntelBuilder {

  private static final Logger log = LoggerFactory.getLogger(PgIntelBuilder.class);

  /** Occurrences the sampler remembers to drop duplicates: about 50 bytes each. */
  private static final int SAMPLER_MEMORY = 10_000;
  /** Counter series whose last value the verifier remembers: about 200 bytes each. */
  private static final int VERIFIER_MEMORY = 50_000;

  private DataSource dataSource;
  private DataSource exhaustedPoolDataSource;
  private OpenTelemetry openTelemetry;
  private SessionRegistry sessionRegistry;
  private final Map<String, Object> raw = new LinkedHashMap<>();
  private final List<Collector> extraCollectors = new ArrayList<>();
  private final List<Processor> extraProcessors = new ArrayList<>();

  PgIntelBuilder() {}

  /** The application's DataSource; pgintel borrows a connection from it for each collection. Required. */
  public PgIntelBuilder dataSource(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    return this;
  }

  /**
   * A DataSource of pgintel's own (say, one connection that is not the application's) to read through instead of
   * the application's while its pool is found with no connection to spare ({@link #exhaustedPoolInterval}), or
   * always with {@code pgintel.session.own-connection=true}: then no collector waits for the pool or takes a
   * connection an application thread is about to ask for, and none is slowed down. It is asked for a connection at
   * every collection meanwhile (the {@code activity} sample's is every second), so give one that keeps its
   * connection open, a pool of one say, not one that connects each time. If it cannot connect, that tick is skipped
   * ({@code pool_busy}), and for 5 minutes collectors yield to the exhausted pool as without it.
   *
   * <p>Optional: without it pgintel makes one connection of its own, by the PostgreSQL driver, from the
   * configuration of a HikariCP, DBCP 2, Tomcat JDBC or c3p0 pool given as {@link #dataSource} (JDBC URL, user,
   * password, driver properties); for a DataSource of another kind collectors borrow less often from an exhausted
   * pool instead. With {@code pgintel.session.own-connection=false}, {@link #build()} refuses it.
   */
  public PgIntelBuilder exhaustedPoolDataSource(DataSource own) {
    this.exhaustedPoolDataSource = Objects.requireNonNull(own, "own");
    return this;
  }

  /** The application's OpenTelemetry. Without it: the global one when set, else pgintel's own SDK. */
  public PgIntelBuilder openTelemetry(OpenTelemetry openTelemetry) {
    this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
    return this;
  }

  /**
   * Where statements of the application's sessions are linked to spans, when an integration wraps the
   * application's connections before this instance exists (see {@code TracingDataSource.wrapConnection}).
   * Without it, {@link PgIntel#wrap} uses a registry of the instance's own.
   */
  public PgIntelBuilder sessionRegistry(SessionRegistry registry) {
    this.sessionRegistry = Objects.requireNonNull(registry, "registry");
    return this;
  }

  /** One setting by key ({@code pgintel.*}, or {@code otel.*} for pgintel's own SDK). */
  public PgIntelBuilder setting(String key, Object value) {
    raw.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value of " + key));
    return this;
  }

  /** Every {@code pgintel.*} and {@code otel.*} entry of a map; other keys are ignored. */
  public PgIntelBuilder settings(Map<String, ?> settings) {
    settings.forEach((k, v) -> {
      if (k != null && v != null) {
        raw.put(k, v);
      }
    });
    return this;
  }

  /** Every {@code pgintel.*} and {@code otel.*} entry of a Properties object (e.g. system properties). */
  public PgIntelBuilder settings(Properties properties) {
    for (String name : properties.stringPropertyNames()) {
      raw.put(name, properties.getProperty(name));
    }
    return this;
  }

  /** {@code PGINTEL_*} environment variables, then {@code -Dpgintel.*} system properties (which win). */
  public PgIntelBuilder systemSettings() {
    settings(Settings.fromEnvironment(System.getenv()));
    return settings(System.getProperties());
  }

  public PgIntelBuilder collectorEnabled(String collector, boolean enabled) {
    return setting("pgintel.collectors." + collector + ".enabled", enabled);
  }

  public PgIntelBuilder collectorInterval(String collector, Duration interval) {
    return setting("pgintel.collectors." + collector + ".interval", interval);
  }

  public PgIntelBuilder statementTimeout(Duration timeout) {
    return setting(Setting.STATEMENT_TIMEOUT.key(), timeout);
  }

  public PgIntelBuilder lockTimeout(Duration timeout) {
    return setting(Setting.LOCK_TIMEOUT.key(), timeout);
  }

  public PgIntelBuilder borrowTimeout(Duration timeout) {
    return setting(Setting.BORROW_TIMEOUT.key(), timeout);
  }

  /**
   * Once the application's pool is found with no connection to spare, for this long each collector borrows at most
   * this often (default 10 s; {@code pgintel.session.exhausted-pool-interval}).
   */
  public PgIntelBuilder exhaustedPoolInterval(Duration interval) {
    return setting(Setting.EXHAUSTED_POOL_INTERVAL.key(), interval);
  }

  /**
   * A sampling rule for events, the same as the {@code pgintel.sampler.rules.<name>.*} settings: events for which
   * {@code when} holds are kept at {@code ratePercent}, at most {@code maxPerMinute} a minute (0: no cap); the
   * first matching rule by priority decides. Checked at {@link #build()}.
   */
  public PgIntelBuilder samplingRule(String name, String when, double ratePercent, int priority, int maxPerMinute) {
    String prefix = Setting.RULE_PREFIX + Objects.requireNonNull(name, "name") + ".";
    setting(prefix + "when", Objects.requireNonNull(when, "when"));
    setting(prefix + "rate", ratePercent);
    setting(prefix + "priority", priority);
    return setting(prefix + "max-per-minute", maxPerMinute);
  }

  /** Adds a collector of the application's own; its name must not be taken. */
  public PgIntelBuilder addCollector(Collector collector) {
    Objects.requireNonNull(collector, "collector");
    if (BuiltInCollectors.defaultIntervals().containsKey(collector.name())
        || collector.name().equals(io.pgintel.runtime.Breakers.SERVER)
        || extraCollectors.stream().anyMatch(c -> c.name().equals(collector.name()))) {
      throw new IllegalArgumentException("a collector named '" + collector.name() + "' is already registered"
          + " (or the name is reserved: 'server' is the circuit breaker every collection passes)");
    }
    extraCollectors.add(collector);
    return this;
  }

  /**
   * Adds a processing stage of the application's own. Its stages run in the order added, after pgintel's data
   * checks and before sampling and cardinality limits, so what they add is sampled and bounded like the rest.
   */
  public PgIntelBuilder addProcessor(Processor processor) {
    Objects.requireNonNull(processor, "processor");
    extraProcessors.add(processor);
    return this;
  }

  /**
   * Validates every setting and builds the instance; nothing runs until {@link PgIntel#start()}.
   *
   * @throws IllegalArgumentException naming the bad setting and what it allows
   * @throws IllegalStateException when no DataSource was given
   */
  public PgIntel build() {
    if (dataSource == null) {
      throw new IllegalStateException("dataSource is required: PgIntel.builder().dataSource(ds)");
    }
    Settings settings = Settings.parse(raw, defaultIntervals(), null);
    SessionRegistry registry = sessionRegistry != null ? sessionRegistry : new SessionRegistry();
    SqlEngine sql = SqlEngine.create();
    List<Collector> collectors = new ArrayList<>(BuiltInCollectors.create(settings, registry, sql));
    collectors.addAll(extraCollectors);
    Reading reading = reading(settings);
    SessionFactory sessions = new SessionFactory(reading.dataSource(), reading.own(), settings.borrowTimeout(),
        settings.statementTimeout(), settings.lockTimeout());
    List<Scheduler.Scheduled> scheduled = new ArrayList<>();
    List<CollectorStatus> disabled = new ArrayList<>();
    for (Collector c : collectors) {
      Duration interval = settings.interval(c.name());
      if (settings.enabledCollectors().contains(c.name())) {
        scheduled.add(new Scheduler.Scheduled(c, interval));
      } else {
        disabled.add(new CollectorStatus(c.name(), CollectorStatus.State.DISABLED, interval, null, null, 0,
            "pgintel.collectors." + c.name() + ".enabled=false"));
      }
    }
    for (CustomQuery q : settings.customQueries()) {
      if (collectors.stream().anyMatch(c -> c.name().equals(q.collectorName()))) {
        throw new IllegalArgumentException(Setting.QUERY_PREFIX + q.name() + ".sql: a collector named '"
            + q.collectorName() + "' is already registered");
      }
      scheduled.add(new Scheduler.Scheduled(new CustomQueryCollector(q), q.interval()));
    }
    OpenTelemetrySource telemetry = settings.enabled()
        ? OpenTelemetrySource.resolve(openTelemetry, settings.openTelemetryProperties())
        : OpenTelemetrySource.resolve(OpenTelemetry.noop(), Map.of());
    Breakers breakers = breakers(settings);
    LeaderElection election = election(settings);
    return new PgIntel(settings, sessions,
        listener -> new Scheduler(sessions, scheduled, disabled, listener, settings.maxBackoff(),
            (Duration) settings.value(Setting.EXHAUSTED_POOL_INTERVAL), breakers,
            election != null ? election : Leadership.ALWAYS),
        telemetry, registry, sql, processors(settings), breakers, reading.made(), election);
  }

  /**
   * What collectors read through, as {@code pgintel.session.own-connection} says.
   *
   * @param own pgintel's own session for while the pool is exhausted, or null
   * @param made the session made here, closed with the instance; or null
   */
  private record Reading(DataSource dataSource, DataSource own, OwnConnection made) {}

  private Reading reading(Settings settings) {
    String mode = (String) settings.value(Setting.OWN_CONNECTION);
    if (mode.equals("false")) {
      if (exhaustedPoolDataSource != null) {
        throw new IllegalArgumentException(Setting.OWN_CONNECTION.key() + ": 'false' contradicts the DataSource of "
            + "pgintel's own given to exhaustedPoolDataSource(...); use when-pool-exhausted or true, or give none");
      }
      return new Reading(dataSource, null, null);
    }
    OwnConnection made = null;
    if (exhaustedPoolDataSource == null) {
      try {
        made = OwnConnection.beside(dataSource, OwnConnection.waitFor(settings.borrowTimeout())).orElse(null);
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        log.warn("pgintel: cannot make a session of its own beside {} ({}); borrowing from it only",
            dataSource.getClass().getName(), e.toString());
      }
    }
    DataSource own = exhaustedPoolDataSource != null ? exhaustedPoolDataSource : made;
    boolean always = mode.equals("true");
    if (own == null) {
      if (always && settings.enabled()) {
        log.warn("pgintel: {}=true, but {} is not a pool whose configuration pgintel can read (HikariCP, DBCP 2, "
            + "Tomcat JDBC or c3p0 of PostgreSQL configured with a JDBC URL), and no exhaustedPoolDataSource was "
            + "given; reading through it", Setting.OWN_CONNECTION.key(), dataSource.getClass().getName());
      }
      return new Reading(dataSource, null, null);
    }
    if (settings.enabled()) {
      // pgintel's own sessions name only their database; another DataSource's toString may show its URL
      Object named = own instanceof OwnConnection ? own : "a DataSource of pgintel's own (" + own.getClass().getName()
          + ")";
      log.info(always ? "pgintel: collectors read through {} only ({}=true)"
          : "pgintel: should the application's pool run out of connections to spare, collectors read through {} "
              + "meanwhile ({}=when-pool-exhausted)", named, Setting.OWN_CONNECTION.key());
    }
    return always ? new Reading(own, null, made) : new Reading(dataSource, own, made);
  }

  /**
   * The election among the application's instances when {@code pgintel.leader-election.enabled}, else null. Its
   * lock is held by a session of pgintel's own, closed between tries: a sibling of the one pgintel reads through
   * (given to {@link #exhaustedPoolDataSource}, or the DataSource itself, as the agent gives them), or one opened
   * from the pool's configuration; never the collectors' own session (the lock would hold its one turn for good),
   * never a connection of the application's pool (it would go back to the pool with the lock). Where no such
   * session can be made there is no election, and this instance collects as if alone, which it says.
   */
  private LeaderElection election(Settings settings) {
    if (!settings.enabled() || !(Boolean) settings.value(Setting.LEADER_ELECTION_ENABLED)) {
      return null;
    }
    String group = (String) settings.value(Setting.LEADER_ELECTION_GROUP);
    Duration every = (Duration) settings.value(Setting.LEADER_ELECTION_INTERVAL);
    OwnConnection readThrough = exhaustedPoolDataSource instanceof OwnConnection o ? o : ownConnectionOf(dataSource);
    OwnConnection own = readThrough != null ? readThrough.sibling(Duration.ZERO) : null;
    String why = "it is not a pool whose configuration pgintel can read (HikariCP, DBCP 2, Tomcat JDBC or c3p0 of"
        + " PostgreSQL configured with a JDBC URL)";
    if (own == null && settings.value(Setting.OWN_CONNECTION).equals("false")) {
      why = Setting.OWN_CONNECTION.key() + "=false";
    } else if (own == null) {
      try {
        own = OwnConnection.beside(dataSource, OwnConnection.waitFor(settings.borrowTimeout()), Duration.ZERO)
            .orElse(null);
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        why = e.toString();
      }
    }
    if (own == null) {
      log.warn("pgintel: {}=true, but it cannot open a session of its own beside {} to hold the election's lock"
          + " ({}): this instance collects as if it were alone", Setting.LEADER_ELECTION_ENABLED.key(),
          dataSource.getClass().getName(), why);
      return null;
    }
    own.boundLogin(Duration.ofSeconds(10));
    return new LeaderElection(own, own::closeIfIdle, own, group, own.toString(), every, InstantSource.system());
  }

  /** The session of pgintel's own {@code ds} is, or wraps; null for any other DataSource. */
  private static OwnConnection ownConnectionOf(DataSource ds) {
    try {
      return ds instanceof OwnConnection o ? o : ds.isWrapperFor(OwnConnection.class)
          ? ds.unwrap(OwnConnection.class) : null;
    } catch (SQLException | RuntimeException e) {
      return null;
    }
  }

  private static Breakers breakers(Settings settings) {
    String file = (String) settings.value(Setting.CIRCUIT_STATE_FILE);
    return new Breakers((Boolean) settings.value(Setting.CIRCUIT_ENABLED), settings.intValue(Setting.CIRCUIT_FAILURES),
        settings.percent(Setting.CIRCUIT_SLOW_SHARE), settings.percent(Setting.CIRCUIT_PRESSURE),
        (Duration) settings.value(Setting.CIRCUIT_OPEN_DURATION), settings.maxBackoff(),
        file.isEmpty() ? null : java.nio.file.Path.of(file),
        settings.enabledCollectors().contains(ConnectionsCollector.NAME) ? ConnectionsCollector.NAME : null);
  }

  /** The chain in the order of DESIGN.md: verify, the application's stages, sample, limit cardinality, plans. */
  private List<Processor> processors(Settings settings) {
    List<Processor> chain = new ArrayList<>();
    Measures measures = new MetricMeasures(settings.customQueries());
    if ((Boolean) settings.value(Setting.VERIFY_ENABLED)) {
      chain.add(new Verifier(measures, VERIFIER_MEMORY));
    }
    chain.addAll(extraProcessors);
    chain.add(new Sampler(settings.samplingRules(), settings.percent(Setting.SAMPLER_DEFAULT_RATE),
        (Duration) settings.value(Setting.SAMPLER_DEDUP_WINDOW), SAMPLER_MEMORY));
    chain.add(new CardinalityLimiter(measures, settings.intValue(Setting.MAX_SERIES_PER_METRIC)));
    if (settings.enabledCollectors().contains(PlansCollector.NAME)) {
      chain.add(new PlanProcessor());
    }
    return chain;
  }

  private Map<String, Duration> defaultIntervals() {
    Map<String, Duration> defaults = new LinkedHashMap<>(BuiltInCollectors.defaultIntervals());
    for (Collector c : extraCollectors) {
      defaults.put(c.name(), c.defaultInterval());
    }
    return defaults;
  }
}
