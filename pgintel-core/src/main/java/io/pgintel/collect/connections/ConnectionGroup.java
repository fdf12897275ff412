package io.pgintel.collect.connections;

/**
 * Server processes that share database, state, application, user, backend type and wait event type, from
 * {@code pg_stat_activity}. Empty strings stand for NULL (background processes have no database or state).
 */
public record ConnectionGroup(String database, String state, String application, String user, String backendType,
    String waitEventType, long count) {

  /** The group every process beyond the group limit is counted in. */
  public static ConnectionGroup other(long count) {
    return new ConnectionGroup("other", "other", "other", "other", "other", "other", count);
  }
}
