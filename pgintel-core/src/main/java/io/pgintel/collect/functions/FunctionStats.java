package io.pgintel.collect.functions;

/** One user function of {@code pg_stat_user_functions}; times are milliseconds. */
public record FunctionStats(String database, String function, long calls, double totalTimeMs, double selfTimeMs) {}
