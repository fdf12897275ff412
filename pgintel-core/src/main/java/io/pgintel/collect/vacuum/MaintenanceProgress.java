package io.pgintel.collect.vacuum;

/**
 * One running maintenance command from {@code pg_stat_progress_*}: vacuum, analyze, create index or cluster.
 *
 * @param kind {@code vacuum}, {@code analyze}, {@code create_index} or {@code cluster}
 * @param relation the table, when it is in the monitored database (else its OID)
 * @param done what the current phase has done of {@code total}, by the measure it advances (blocks, lockers,
 *     indexes, ...); null when the phase has none
 * @param runningSeconds since the command started (its session's {@code query_start}); null when not visible
 * @param startedBy {@code manual}, {@code autovacuum} or {@code wraparound} (an autovacuum to prevent it); null
 *     when the session is not visible
 * @param indexPasses a vacuum's passes over the table's indexes so far; null for other commands
 * @param deadUsed what a vacuum's dead tuple memory holds, of {@code deadMax} (tuples to PostgreSQL 16, bytes
 *     from 17); null for other commands
 */
public record MaintenanceProgress(String kind, int pid, String database, String relation, String phase, Long done,
    Long total, Double runningSeconds, String startedBy, Long indexPasses, Long deadUsed, Long deadMax) {

  /** Share of a vacuum's dead tuple memory used, 0 to 1; null for other commands. */
  public Double deadMemoryShare() {
    if (deadUsed == null || deadMax == null) {
      return null;
    }
    return deadMax <= 0 ? 0 : Math.min(1.0, (double) deadUsed / deadMax);
  }


  /** Share of the current phase done, 0 to 1; 0 while the total is not known yet, null for a phase without one. */
  public Double fraction() {
    if (done == null || total == null) {
      return null;
    }
    return total <= 0 ? 0 : Math.min(1.0, (double) done / total);
  }
}
