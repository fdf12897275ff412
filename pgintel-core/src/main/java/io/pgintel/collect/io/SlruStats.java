package io.pgintel.collect.io;

/** One SLRU cache of {@code pg_stat_slru} (commit log, multixact, subtransactions, ...). */
public record SlruStats(String name, long zeroed, long hit, long read, long written, long exists, long flushes,
    long truncates) {}
