package io.pgintel.emit;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.pgintel.collect.EventRecord;
import io.pgintel.collect.statements.TopQuery;
import io.pgintel.trace.CallSite;
import io.pgintel.trace.CallSites;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code db.server.top_query} events, as the OpenTelemetry Collector PostgreSQL receiver names them: one log
 * record with an event name per statement per interval, carrying every interval delta as
 * {@code postgresql.<column>} and the query only as the SQL engine's obfuscated text.
 */
final class QueryEvents {

  static final String TOP_QUERY = "db.server.top_query";
  static final int MAX_LOCATIONS = 5;
  private static final AttributeKey<List<String>> CODE_LOCATIONS =
      AttributeKey.stringArrayKey("pgintel.code.locations");
  private static final AttributeKey<Long> CODE_SAMPLES = AttributeKey.longKey("pgintel.code.samples");
  private static final AttributeKey<String> EXAMPLE_TRACE_ID = AttributeKey.stringKey("pgintel.example.trace_id");
  private static final AttributeKey<String> EXAMPLE_SPAN_ID = AttributeKey.stringKey("pgintel.example.span_id");

  private final Logger logger;
  private final AttributeGuard guard;
  private final Map<String, AttributeKey<?>> deltaKeys = new ConcurrentHashMap<>();

  QueryEvents(Logger logger, AttributeGuard guard) {
    this.logger = logger;
    this.guard = guard;
  }

  /** OpenTelemetry's severity of an event, from the record's own (one place for every event). */
  static Severity severity(EventRecord e) {
    return switch (e.severity()) {
      case TRACE -> Severity.TRACE;
      case DEBUG -> Severity.DEBUG;
      case INFO -> Severity.INFO;
      case WARN -> Severity.WARN;
      case ERROR -> Severity.ERROR;
      case FATAL -> Severity.FATAL;
    };
  }

  void emit(TopQuery q, Attributes common) {
    AttributesBuilder b = common.toBuilder();
    b.put(Attrs.RANK, (long) q.rank());
    b.put(Attrs.ENTRIES, (long) q.entries());
    b.put(Attrs.INTERVAL, q.interval().toNanos() / 1e9);
    if (q.isOther()) {
      b.put(Attrs.DB_QUERY_SUMMARY, "other");
    } else {
      b.put(Attrs.DB_NAMESPACE, q.database());
      if (q.role() != null) {
        b.put(Attrs.ROLNAME, q.role());
      }
      b.put(Attrs.QUERYID, Long.toString(q.queryid()));
      if (q.toplevel() != null) {
        b.put(Attrs.TOPLEVEL, q.toplevel());
      }
      b.put(Attrs.DB_QUERY_TEXT, q.query().text());
      if (!q.query().fingerprint().isEmpty()) {
        b.put(Attrs.FINGERPRINT, q.query().fingerprint());
      }
      putIfPresent(b, Attrs.DB_QUERY_SUMMARY, q.query().summary());
      putIfPresent(b, Attrs.DB_OPERATION_NAME, q.query().operation());
      if (q.query().tables().size() == 1) {
        b.put(Attrs.DB_COLLECTION_NAME, q.query().tables().get(0));
      }
      if (q.query().truncated()) {
        b.put(Attrs.TRUNCATED, true);
      }
      callSites(b, q.callSites());
    }
    b.put(Attrs.MEAN_EXEC_TIME, q.meanExecTimeMs());
    q.deltas().forEach((column, value) -> put(b, column, value));
    logger.logRecordBuilder()
        .setEventName(TOP_QUERY)
        .setSeverity(severity(q))
        .setAllAttributes(guard.guard(b.build()))
        .emit();
  }

  /**
   * The line of code seen running the statement most as {@code code.*}, every line seen (most first, at most
   * {@link #MAX_LOCATIONS}), how many samples caught the statement running, and the latest span it ran in: an
   * example trace, as attributes (the event is the interval's sum, or a plan, not part of that trace). The
   * statement's plan events carry them too.
   */
  static void callSites(AttributesBuilder b, CallSites.Seen seen) {
    if (seen.span() != null) {
      b.put(EXAMPLE_TRACE_ID, seen.span().getTraceId());
      b.put(EXAMPLE_SPAN_ID, seen.span().getSpanId());
    }
    List<CallSites.Count> sites = seen.sites();
    if (sites.isEmpty()) {
      return;
    }
    Attrs.putCode(b, mostSeenLine(sites));
    List<String> locations = new ArrayList<>(Math.min(MAX_LOCATIONS, sites.size()));
    long samples = 0;
    for (CallSites.Count c : sites) {
      if (locations.size() < MAX_LOCATIONS) {
        locations.add(c.site().toString());
      }
      samples += c.samples();
    }
    b.put(CODE_LOCATIONS, locations);
    b.put(CODE_SAMPLES, samples);
  }

  /** The line seen running the statement most, whoever called it: the counts of its callers summed. */
  static CallSite mostSeenLine(List<CallSites.Count> sites) {
    Map<CallSite, Long> byLine = new java.util.LinkedHashMap<>();
    for (CallSites.Count c : sites) {
      CallSite s = c.site();
      byLine.merge(new CallSite(s.namespace(), s.function(), s.line()), c.samples(), Long::sum);
    }
    CallSite best = null;
    long most = -1;
    for (Map.Entry<CallSite, Long> e : byLine.entrySet()) {
      // sites come most seen first: a tie keeps the line of the most seen site
      if (e.getValue() > most) {
        best = e.getKey();
        most = e.getValue();
      }
    }
    return best;
  }

  @SuppressWarnings("unchecked")
  private void put(AttributesBuilder b, String column, Number value) {
    boolean fractional = value instanceof Double;
    AttributeKey<?> key = deltaKeys.computeIfAbsent(column + (fractional ? "/d" : "/l"),
        k -> fractional ? AttributeKey.doubleKey("postgresql." + column) : AttributeKey.longKey("postgresql." + column));
    if (fractional) {
      b.put((AttributeKey<Double>) key, value.doubleValue());
    } else {
      b.put((AttributeKey<Long>) key, value.longValue());
    }
  }

  private static void putIfPresent(AttributesBuilder b, AttributeKey<String> key, String value) {
    if (value != null && !value.isEmpty()) {
      b.put(key, value);
    }
  }
}
