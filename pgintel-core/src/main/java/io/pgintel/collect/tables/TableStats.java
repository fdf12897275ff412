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
 * @param autovacuum how near the table is to the counts that make autovacuum act on it
 * @param maintenanceTime time spent vacuuming and analyzing the table (PostgreSQL 18+)
 */
public record TableStats(String database, String name, long seqScans, Long indexScans, long seqRowsRead,
    Long indexRowsFetched, long insertedSinceVacuum, Double seqScanAgeSeconds, long inserted, long updated,
    long deleted, long hotUpdated, Long newPageUpdated,
    long liveRows, long deadRows, long modifiedSinceAnalyze, long vacuums, long autovacuums, long analyzes,
    long autoanalyzes, Double vacuumAgeSeconds, Double analyzeAgeSeconds, long frozenXidAge, boolean sizeSkipped,
    Long tableBytes, Long toastBytes, Long indexBytes, Long bloatBytes, Blocks blocks, Autovacuum autovacuum,
    MaintenanceTime maintenanceTime) {

  /**
   * Blocks of the table's heap, its indexes, its TOAST table and the TOAST table's index found in shared buffers
   * ({@code hit}) or read from the operating system ({@code read}); null where the table has no such relation.
   */
  public record Blocks(Long heapRead, Long heapHit, Long indexRead, Long indexHit, Long toastRead, Long toastHit,
      Long toastIndexRead, Long toastIndexHit) {}

  /**
   * Each count autovacuum watches over the count that makes it act, as PostgreSQL computes it for the table (its
   * storage parameters first, then the server's settings; {@code reltuples} as 0 before the first vacuum): above
   * 1 the table is due, and staying above 1 means autovacuum is behind, busy elsewhere, or off.
   *
   * @param vacuumDue dead rows over {@code autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor *
   *     reltuples} (from PostgreSQL 18 at most {@code autovacuum_vacuum_max_threshold})
   * @param insertVacuumDue rows inserted since the last vacuum over the insert threshold; null when insert
   *     vacuums are off ({@code autovacuum_vacuum_insert_threshold = -1})
   * @param analyzeDue rows changed since the last analyze over the analyze threshold
   * @param disabled the table's {@code autovacuum_enabled} storage parameter is off
   */
  public record Autovacuum(double vacuumDue, Double insertVacuumDue, double analyzeDue, boolean disabled) {}

  /**
   * Time spent on the table by manual vacuums, autovacuums, manual analyzes and autoanalyzes since statistics were
   * reset ({@code total_vacuum_time}, ... of PostgreSQL 18; null before): which tables maintenance is busy with.
   */
  public record MaintenanceTime(Double vacuumSeconds, Double autovacuumSeconds, Double analyzeSeconds,
      Double autoanalyzeSeconds) {}
}
