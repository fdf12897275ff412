package io.pgintel.collect.replication;

/**
 * Whether the server is a standby ({@code pg_is_in_recovery()}) and, on a standby, how far replay is behind.
 * The standby-only values are null on a primary, and where the role may not call the functions behind them.
 *
 * @param replayBacklogBytes WAL received but not yet replayed
 * @param replayLagSeconds 0 when everything received is replayed, otherwise the age of the last replayed
 *     transaction: a lag that does not grow on an idle primary; null while replay is behind before the first
 *     replayed transaction
 * @param lastReplayAgeSeconds time since the commit of the last replayed transaction, null before the first one
 */
public record RecoveryStatus(boolean inRecovery, Long replayBacklogBytes, Double replayLagSeconds,
    Double lastReplayAgeSeconds) {}
