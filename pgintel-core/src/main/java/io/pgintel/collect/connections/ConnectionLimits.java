package io.pgintel.collect.connections;

/**
 * {@code max_connections} and the slots of it an ordinary role cannot use: {@code superuser_reserved_connections}
 * and, from PostgreSQL 16, {@code reserved_connections} (for roles with {@code pg_use_reserved_connections}).
 */
public record ConnectionLimits(long maxConnections, long reserved) {}
