package io.pgintel.collect.database;

/**
 * One database's row of {@code pg_stat_database} (cumulative counters since the last stats reset), with its
 * recovery conflicts from {@code pg_stat_database_conflicts} and its size. Fields a server version lacks are
 * null.
 *
 * @param sizeBytes {@code pg_database_size}, null when the role may not connect to that database
 * @param parallelWorkersPlanned parallel workers its queries planned (PostgreSQL 18+, else null)
 * @param parallelWorkersLaunched those launched: the others were refused for want of worker slots
 * @param blockReadTimeMs time spent reading blocks, non-zero only with {@code track_io_timing}
 */
public record DatabaseStats(String database, long backends, long commits, long rollbacks, long blocksRead,
    long blocksHit, long rowsReturned, long rowsFetched, long rowsInserted, long rowsUpdated, long rowsDeleted,
    long tempFiles, long tempBytes, long deadlocks, Long checksumFailures, double blockReadTimeMs,
    double blockWriteTimeMs, Conflicts conflicts, Sessions sessions, Long sizeBytes, Long parallelWorkersPlanned,
    Long parallelWorkersLaunched) {

  /** Queries cancelled on a standby by recovery conflicts, by cause. */
  public record Conflicts(long tablespace, long lock, long snapshot, long bufferpin, long deadlock) {}

  /** Session statistics, PostgreSQL 14 and later. Times are milliseconds. */
  public record Sessions(long sessions, long abandoned, long fatal, long killed, double sessionTimeMs,
      double activeTimeMs, double idleInTransactionTimeMs) {}
}
