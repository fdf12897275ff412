package io.pgintel.collect.activity;

/**
 * Average active sessions over the last aggregation window (active session history): how many sessions were,
 * on average, in one state, wait event, database, query, query and wait event, or application and user.
 * {@code dimension} says which breakdown ({@code wait}, {@code state}, {@code database}, {@code query},
 * {@code query_wait}, {@code application}); unused keys are empty.
 */
public record ActiveSessions(String dimension, String waitEventType, String waitEvent, String state, String database,
    String fingerprint, String querySummary, String application, String user, double average) {}
