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
 * @param transactionStartMicros when its transaction started, microseconds since the epoch; with the pid,
 *     identifies one transaction
 * @param stateAge seconds since its state last changed (how long an idle-in-transaction session has been idle)
 * @param blockingPids sessions this one waits for (only asked for sessions waiting on a Lock)
 * @param query the statement obfuscated by the SQL engine (pg_stat_activity shows it with its literals)
 * @param trace the application span this session serves, when pgintel knows it
 */
public record ActivitySample(int pid, String database, String user, String application, String clientAddress,
    String backendType, String state, String waitEventType, String waitEvent, Long queryId, Double transactionAge,
    Double queryAge, Long queryStartMicros, Long transactionStartMicros, Double stateAge, Long xidAge, Long xminAge,
    List<Integer> blockingPids, NormalizedQuery query, TraceLink trace) {

  /** Fields of a session for sampling rules (see {@link #field}), besides the query's own. */
  public static final List<String> FIELDS = List.of("database", "user", "application_name", "client_address",
      "backend_type", "state", "wait_event_type", "wait_event", "queryid", "duration_ms", "transaction_age_ms",
      "state_age_ms", "xid_age", "xmin_age", "pid");

  /** A field of this session for sampling rules; ages in milliseconds. */
  public Object field(String name) {
    return switch (name) {
      case "database" -> database;
      case "user" -> user;
      case "application_name" -> application;
      case "client_address" -> clientAddress;
      case "backend_type" -> backendType;
      case "state" -> state;
      case "wait_event_type" -> waitEventType;
      case "wait_event" -> waitEvent;
      case "queryid" -> queryId;
      case "duration_ms" -> queryAge == null ? null : queryAge * 1000;
      case "transaction_age_ms" -> transactionAge == null ? null : transactionAge * 1000;
      case "state_age_ms" -> stateAge == null ? null : stateAge * 1000;
      case "xid_age" -> xidAge;
      case "xmin_age" -> xminAge;
      case "pid" -> pid;
      default -> null;
    };
  }

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
