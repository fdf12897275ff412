package io.pgintel.collect.tables;

/**
 * A partitioned table as the application sees it: the sums over its leaf partitions, at any depth, which the
 * per-table metrics report one by one (and only the largest and busiest of them).
 *
 * @param name the partitioned table, schema-qualified
 * @param partitions its leaf partitions with storage
 * @param liveRows their live rows ({@code n_live_tup})
 * @param deadRows their dead rows ({@code n_dead_tup})
 * @param bytes their main forks' size from the catalog ({@code relpages})
 */
public record PartitionedTable(String database, String name, long partitions, long liveRows, long deadRows,
    long bytes) {}
