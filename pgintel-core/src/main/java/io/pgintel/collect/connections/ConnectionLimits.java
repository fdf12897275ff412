package io.pgintel.collect.connections;

/**
 * {@code max_connections} and the slots of it an ordinary role cannot use: {@code superuser_reserved_connections}
 * and, from PostgreSQL 16, {@code reserved_connections} (for roles with {@code pg_use_reserved_connections}).
 *
 * @param newSession whether the session that read them was opened for the collection (a DataSource that does not
 *     pool, or a pool that grew for pgintel): then pgintel's collections take connection slots of their own
 */
public record ConnectionLimits(long maxConnections, long reserved, boolean newSession) {}
