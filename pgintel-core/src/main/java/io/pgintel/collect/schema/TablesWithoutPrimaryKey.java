package io.pgintel.collect.schema;

/**
 * How many tables and partitioned tables of the monitored database (partitions, temporary tables and the system
 * schemas left out) have no primary key.
 */
public record TablesWithoutPrimaryKey(String database, long tables) {}
