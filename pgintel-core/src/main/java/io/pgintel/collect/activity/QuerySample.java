package io.pgintel.collect.activity;

/**
 * A {@code db.server.query_sample} event: a statement that has been running longer than the threshold,
 * reported once per execution (pid and query start).
 */
public record QuerySample(ActivitySample session) {}
