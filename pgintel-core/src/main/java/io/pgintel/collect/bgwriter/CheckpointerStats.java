package io.pgintel.collect.bgwriter;

/**
 * Checkpoints: {@code pg_stat_checkpointer} from PostgreSQL 17, the checkpoint columns of
 * {@code pg_stat_bgwriter} before. Restartpoint counters exist from 17 and are null before.
 */
public record CheckpointerStats(long timed, long requested, double writeTimeMs, double syncTimeMs,
    long buffersWritten, Long restartpointsTimed, Long restartpointsRequested, Long restartpointsDone) {}
