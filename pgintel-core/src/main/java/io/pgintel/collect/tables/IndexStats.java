package io.pgintel.collect.tables;

/**
 * One index of a reported table: {@code pg_stat_user_indexes} with its size.
 *
 * @param unused never scanned since statistics were reset, and not backing a constraint (so it could be dropped)
 * @param invalid {@code NOT indisvalid}: a failed concurrent build, costing writes and serving no reads
 * @param bytes null when the index or its table was under an ACCESS EXCLUSIVE lock
 * @param blocksRead {@code pg_statio_user_indexes.idx_blks_read}: blocks read from the operating system
 * @param blocksHit {@code idx_blks_hit}: blocks found in shared buffers
 * @param scanAgeSeconds since the index was last scanned (PostgreSQL 16+; null before, or never scanned)
 * @param bloatBytes estimated space beyond what a freshly built B-tree of the same rows needs, from catalog
 *     statistics; null for other index types, expression indexes and columns without statistics
 */
public record IndexStats(String database, String table, String name, long scans, long tuplesRead,
    long tuplesFetched, boolean unused, boolean invalid, Long bytes, Long blocksRead, Long blocksHit,
    Double scanAgeSeconds, Long bloatBytes) {}
