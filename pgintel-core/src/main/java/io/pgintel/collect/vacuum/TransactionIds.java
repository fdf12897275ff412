package io.pgintel.collect.vacuum;

/**
 * The server's transaction ID counter, 64 bits wide (epoch included): one past the newest completed transaction
 * ({@code pg_snapshot_xmax}), which trails the next ID to assign by the transactions still running. Its rate is how
 * fast the server consumes IDs, and with the ages of {@link DatabaseAge} how soon wraparound comes. Read with it,
 * in the same row: {@code autovacuum_max_workers}, the most tables autovacuum works on at once.
 */
public record TransactionIds(long next, int autovacuumMaxWorkers) {}
