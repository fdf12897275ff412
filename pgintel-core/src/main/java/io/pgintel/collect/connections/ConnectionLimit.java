package io.pgintel.collect.connections;

/**
 * A connection limit set on a login role ({@code ALTER ROLE ... CONNECTION LIMIT}) or a database ({@code ALTER
 * DATABASE ... CONNECTION LIMIT}): past it the server refuses new sessions of that role or to that database, however
 * many {@code max_connections} leaves free. Only limits that are set (not -1).
 *
 * @param kind {@code role} or {@code database}
 */
public record ConnectionLimit(String kind, String name, long limit) {}
