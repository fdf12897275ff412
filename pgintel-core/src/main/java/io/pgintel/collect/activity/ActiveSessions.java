package io.pgintel.collect.activity;

/**
 * Average active sessions over the last aggregation window (active session history): how many sessions were,
 * on average, in one state, wait event, database, query, or query and wait event. {@code dimension} says which
 * breakdown ({@code wait}, {@code state}, {@code database}, {@code query}, {@code query_wait}); unused keys are
 * empty.
 */
public record ActiveSessions(String dimension, String waitEventType, String waitEvent, String state, String database,
    String fingerprint, String querySummary, double average) {}
