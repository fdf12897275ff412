package io.pgintel.collect.locks;

/** Locks in {@code pg_locks} of one kind: database, lock type, mode and whether granted or waited for. */
public record LockCount(String database, String lockType, String mode, boolean granted, long count) {}
