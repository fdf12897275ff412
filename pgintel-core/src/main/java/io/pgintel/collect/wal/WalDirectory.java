package io.pgintel.collect.wal;

/**
 * What the server's WAL directory holds ({@code pg_ls_waldir()}) and how many segments wait for the archiver
 * ({@code .ready} files in {@code pg_ls_archive_statusdir()}). Each is null when the role may not call the
 * function (it needs {@code pg_monitor}).
 */
public record WalDirectory(Long segments, Long bytes, Long archivePending) {}
