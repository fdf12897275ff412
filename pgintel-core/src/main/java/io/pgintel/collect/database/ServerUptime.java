package io.pgintel.collect.database;

/**
 * How long the server has run since it started ({@code pg_postmaster_start_time()}), and its version: a restart
 * resets the server's cumulative statistics, which this tells from a statistics reset.
 *
 * @param version {@code server_version}, e.g. {@code 17.2}
 */
public record ServerUptime(double seconds, String version) {}
