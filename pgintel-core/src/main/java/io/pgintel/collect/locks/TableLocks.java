package io.pgintel.collect.locks;

/**
 * Locks on one table of the monitored database, or on its rows, of one type and mode, granted or waited for: the
 * waits for the table ({@code relation}) or for a row behind another waiter ({@code tuple}; the first waiter on a
 * row waits on the holder's transaction ID, which names no table), and the table locks from
 * {@code SHARE UPDATE EXCLUSIVE} up (vacuum, {@code CREATE INDEX}, {@code ALTER TABLE}, {@code LOCK TABLE}), not
 * the reads and writes every table holds all day.
 *
 * @param table schema-qualified, as {@code schema.table}
 * @param lockType {@code relation} or {@code tuple}
 */
public record TableLocks(String database, String table, String lockType, String mode, boolean granted, long count) {}
