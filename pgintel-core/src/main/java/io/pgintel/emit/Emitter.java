package io.pgintel.emit;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.api.metrics.ObservableMeasurement;
import io.pgintel.collect.CollectionListener;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.collect.ServerInfo;
import io.pgintel.collect.activity.BlockingChain;
import io.pgintel.collect.activity.LongTransaction;
import io.pgintel.collect.activity.QuerySample;
import io.pgintel.collect.custom.CustomQuery;
import io.pgintel.collect.plans.PlanSkipped;
import io.pgintel.collect.schema.SchemaChange;
import io.pgintel.collect.schema.SchemaSummary;
import io.pgintel.collect.settings.SettingChange;
import io.pgintel.collect.settings.SettingsSnapshot;
import io.pgintel.collect.statements.TopQuery;
import io.pgintel.runtime.CircuitBreaker;
import io.pgintel.runtime.LeaderElection;
import io.pgintel.runtime.RateLimitedLog;
import io.pgintel.process.CardinalityLimiter;
import io.pgintel.process.PiiDetector;
import io.pgintel.process.PlanChange;
import io.pgintel.process.ProcessorStats;
import io.pgintel.process.QueryPlan;
import io.pgintel.sql.SqlEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns collected records into OpenTelemetry metrics and events; with {@link PostgresMetrics} and
 * {@link QueryEvents}, the only place that knows OpenTelemetry names.
 *
 * <p>Every metric is an asynchronous instrument. Collections store their records as the collector's latest
 * snapshot; the SDK's callback reads snapshots when it exports, so a callback never touches the database and
 * export timing never changes what is collected. A snapshot older than three intervals (its collector is
 * failing) is no longer reported, so a dashboard shows a gap instead of a frozen value.
 */
public final class Emitter implements CollectionListener, AutoCloseable {

  /** Instrumentation scope of every pgintel instrument. */
  public static final String SCOPE = "io.pgintel";

  /** Attribute value of the series that stands for everything beyond a limit. */
  static final String OTHER = "other";

  private static final Logger log = LoggerFactory.getLogger(Emitter.class);

  private final RateLimitedLog failureLog = new RateLimitedLog(log, Duration.ofMinutes(1));
  private final Supplier<ServerInfo> server;
  private final Supplier<List<CollectorStatus>> status;
  private final Supplier<SqlEngine.CacheStats> sqlCache;
  private final AttributeGuard guard;
  private final ObservableLongMeasurement piiRedactions;
  private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
  private final Map<Class<?>, List<MetricDef<?>>> defsByType;
  private final java.util.Set<String> defDoubles = new java.util.HashSet<>();
  private final Map<String, ObservableMeasurement> instruments = new LinkedHashMap<>();
  private final ObservableLongMeasurement up;
  private final ObservableLongMeasurement cacheRequests;
  private final DoubleHistogram duration;
  private final LongCounter errors;
  private final LongCounter skipped;
  private final BatchCallback callback;
  /** What turns a record of each type into events; records of other types are metrics only. */
  private final Map<Class<?>, BiConsumer<Record, Attributes>> eventsByType;
  private final ProcessorStats processing;
  private final ObservableLongMeasurement processorRecords;
  private final ObservableLongMeasurement processorDecisions;
  private final Supplier<List<CircuitBreaker.Status>> circuits;
  private final ObservableLongMeasurement circuitState;
  /** The election among the application's instances; null when there is none. */
  private final LeaderElection election;
  private final ObservableLongMeasurement leader;

  /**
   * @param pii whether every emitted string is checked for personal data and secrets
   * @param detectors which detectors run (labels of {@link PiiDetector.Kind})
   * @param queries custom queries, whose columns are metrics too
   * @param election the election among the application's instances (readings are reported only while this
   *     instance collects); null when there is none
   */
  public Emitter(OpenTelemetry openTelemetry, Supplier<ServerInfo> server, Supplier<SqlEngine.CacheStats> sqlCache,
      Supplier<List<CollectorStatus>> status, boolean pii, List<String> detectors, ProcessorStats processing,
      Supplier<List<CircuitBreaker.Status>> circuits, List<CustomQuery> queries, LeaderElection election) {
    this.election = election;
    this.defsByType = MetricCatalog.withExtra(CustomMetrics.of(queries));
    this.circuits = circuits;
    EnumSet<PiiDetector.Kind> kinds = EnumSet.noneOf(PiiDetector.Kind.class);
    for (String d : detectors) {
      kinds.add(PiiDetector.Kind.valueOf(d.toUpperCase(Locale.ROOT)));
    }
    this.guard = new AttributeGuard(pii, kinds);
    this.server = server;
    this.status = status;
    this.sqlCache = sqlCache;
    this.processing = processing;
    Meter meter = openTelemetry.getMeterProvider().meterBuilder(SCOPE).setInstrumentationVersion(Version.get())
        .build();
    for (List<MetricDef<?>> defs : defsByType.values()) {
      for (MetricDef<?> def : defs) {
        if (def.doubles()) {
          defDoubles.add(def.name());
        }
        instruments.computeIfAbsent(def.name(), n -> instrument(meter, def));
      }
    }
    up = meter.gaugeBuilder("pgintel.collector.up").ofLongs().setUnit("1")
        .setDescription("1 when the collector's last attempt succeeded and it read within its last three intervals"
            + " (at least a minute), 0 otherwise.").buildObserver();
    cacheRequests = meter.counterBuilder("pgintel.sql.cache.requests").setUnit("{request}")
        .setDescription("Lookups in the SQL engine's cache of normalized statements, by result (hit, miss).")
        .buildObserver();
    duration = meter.histogramBuilder("pgintel.collector.duration").setUnit("s")
        .setDescription("Time one collection took, database round trips included.").build();
    errors = meter.counterBuilder("pgintel.collector.errors").setUnit("{error}")
        .setDescription("Failed collections, by error type.").build();
    skipped = meter.counterBuilder("pgintel.collector.skipped").setUnit("{tick}")
        .setDescription("Ticks skipped: another instance leads and collects (standby), pool had no free connection"
            + " (pool_busy), pool exhausted and borrowed from"
            + " recently (pool_exhausted), previous tick still running (overrun), circuit open (circuit_open).")
        .build();
    io.opentelemetry.api.logs.Logger events = openTelemetry.getLogsBridge().loggerBuilder(SCOPE)
        .setInstrumentationVersion(Version.get()).build();
    QueryEvents queryEvents = new QueryEvents(events, guard);
    ActivityEvents activityEvents = new ActivityEvents(events, guard);
    PlanEvents planEvents = new PlanEvents(events, guard);
    SettingEvents settingEvents = new SettingEvents(events, guard);
    SchemaEvents schemaEvents = new SchemaEvents(events, guard);
    eventsByType = Map.ofEntries(
        on(TopQuery.class, queryEvents::emit),
        on(QuerySample.class, activityEvents::emit),
        on(BlockingChain.class, activityEvents::emit),
        on(LongTransaction.class, activityEvents::emit),
        on(QueryPlan.class, planEvents::emit),
        on(PlanSkipped.class, planEvents::emit),
        on(PlanChange.class, planEvents::emit),
        on(SettingChange.class, settingEvents::emit),
        on(SettingsSnapshot.class, settingEvents::emit),
        on(SchemaChange.class, schemaEvents::emit),
        on(SchemaSummary.class, schemaEvents::emit));
    piiRedactions = meter.counterBuilder("pgintel.pii.redactions").setUnit("{redaction}")
        .setDescription("Personal data and secrets replaced in emitted strings, by kind.").buildObserver();
    processorRecords = meter.counterBuilder("pgintel.processor.records").setUnit("{record}")
        .setDescription("Records each processing stage kept, changed, dropped or added, and batches it failed on (error).")
        .buildObserver();
    processorDecisions = meter.counterBuilder("pgintel.processor.decisions").setUnit("{decision}")
        .setDescription("Why processing stages decided what they did: sampling rule and verdict, failed check, overflow.")
        .buildObserver();
    circuitState = meter.gaugeBuilder("pgintel.circuit.state").ofLongs().setUnit("1")
        .setDescription("State of a circuit breaker: 0 closed, 1 open (collection paused), 2 half-open (probing).")
        .buildObserver();
    leader = meter.gaugeBuilder("pgintel.leader").ofLongs().setUnit("1")
        .setDescription("1 while this instance holds the leader election's lock and collects for the instances of"
            + " its group, 0 otherwise: standing by, or collecting alone because it could not take part"
            + " (pgintel.leader-election.enabled).").buildObserver();
    List<ObservableMeasurement> all = new ArrayList<>(instruments.values());
    all.add(leader);
    all.add(circuitState);
    all.add(cacheRequests);
    all.add(piiRedactions);
    all.add(processorRecords);
    all.add(processorDecisions);
    callback = meter.batchCallback(this::observe, up, all.toArray(new ObservableMeasurement[0]));
  }

  private static <R extends Record> Map.Entry<Class<?>, BiConsumer<Record, Attributes>> on(Class<R> type,
      BiConsumer<R, Attributes> emit) {
    return Map.entry(type, (r, common) -> emit.accept(type.cast(r), common));
  }

  @Override
  public void collected(String collector, List<? extends Record> records, Instant at, Duration interval,
      Duration took) {
    Attributes common = serverAttributes(server.get());
    snapshots.put(collector, new Snapshot(records, at, interval, common));
    for (Record r : records) {
      try {
        BiConsumer<Record, Attributes> emit = eventsByType.get(r.getClass());
        if (emit != null) {
          emit.accept(r, common);
        }
      } catch (RuntimeException e) {
        failureLog.warn("pgintel could not emit an event of {}: {}", collector, e.toString());
      }
    }
    duration.record(took.toNanos() / 1e9, Attributes.of(Attrs.COLLECTOR, collector, Attrs.OUTCOME, "success"));
  }

  @Override
  public void failed(String collector, String errorType, Duration took) {
    errors.add(1, Attributes.of(Attrs.COLLECTOR, collector, Attrs.ERROR_TYPE, errorType));
    duration.record(took.toNanos() / 1e9, Attributes.of(Attrs.COLLECTOR, collector, Attrs.OUTCOME, "failure"));
  }

  @Override
  public void skipped(String collector, String reason) {
    skipped.add(1, Attributes.of(Attrs.COLLECTOR, collector, Attrs.SKIP_REASON, reason));
  }

  /** The latest records of one collector, or an empty list (for status pages and the quickstart). */
  public List<? extends Record> latest(String collector) {
    Snapshot s = snapshots.get(collector);
    return s == null ? List.of() : s.records();
  }

  @Override
  public void close() {
    callback.close();
    snapshots.clear();
  }

  private void observe() {
    try {
      Instant now = Instant.now();
      Instant collecting = election == null ? Instant.EPOCH : election.since();
      if (election != null) {
        leader.record(election.leading() ? 1 : 0);
      }
      for (Snapshot s : snapshots.values()) {
        // a reading older than three intervals is no longer true; one made before this instance last stood by
        // (or while it does) is another instance's to report
        if (collecting == null || s.at().isBefore(collecting)
            || Duration.between(s.at(), now).compareTo(s.interval().multipliedBy(3)) > 0) {
          continue;
        }
        Map<String, Map<Attributes, Double>> overflow = new LinkedHashMap<>();
        for (Record r : s.records()) {
          if (r instanceof CardinalityLimiter.Overflow o) {
            addOverflow(o.record(), s.common(), overflow);
            continue;
          }
          List<MetricDef<?>> defs = defsByType.get(r.getClass());
          if (defs != null) {
            for (MetricDef<?> def : defs) {
              try {
                observe(def, r, s.common());
              } catch (RuntimeException e) {
                failureLog.warn("pgintel could not report {}: {}", def.name(), e.toString());
              }
            }
          }
        }
        overflow.forEach((name, series) -> series.forEach((attrs, value) -> {
          ObservableMeasurement m = instruments.get(name);
          if (defDoubles.contains(name)) {
            ((ObservableDoubleMeasurement) m).record(value, attrs);
          } else {
            ((ObservableLongMeasurement) m).record(Math.round(value), attrs);
          }
        }));
      }
      guard.redactions().forEach((kind, n) -> {
        if (n > 0) {
          piiRedactions.record(n, Attributes.of(Attrs.PII_KIND, kind.label()));
        }
      });
      for (ProcessorStats.Count c : processing.outcomes()) {
        processorRecords.record(c.value(), Attributes.of(Attrs.PROCESSOR, c.stage(), Attrs.OUTCOME, c.detail()));
      }
      for (ProcessorStats.Count c : processing.decisions()) {
        processorDecisions.record(c.value(), Attributes.of(Attrs.PROCESSOR, c.stage(), Attrs.REASON, c.detail()));
      }
      for (CircuitBreaker.Status c : circuits.get()) {
        circuitState.record(c.state().code(), Attributes.of(Attrs.CIRCUIT, c.name()));
      }
      SqlEngine.CacheStats cache = sqlCache.get();
      cacheRequests.record(cache.hitCount(), Attributes.of(Attrs.CACHE_RESULT, "hit"));
      cacheRequests.record(cache.missCount(), Attributes.of(Attrs.CACHE_RESULT, "miss"));
      for (CollectorStatus st : status.get()) {
        if (st.state() != CollectorStatus.State.DISABLED && st.state() != CollectorStatus.State.STOPPED
            && st.state() != CollectorStatus.State.STANDBY) {
          up.record(st.reading(now) ? 1 : 0, Attributes.of(Attrs.COLLECTOR, st.name()));
        }
      }
    } catch (RuntimeException e) {
      // an exporter thread of the host must never see pgintel fail
      failureLog.warn("pgintel could not report metrics this time: {}", e.toString());
    }
  }

  /**
   * Adds a record beyond its family's series limit to the {@code other} series of its database: its other own
   * attributes become {@code other} (or are left out when not text), sums are added up; gauges cannot be added
   * and are left out.
   */
  @SuppressWarnings("unchecked")
  private <R> void addOverflow(Record record, Attributes common, Map<String, Map<Attributes, Double>> overflow) {
    List<MetricDef<?>> defs = defsByType.get(record.getClass());
    if (defs == null) {
      return;
    }
    for (MetricDef<?> d : defs) {
      MetricDef<R> def = (MetricDef<R>) d;
      if (def.kind() == MetricDef.Kind.GAUGE) {
        continue;
      }
      AttributesBuilder own = Attributes.builder();
      def.attributes().accept((R) record, own);
      AttributesBuilder other = common.toBuilder();
      own.build().forEach((k, v) -> {
        // the database stays: the other series of two databases on one server must not be one attribute set
        if (v instanceof String s) {
          other.put(k.getKey(), k.equals(Attrs.DB_NAMESPACE) ? s : OTHER);
        }
      });
      Attributes base = other.build();
      for (MetricDef.Point<R> p : def.points()) {
        Number value = p.value().apply((R) record);
        if (value != null) {
          Attributes attrs = guard.guard(p.extra().isEmpty() ? base : base.toBuilder().putAll(p.extra()).build());
          overflow.computeIfAbsent(def.name(), n -> new LinkedHashMap<>()).merge(attrs, value.doubleValue(),
              Double::sum);
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private <R> void observe(MetricDef<R> def, Record record, Attributes common) {
    R r = (R) record;
    ObservableMeasurement m = instruments.get(def.name());
    AttributesBuilder base = common.toBuilder();
    def.attributes().accept(r, base);
    for (MetricDef.Point<R> p : def.points()) {
      Number value = p.value().apply(r);
      if (value == null) {
        continue;
      }
      Attributes attrs = guard.guard(
          p.extra().isEmpty() ? base.build() : base.build().toBuilder().putAll(p.extra()).build());
      // decide by the definition: SDK measurements implement both interfaces
      if (def.doubles()) {
        ((ObservableDoubleMeasurement) m).record(value.doubleValue(), attrs);
      } else {
        ((ObservableLongMeasurement) m).record(value.longValue(), attrs);
      }
    }
  }

  private static ObservableMeasurement instrument(Meter meter, MetricDef<?> def) {
    return switch (def.kind()) {
      case COUNTER -> def.doubles()
          ? meter.counterBuilder(def.name()).ofDoubles().setUnit(def.unit()).setDescription(def.description())
              .buildObserver()
          : meter.counterBuilder(def.name()).setUnit(def.unit()).setDescription(def.description()).buildObserver();
      case UP_DOWN -> def.doubles()
          ? meter.upDownCounterBuilder(def.name()).ofDoubles().setUnit(def.unit())
              .setDescription(def.description()).buildObserver()
          : meter.upDownCounterBuilder(def.name()).setUnit(def.unit()).setDescription(def.description())
              .buildObserver();
      case GAUGE -> def.doubles()
          ? meter.gaugeBuilder(def.name()).setUnit(def.unit()).setDescription(def.description()).buildObserver()
          : meter.gaugeBuilder(def.name()).ofLongs().setUnit(def.unit()).setDescription(def.description())
              .buildObserver();
    };
  }

  static Attributes serverAttributes(ServerInfo info) {
    AttributesBuilder b = Attributes.builder().put(Attrs.DB_SYSTEM_NAME, "postgresql");
    if (info != null) {
      if (info.address() != null && !info.address().isEmpty()) {
        b.put(Attrs.SERVER_ADDRESS, info.address());
      }
      if (info.port() > 0) {
        b.put(Attrs.SERVER_PORT, (long) info.port());
      }
    }
    return b.build();
  }

  private record Snapshot(List<? extends Record> records, Instant at, Duration interval, Attributes common) {}
}
