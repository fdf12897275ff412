package io.pgintel.collect.statements;

/** Execution time of every statement pg_stat_statements holds now for one database, milliseconds. */
public record DatabaseQueryTime(String database, double totalExecTimeMs) {}
