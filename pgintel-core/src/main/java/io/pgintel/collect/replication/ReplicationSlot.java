package io.pgintel.collect.replication;

/**
 * One row of {@code pg_replication_slots}, with its {@code pg_stat_replication_slots} counters where the server
 * has them (PostgreSQL 14+, logical slots only). Values the server version lacks are null: {@code conflicting}
 * before 16, {@code inactiveSeconds} and {@code invalidationReason} before 17.
 *
 * @param type {@code physical} or {@code logical}
 * @param retainedBytes WAL kept for the slot: this server's current position minus the slot's restart_lsn
 * @param unconfirmedBytes WAL a logical slot's consumer has not confirmed yet: the current position minus the
 *     slot's confirmed_flush_lsn; null for a physical slot
 * @param walStatus reserved, extended, unreserved or lost
 * @param safeWalSizeBytes WAL that can still be written before the slot is lost; null without
 *     max_slot_wal_keep_size
 * @param xminAge age of the oldest transaction the slot keeps vacuum from removing rows of
 * @param catalogXminAge the same for system catalogs (logical slots)
 * @param conflicting a logical slot invalidated by a recovery conflict (PostgreSQL 16+)
 * @param inactiveSeconds time since the slot was last in use, null while active (PostgreSQL 17+)
 * @param invalidationReason why the slot can no longer be used, empty while it is valid (PostgreSQL 17+)
 */
public record ReplicationSlot(String name, String type, boolean active, Long retainedBytes, Long unconfirmedBytes,
    String walStatus, Long safeWalSizeBytes, Long xminAge, Long catalogXminAge, Boolean conflicting,
    Double inactiveSeconds, String invalidationReason, DecodingStats decoding) {

  /**
   * Logical decoding counters of {@code pg_stat_replication_slots}: transactions spilled to disk or streamed to
   * the output plugin before commit because they outgrew logical_decoding_work_mem, and everything decoded.
   */
  public record DecodingStats(long spillTransactions, long spillCount, long spillBytes, long streamTransactions,
      long streamCount, long streamBytes, long totalTransactions, long totalBytes) {}
}
