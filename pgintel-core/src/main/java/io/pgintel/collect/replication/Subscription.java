package io.pgintel.collect.replication;

/**
 * One logical replication subscription of the monitored database, by its main (apply) worker.
 *
 * @param enabled whether it is enabled ({@code disable_on_error} disables it at an error)
 * @param running whether its apply worker runs: not while disabled, nor for the seconds between an error and the
 *     worker's restart (so a persistent error shows in {@code applyErrors} rather than here)
 * @param lastMessageAgeSeconds since the worker last heard from the publisher; null while it does not run
 * @param applyErrors errors applying changes, since the statistics were reset (PostgreSQL 15+; else null)
 * @param syncErrors errors copying a table's initial data (PostgreSQL 15+; else null)
 */
public record Subscription(String name, boolean enabled, boolean running, Double lastMessageAgeSeconds, Long applyErrors,
    Long syncErrors) {}
