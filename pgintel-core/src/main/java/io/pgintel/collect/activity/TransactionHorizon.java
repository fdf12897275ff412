package io.pgintel.collect.activity;

/**
 * What holds back vacuum now: idle-in-transaction sessions, the oldest open transaction, and the oldest xmin
 * by who holds it. Ages in transactions are {@code age(xid)}; null when nothing holds one.
 *
 * @param oldestTransactionSeconds age of the oldest open transaction of a client backend
 * @param backendXminAge oldest {@code backend_xmin} of any session
 * @param replicationSlotXminAge oldest {@code xmin} or {@code catalog_xmin} of a replication slot
 * @param preparedTransactionAge oldest prepared (two-phase) transaction
 */
public record TransactionHorizon(long idleInTransaction, Double oldestTransactionSeconds, Long backendXminAge,
    Long replicationSlotXminAge, Long preparedTransactionAge) {}
