package io.pgintel.collect.wal;

/**
 * WAL generation. {@code lsnBytes} is the current WAL insert position (replayed position on a standby) in bytes from
 * 0/0, on every version; the rest comes from {@code pg_stat_wal} (PostgreSQL 14+) and is null where the server
 * lacks it (write and sync counters moved to {@code pg_stat_io} in 18).
 */
public record WalStats(long lsnBytes, Long records, Long fullPageImages, Long bytes, Long buffersFull, Long writes,
    Long syncs, Double writeTimeMs, Double syncTimeMs) {}
