package io.pgintel.collect.activity;

import io.pgintel.sql.NormalizedQuery;
import io.pgintel.trace.TraceLink;
import java.util.List;

/**
 * One server process as {@code pg_stat_activity} showed it at one sampling instant. Times are seconds before the
 * sample; null when the process has no transaction or query.
 *
 * @param queryStartMicros when its current (or last) query started, microseconds since the epoch; with the pid,
 *     identifies one execution
 * @param blockingPids sessions this one waits for (only asked for sessions waiting on a Lock)
 * @param query the statement obfuscated by the SQL engine (pg_stat_activity shows it with its literals)
 * @param trace the application span this session serves, when pgintel knows it
 */
public record ActivitySample(int pid, String database, String user, String application, String clientAddress,
    String backendType, String state, String waitEventType, String waitEvent, Long queryId, Double transactionAge,
    Double queryAge, Long queryStartMicros, Long xidAge, Long xminAge, List<Integer> blockingPids,
    NormalizedQuery query, TraceLink trace) {

  public boolean active() {
    return "active".equals(state);
  }

  public boolean idleInTransaction() {
    return state != null && state.startsWith("idle in transaction");
  }

  public boolean waitingOnLock() {
    return "Lock".equals(waitEventType);
  }
}
