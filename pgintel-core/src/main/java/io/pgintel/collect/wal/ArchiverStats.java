package io.pgintel.collect.wal;

/**
 * {@code pg_stat_archiver}: WAL files archived and failed, and how long ago the last of each happened (null
 * when it never did).
 */
public record ArchiverStats(boolean archiveMode, long archived, long failed, Double lastArchivedAgeSeconds,
    Double lastFailedAgeSeconds) {}
