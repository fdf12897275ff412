package io.pgintel.collect.statements;

import io.pgintel.collect.EventRecord;
import io.pgintel.sql.NormalizedQuery;
import io.pgintel.trace.CallSites;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One statement's work in one interval, as {@code pg_stat_statements} counted it: a {@code db.server.top_query}
 * event. The record of rank 0 is {@code other}: every statement outside the top list summed, so that the
 * events of an interval add up to the server's totals.
 *
 * @param database null when grouped across databases (never, today) or for {@code other}
 * @param role null when entries of several roles were summed (grouping by fingerprint) or for {@code other}
 * @param queryid PostgreSQL's query id; with grouping by fingerprint, that of the busiest entry
 * @param query obfuscated and normalized by the SQL engine; null for {@code other}
 * @param entries how many pg_stat_statements entries were summed into this one
 * @param deltas interval deltas by pg_stat_statements column name, in view order: Long for counts, Double for
 *     times (milliseconds) and other fractional columns
 * @param interval the time between the two reads the deltas come from
 * @param callSites the lines of the application's code seen running the statement and a span it ran in;
 *     {@link CallSites.Seen#NONE} when none was seen (and for {@code other})
 */
public record TopQuery(int rank, String database, String role, Long queryid, Boolean toplevel,
    NormalizedQuery query, int entries, Map<String, Number> deltas, Duration interval, CallSites.Seen callSites)
    implements EventRecord {

  /** Fields for sampling rules, besides every pg_stat_statements counter column by name (interval deltas). */
  public static final List<String> FIELDS = fields();

  private static List<String> fields() {
    List<String> f = new ArrayList<>(List.of("database", "role", "rank", "entries", "toplevel", "queryid",
        "mean_exec_time_ms", "total_exec_time_ms"));
    f.addAll(CounterColumns.known());
    return List.copyOf(f);
  }

  public boolean isOther() {
    return rank == 0;
  }

  @Override
  public String kind() {
    return "top_query";
  }

  @Override
  public Severity severity() {
    return Severity.INFO;
  }

  @Override
  public long samplingKey() {
    return query != null ? query.fingerprintBits() : EventRecord.hash("other", database);
  }

  @Override
  public long occurrence() {
    return EventRecord.hash(kind(), samplingKey(), queryid, database, role, toplevel, deltas);
  }

  @Override
  public Object field(String name) {
    return switch (name) {
      case "database" -> database;
      case "role" -> role;
      case "rank" -> rank;
      case "entries" -> entries;
      case "toplevel" -> toplevel;
      case "queryid" -> queryid;
      case "mean_exec_time_ms" -> meanExecTimeMs();
      case "total_exec_time_ms" -> deltas.get("total_exec_time");
      default -> deltas.containsKey(name) ? deltas.get(name) : EventRecord.commonField(this, query, name);
    };
  }

  /** Mean execution time of a call in this interval, milliseconds. */
  public double meanExecTimeMs() {
    Number calls = deltas.get("calls");
    Number time = deltas.get("total_exec_time");
    return calls == null || time == null || calls.longValue() == 0 ? 0 : time.doubleValue() / calls.longValue();
  }
}
