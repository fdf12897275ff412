package io.pgintel.collect.bgwriter;

/**
 * {@code pg_stat_bgwriter}. The backend write counters moved to {@code pg_stat_io} in PostgreSQL 17 and are
 * null there.
 */
public record BackgroundWriterStats(long buffersClean, long maxwrittenClean, long buffersAllocated,
    Long buffersBackend, Long buffersBackendFsync) {}
