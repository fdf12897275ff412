package io.pgintel.emit;

import static io.pgintel.emit.MetricDef.counter;
import static io.pgintel.emit.MetricDef.gauge;

import io.opentelemetry.api.common.AttributesBuilder;
import io.pgintel.collect.replication.RecoveryStatus;
import io.pgintel.collect.replication.ReplicationClient;
import io.pgintel.collect.replication.ReplicationSlot;
import io.pgintel.collect.replication.Subscription;
import io.pgintel.collect.replication.WalReceiver;
import java.util.List;
import java.util.function.Function;

/**
 * Metrics of the {@code replication} collector. The receiver's names where it has the metric
 * ({@code postgresql.replication.data_delay}, {@code postgresql.wal.lag}, {@code postgresql.wal.delay}, by
 * {@code replication_client}); the rest under {@code postgresql.replication.*} (standbys and this server's own
 * recovery) and {@code postgresql.replication_slot.*}. States are gauges of 1 and 0, so that an alert can test
 * the value instead of the absence of a series.
 */
final class ReplicationMetrics {

  static final List<MetricDef<?>> ALL = List.of(
      // pg_stat_replication: one series per standby
      gauge("postgresql.replication.data_delay", "By", ReplicationClient.class,
          "WAL not yet replayed on the standby: bytes between this server's current position and its replay"
              + " position.")
          .attributes(ReplicationMetrics::client).longValue(ReplicationClient::replayBehindBytes),
      gauge("postgresql.wal.lag", "s", ReplicationClient.class,
          "Time between a local WAL flush and the standby confirming it wrote, flushed or replayed it, in whole"
              + " seconds; 0 when an idle standby has caught up.")
          .attributes(ReplicationMetrics::client)
          .point(Attrs.OPERATION, "write", ReplicationClient::writeLagSeconds)
          .point(Attrs.OPERATION, "flush", ReplicationClient::flushLagSeconds)
          .point(Attrs.OPERATION, "replay", ReplicationClient::replayLagSeconds).build(),
      gauge("postgresql.wal.delay", "s", ReplicationClient.class,
          "Time between a local WAL flush and the standby confirming it wrote, flushed or replayed it; 0 when an idle"
              + " standby has caught up.")
          .attributes(ReplicationMetrics::client).ofDoubles()
          .point(Attrs.OPERATION, "write", ReplicationClient::writeLagSeconds)
          .point(Attrs.OPERATION, "flush", ReplicationClient::flushLagSeconds)
          .point(Attrs.OPERATION, "replay", ReplicationClient::replayLagSeconds).build(),
      gauge("postgresql.replication.backlog", "By", ReplicationClient.class,
          "WAL not yet sent to, written, flushed or replayed by the standby: bytes between this server's current"
              + " position and the standby's.")
          .attributes(ReplicationMetrics::client)
          .point(Attrs.OPERATION, "sent", ReplicationClient::sentBehindBytes)
          .point(Attrs.OPERATION, "write", ReplicationClient::writeBehindBytes)
          .point(Attrs.OPERATION, "flush", ReplicationClient::flushBehindBytes)
          .point(Attrs.OPERATION, "replay", ReplicationClient::replayBehindBytes).build(),
      gauge("postgresql.replication.streaming", "1", ReplicationClient.class,
          "1 when the standby streams, 0 while it is still catching up (or starting, stopping).")
          .attributes(ReplicationMetrics::client).longValue(r -> flag(r.streaming())),
      gauge("postgresql.replication.sync_state", "1", ReplicationClient.class,
          "1 for the standby's synchronous state: async, potential, sync or quorum.")
          .attributes((r, b) -> {
            client(r, b);
            putIfPresent(b, Attrs.SYNC_STATE, r.syncState());
          })
          .longValue(r -> r.syncState() == null ? null : 1),
      gauge("postgresql.replication.reply.age", "s", ReplicationClient.class,
          "Time since the standby's last reply, by the standby's clock (skew shifts it; never below 0); it replies at "
              + "least every wal_receiver_status_interval, so a growing age is a standby that stopped answering.")
          .attributes(ReplicationMetrics::client).doubleValue(ReplicationClient::replyAgeSeconds),
      gauge("postgresql.replication.xmin.age", "{transaction}", ReplicationClient.class,
          "Age of the xmin the standby reports (hot_standby_feedback), kept on its WAL sender or on the slot it "
              + "streams through: how far back its queries hold vacuum on this server; none without feedback.")
          .attributes(ReplicationMetrics::client).longValue(ReplicationClient::xminAge),

      // this server as a standby: pg_is_in_recovery(), replay position, pg_stat_wal_receiver
      gauge("postgresql.replication.is_replica", "1", RecoveryStatus.class,
          "1 when the server is a standby (in recovery), 0 when it is a primary.")
          .longValue(r -> r.inRecovery() ? 1 : 0),
      gauge("postgresql.replication.replay.lag", "s", RecoveryStatus.class,
          "On a standby: 0 when all WAL received is replayed, otherwise the time since the commit of the last"
              + " replayed transaction (none before the first).")
          .doubleValue(RecoveryStatus::replayLagSeconds),
      gauge("postgresql.replication.replay.backlog", "By", RecoveryStatus.class,
          "On a standby: WAL received but not yet replayed.")
          .longValue(RecoveryStatus::replayBacklogBytes),
      gauge("postgresql.replication.last_replay.age", "s", RecoveryStatus.class,
          "On a standby: time since the commit of the last replayed transaction (grows while the primary is idle;"
              + " none before the first).")
          .doubleValue(RecoveryStatus::lastReplayAgeSeconds),
      gauge("postgresql.replication.wal_receiver.connected", "1", WalReceiver.class,
          "On a standby: 1 when the WAL receiver streams from its upstream server, 0 otherwise.")
          .longValue(r -> flag(r.connected())),
      gauge("postgresql.replication.wal_receiver.status", "1", WalReceiver.class,
          "On a standby: 1 for the WAL receiver's current status (stopped when none runs).")
          .attributes((r, b) -> putIfPresent(b, Attrs.WAL_RECEIVER_STATUS, r.status()))
          .longValue(r -> r.status() == null ? null : 1),
      gauge("postgresql.replication.wal_receiver.last_message.age", "s", WalReceiver.class,
          "On a standby: time since the last message from the upstream server arrived.")
          .doubleValue(WalReceiver::lastMessageAgeSeconds),

      // pg_stat_subscription, pg_stat_subscription_stats (15+)
      gauge("postgresql.subscription.enabled", "1", Subscription.class,
          "On a subscriber: 1 while the subscription is enabled, 0 when disabled (disable_on_error disables it at "
              + "an error).")
          .attributes(ReplicationMetrics::subscription).longValue(r -> flag(r.enabled())),
      gauge("postgresql.subscription.running", "1", Subscription.class,
          "On a subscriber: 1 while the subscription's apply worker runs; 0 while disabled and between an error "
              + "and the worker's restart (a persistent error shows in postgresql.subscription.errors).")
          .attributes(ReplicationMetrics::subscription).longValue(r -> flag(r.running())),
      gauge("postgresql.subscription.last_message.age", "s", Subscription.class,
          "On a subscriber: time since the apply worker last heard from the publisher.")
          .attributes(ReplicationMetrics::subscription).doubleValue(Subscription::lastMessageAgeSeconds),
      counter("postgresql.subscription.errors", "{error}", Subscription.class,
          "On a subscriber: errors applying changes (apply) or copying a table's initial data (sync) "
              + "(PostgreSQL 15+).")
          .attributes(ReplicationMetrics::subscription)
          .point(Attrs.SUBSCRIPTION_ERROR, "apply", Subscription::applyErrors)
          .point(Attrs.SUBSCRIPTION_ERROR, "sync", Subscription::syncErrors).build(),

      // pg_replication_slots, pg_stat_replication_slots (14+)
      gauge("postgresql.replication_slot.active", "{slot}", ReplicationSlot.class,
          "1 when a process is using the slot, 0 when it is inactive.")
          .attributes(ReplicationMetrics::slot).longValue(r -> r.active() ? 1 : 0),
      gauge("postgresql.replication_slot.wal.retained", "By", ReplicationSlot.class,
          "WAL the server keeps for the slot: bytes from its restart_lsn to the current position.")
          .attributes(ReplicationMetrics::slot).longValue(ReplicationSlot::retainedBytes),
      gauge("postgresql.replication_slot.confirmed_flush.lag", "By", ReplicationSlot.class,
          "WAL a logical slot's consumer has not confirmed yet: bytes from its confirmed_flush_lsn to the current "
              + "position (logical slots only).")
          .attributes(ReplicationMetrics::slot).longValue(ReplicationSlot::unconfirmedBytes),
      gauge("postgresql.replication_slot.wal.safe_size", "By", ReplicationSlot.class,
          "WAL that can still be written before the slot is lost (only with max_slot_wal_keep_size).")
          .attributes(ReplicationMetrics::slot).longValue(ReplicationSlot::safeWalSizeBytes),
      gauge("postgresql.replication_slot.wal.status", "{slot}", ReplicationSlot.class,
          "1 for the slot's wal_status: reserved, extended, unreserved or lost.")
          .attributes((r, b) -> {
            slot(r, b);
            putIfPresent(b, Attrs.SLOT_WAL_STATUS, r.walStatus());
          })
          .longValue(r -> r.walStatus() == null ? null : 1),
      gauge("postgresql.replication_slot.xmin.age", "{transaction}", ReplicationSlot.class,
          "Age of the slot's xmin: how far back it holds vacuum.")
          .attributes(ReplicationMetrics::slot).longValue(ReplicationSlot::xminAge),
      gauge("postgresql.replication_slot.catalog_xmin.age", "{transaction}", ReplicationSlot.class,
          "Age of the slot's catalog_xmin: how far back it holds vacuum of system catalogs (logical slots).")
          .attributes(ReplicationMetrics::slot).longValue(ReplicationSlot::catalogXminAge),
      gauge("postgresql.replication_slot.conflicting", "{slot}", ReplicationSlot.class,
          "1 when a logical slot was invalidated by a conflict with recovery (PostgreSQL 16+).")
          .attributes(ReplicationMetrics::slot).longValue(r -> flag(r.conflicting())),
      gauge("postgresql.replication_slot.invalidated", "{slot}", ReplicationSlot.class,
          "1 when the slot can no longer be used, with the reason; 0 while it is valid (PostgreSQL 17+).")
          .attributes((r, b) -> {
            slot(r, b);
            putIfPresent(b, Attrs.SLOT_INVALIDATION_REASON, r.invalidationReason());
          })
          .longValue(r -> r.invalidationReason() == null ? null : r.invalidationReason().isEmpty() ? 0 : 1),
      gauge("postgresql.replication_slot.inactive.age", "s", ReplicationSlot.class,
          "Time since the slot was last in use (PostgreSQL 17+).")
          .attributes(ReplicationMetrics::slot).doubleValue(ReplicationSlot::inactiveSeconds),
      counter("postgresql.replication_slot.spill.transactions", "{transaction}", ReplicationSlot.class,
          "Transactions spilled to disk by logical decoding for exceeding logical_decoding_work_mem (PostgreSQL 14+).")
          .attributes(ReplicationMetrics::slot).longValue(decoding(ReplicationSlot.DecodingStats::spillTransactions)),
      counter("postgresql.replication_slot.spill.count", "{spill}", ReplicationSlot.class,
          "Times logical decoding spilled transactions to disk (PostgreSQL 14+).")
          .attributes(ReplicationMetrics::slot).longValue(decoding(ReplicationSlot.DecodingStats::spillCount)),
      counter("postgresql.replication_slot.spill.bytes", "By", ReplicationSlot.class,
          "Decoded transaction data spilled to disk (PostgreSQL 14+).")
          .attributes(ReplicationMetrics::slot).longValue(decoding(ReplicationSlot.DecodingStats::spillBytes)),
      counter("postgresql.replication_slot.stream.transactions", "{transaction}", ReplicationSlot.class,
          "In-progress transactions streamed to the output plugin for exceeding logical_decoding_work_mem"
              + " (PostgreSQL 14+).")
          .attributes(ReplicationMetrics::slot).longValue(decoding(ReplicationSlot.DecodingStats::streamTransactions)),
      counter("postgresql.replication_slot.stream.count", "{stream}", ReplicationSlot.class,
          "Times logical decoding streamed in-progress transactions (PostgreSQL 14+).")
          .attributes(ReplicationMetrics::slot).longValue(decoding(ReplicationSlot.DecodingStats::streamCount)),
      counter("postgresql.replication_slot.stream.bytes", "By", ReplicationSlot.class,
          "In-progress transaction data streamed to the output plugin (PostgreSQL 14+).")
          .attributes(ReplicationMetrics::slot).longValue(decoding(ReplicationSlot.DecodingStats::streamBytes)),
      counter("postgresql.replication_slot.decoded.transactions", "{transaction}", ReplicationSlot.class,
          "Transactions decoded and sent to the output plugin (PostgreSQL 14+).")
          .attributes(ReplicationMetrics::slot).longValue(decoding(ReplicationSlot.DecodingStats::totalTransactions)),
      counter("postgresql.replication_slot.decoded.bytes", "By", ReplicationSlot.class,
          "Transaction data decoded and sent to the output plugin (PostgreSQL 14+).")
          .attributes(ReplicationMetrics::slot).longValue(decoding(ReplicationSlot.DecodingStats::totalBytes)));

  private ReplicationMetrics() {}

  private static void client(ReplicationClient r, AttributesBuilder b) {
    b.put(Attrs.REPLICATION_CLIENT, r.client());
  }

  private static void subscription(Subscription r, AttributesBuilder b) {
    b.put(Attrs.SUBSCRIPTION_NAME, r.name());
  }

  private static void slot(ReplicationSlot r, AttributesBuilder b) {
    b.put(Attrs.SLOT_NAME, r.name());
    b.put(Attrs.SLOT_TYPE, r.type());
  }

  private static void putIfPresent(AttributesBuilder b, io.opentelemetry.api.common.AttributeKey<String> key,
      String value) {
    if (value != null && !value.isEmpty()) {
      b.put(key, value);
    }
  }

  private static Long flag(Boolean b) {
    return b == null ? null : b ? 1L : 0L;
  }

  private static Function<ReplicationSlot, Long> decoding(Function<ReplicationSlot.DecodingStats, Long> f) {
    return r -> r.decoding() == null ? null : f.apply(r.decoding());
  }
}
