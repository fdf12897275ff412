package io.pgintel.collect.vacuum;

/**
 * One running maintenance command from {@code pg_stat_progress_*}: vacuum, analyze, create index or cluster.
 *
 * @param kind {@code vacuum}, {@code analyze}, {@code create_index} or {@code cluster}
 * @param relation the table, when it is in the monitored database (else its OID)
 * @param done blocks done of {@code total} in the current phase
 */
public record MaintenanceProgress(String kind, int pid, String database, String relation, String phase, long done,
    long total) {

  /** Share of the current phase done, 0 to 1; 0 while the total is not known yet. */
  public double fraction() {
    return total <= 0 ? 0 : Math.min(1.0, (double) done / total);
  }
}
