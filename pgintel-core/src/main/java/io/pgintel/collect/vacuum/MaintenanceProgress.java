package io.pgintel.collect.vacuum;

/**
 * One running maintenance command from {@code pg_stat_progress_*}: vacuum, analyze, create index or cluster.
 *
 * @param kind {@code vacuum}, {@code analyze}, {@code create_index} or {@code cluster}
 * @param relation the table, when it is in the monitored database (else its OID)
 * @param done what the current phase has done of {@code total}, by the measure it advances (blocks, lockers,
 *     indexes, ...); null when the phase has none
 * @param runningSeconds since the command started (its session's {@code query_start}); null when not visible
 */
public record MaintenanceProgress(String kind, int pid, String database, String relation, String phase, Long done,
    Long total, Double runningSeconds) {

  /** Share of the current phase done, 0 to 1; 0 while the total is not known yet, null for a phase without one. */
  public Double fraction() {
    if (done == null || total == null) {
      return null;
    }
    return total <= 0 ? 0 : Math.min(1.0, (double) done / total);
  }
}
