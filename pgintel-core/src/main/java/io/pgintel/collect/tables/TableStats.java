package io.pgintel.collect.tables;

/**
 * One user table of the monitored database: {@code pg_stat_user_tables} with sizes and an estimate of bloat.
 * Sizes are null when the table, or one of its indexes, had an ACCESS EXCLUSIVE lock granted or waited for:
 * asking for its size would have queued behind that lock.
 *
 * @param name schema-qualified, as {@code schema.table}
 * @param vacuumAgeSeconds since the last vacuum or autovacuum; null when never vacuumed since stats reset
 * @param analyzeAgeSeconds since the last analyze or autoanalyze
 * @param frozenXidAge {@code age(relfrozenxid)}
 * @param bloatBytes estimated from catalog statistics (row widths in pg_stats); null without statistics
 */
public record TableStats(String database, String name, long seqScans, Long indexScans, long inserted, long updated,
    long deleted, long hotUpdated, long liveRows, long deadRows, long modifiedSinceAnalyze, long vacuums,
    long autovacuums, long analyzes, long autoanalyzes, Double vacuumAgeSeconds, Double analyzeAgeSeconds,
    long frozenXidAge, boolean sizeSkipped, Long tableBytes, Long toastBytes, Long indexBytes, Long bloatBytes) {}
