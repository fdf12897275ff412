package io.pgintel.collect.replication;

/**
 * One logical replication subscription of this server, by its main (apply) worker.
 *
 * @param running whether its apply worker runs (it stops on an error, or when the subscription is disabled)
 * @param lastMessageAgeSeconds since the worker last heard from the publisher; null while it does not run
 * @param applyErrors errors applying changes, since the statistics were reset (PostgreSQL 15+; else null)
 * @param syncErrors errors copying a table's initial data (PostgreSQL 15+; else null)
 */
public record Subscription(String name, boolean running, Double lastMessageAgeSeconds, Long applyErrors,
    Long syncErrors) {}
