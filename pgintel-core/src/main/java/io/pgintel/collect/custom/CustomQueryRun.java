package io.pgintel.collect.custom;

/**
 * What one run of a custom query read: rows reported, and rows beyond its {@code max-rows} that were not.
 *
 * @param query the query's name
 */
public record CustomQueryRun(String query, long reported, long dropped) {}
