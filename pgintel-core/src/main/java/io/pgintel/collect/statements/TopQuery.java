package io.pgintel.collect.statements;

import io.pgintel.sql.NormalizedQuery;
import java.time.Duration;
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
 */
public record TopQuery(int rank, String database, String role, Long queryid, Boolean toplevel,
    NormalizedQuery query, int entries, Map<String, Number> deltas, Duration interval) {

  public boolean isOther() {
    return rank == 0;
  }

  /** Mean execution time of a call in this interval, milliseconds. */
  public double meanExecTimeMs() {
    Number calls = deltas.get("calls");
    Number time = deltas.get("total_exec_time");
    return calls == null || time == null || calls.longValue() == 0 ? 0 : time.doubleValue() / calls.longValue();
  }
}
