package io.pgintel.collect.wal;

/**
 * The latest checkpoint as the control file has it ({@code pg_control_checkpoint()}; a restartpoint on a standby),
 * for a role that may read it.
 *
 * @param ageSeconds since the checkpoint began
 * @param redoDistanceBytes WAL from the checkpoint's redo point to the current position: what crash recovery would
 *     replay if the server stopped now
 * @param timeline the timeline it was written on, which a promotion moves on
 */
public record CheckpointState(double ageSeconds, long redoDistanceBytes, long timeline) {}
