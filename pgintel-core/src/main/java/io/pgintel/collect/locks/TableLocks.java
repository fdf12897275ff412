package io.pgintel.collect.locks;

/**
 * Locks on one table of the monitored database in one mode, granted or waited for: every wait, and the modes from
 * {@code SHARE UPDATE EXCLUSIVE} up (vacuum, {@code CREATE INDEX}, {@code ALTER TABLE}, {@code LOCK TABLE}), not
 * the reads and writes every table holds all day.
 *
 * @param table schema-qualified, as {@code schema.table}
 */
public record TableLocks(String database, String table, String mode, boolean granted, long count) {}
