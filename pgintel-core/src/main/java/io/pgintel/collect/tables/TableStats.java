package io.pgintel.collect.tables;

/**
 * One user table of the monitored database: {@code pg_stat_user_tables} with sizes and an estimate of bloat.
 * Sizes are null when the table, or one of its indexes, had an ACCESS EXCLUSIVE lock granted or waited for:
 * asking for its size would have queued behind that lock.
 *
 * @param name schema-qualified, as {@code schema.table}
 * @param seqRowsRead {@code seq_tup_read}: live rows read by sequential scans
 * @param indexRowsFetched {@code idx_tup_fetch}: live rows fetched by index scans; null without indexes
 * @param insertedSinceVacuum {@code n_ins_since_vacuum}, which triggers an insert autovacuum
 * @param seqScanAgeSeconds since the last sequential scan (PostgreSQL 16+; null before, or never scanned)
 * @param vacuumAgeSeconds since the last vacuum or autovacuum; null when never vacuumed since stats reset
 * @param analyzeAgeSeconds since the last analyze or autoanalyze
 * @param frozenXidAge {@code age(relfrozenxid)}
 * @param bloatBytes estimated from catalog statistics (row widths in pg_stats); null without statistics
 * @param blocks {@code pg_statio_user_tables}
 */
public record TableStats(String database, String name, long seqScans, Long indexScans, long seqRowsRead,
    Long indexRowsFetched, long insertedSinceVacuum, Double seqScanAgeSeconds, long inserted, long updated,
    long deleted, long hotUpdated,
    long liveRows, long deadRows, long modifiedSinceAnalyze, long vacuums, long autovacuums, long analyzes,
    long autoanalyzes, Double vacuumAgeSeconds, Double analyzeAgeSeconds, long frozenXidAge, boolean sizeSkipped,
    Long tableBytes, Long toastBytes, Long indexBytes, Long bloatBytes, Blocks blocks) {

  /**
   * Blocks of the table's heap, its indexes, its TOAST table and the TOAST table's index found in shared buffers
   * ({@code hit}) or read from the operating system ({@code read}); null where the table has no such relation.
   */
  public record Blocks(Long heapRead, Long heapHit, Long indexRead, Long indexHit, Long toastRead, Long toastHit,
      Long toastIndexRead, Long toastIndexHit) {}
}
