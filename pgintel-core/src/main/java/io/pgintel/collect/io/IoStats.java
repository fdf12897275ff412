package io.pgintel.collect.io;

/**
 * One row of {@code pg_stat_io} (PostgreSQL 16+): I/O of one backend type on one kind of object in one context.
 * Counts that make no sense for the combination are null (the view has NULL there); times are milliseconds and
 * need {@code track_io_timing}; bytes come from {@code op_bytes} (16, 17) or the byte columns (18).
 */
public record IoStats(String backendType, String object, String context, Long reads, Long writes, Long writebacks,
    Long extends_, Long hits, Long evictions, Long reuses, Long fsyncs, Double readTimeMs, Double writeTimeMs,
    Double writebackTimeMs, Double extendTimeMs, Double fsyncTimeMs, Long readBytes, Long writeBytes,
    Long extendBytes) {}
