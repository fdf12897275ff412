package io.pgintel.collect;

import io.pgintel.sql.NormalizedQuery;
import java.util.Set;

/**
 * A record that becomes an event (a log record with an event name), as opposed to a metric point. Events are what
 * the sampler may thin out; metrics never are. The fields are what sampling rules test
 * ({@code mean_exec_time_ms > 1000}, {@code wait_event_type == 'Lock'}, {@code severity >= WARN}).
 */
public interface EventRecord {

  /** How serious an event is; the emitter maps it to OpenTelemetry's severity. Ordered, least serious first. */
  enum Severity {
    TRACE, DEBUG, INFO, WARN, ERROR, FATAL
  }

  /** Fields every event has. */
  Set<String> COMMON_FIELDS = Set.of("kind", "severity");

  /** Fields of an event about one query (the query's own, empty values absent). */
  Set<String> QUERY_FIELDS = Set.of("fingerprint", "operation", "summary", "collection", "truncated");

  /** Low-cardinality kind, the field {@code kind}: {@code top_query}, {@code query_sample}, ... */
  String kind();

  Severity severity();

  /**
   * Decides sampling: events with the same key are all kept or all dropped by a rule. The query's fingerprint, so
   * that one query is consistently in or out and its series stay whole.
   */
  long samplingKey();

  /** Identity of the occurrence this event reports; two events with the same value are duplicates. */
  long occurrence();

  /** The value of a field by name: a Number, String, Boolean or {@link Severity}; null when the event has none. */
  Object field(String name);

  /** The common and query fields of an event about {@code query} (which may be null). */
  static Object commonField(EventRecord e, NormalizedQuery query, String name) {
    switch (name) {
      case "kind":
        return e.kind();
      case "severity":
        return e.severity();
      default:
        break;
    }
    if (query == null) {
      return null;
    }
    return switch (name) {
      case "fingerprint" -> query.fingerprint();
      case "operation" -> query.operation();
      case "summary" -> query.summary();
      case "collection" -> query.tables().isEmpty() ? null : query.tables().get(0);
      case "truncated" -> query.truncated();
      default -> null;
    };
  }

  /** Mixes 64 bits so that close inputs (pids, small hashes) land far apart. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A 64-bit hash of several values, for {@link #occurrence()}. */
  static long hash(Object... parts) {
    long h = 0x9E3779B97F4A7C15L;
    for (Object p : parts) {
      h = mix(h ^ (p == null ? 0 : p.hashCode()) + 0x632BE59BD9B4E019L);
    }
    return h;
  }
}
