package io.pgintel.collect.replication;

/**
 * {@code pg_stat_wal_receiver} on a standby. {@code status} is the view's (streaming, waiting, ...), or
 * {@code stopped} when no WAL receiver runs (the view is empty then); it and {@code connected} are null for a role
 * without pg_read_all_stats, which the view shows only the pid.
 *
 * @param connected the receiver is streaming from its upstream server
 * @param lastMessageAgeSeconds time since the last message from the upstream server arrived
 */
public record WalReceiver(String status, Boolean connected, Double lastMessageAgeSeconds) {}
