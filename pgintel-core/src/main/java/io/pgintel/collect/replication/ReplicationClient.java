package io.pgintel.collect.replication;

/**
 * One standby (or other WAL receiver) streaming from this server, from {@code pg_stat_replication}.
 *
 * <p>{@code client} is {@code application_name@client_addr} ({@code unix} for a Unix socket): stable across
 * reconnects, unlike pid and port, so each standby keeps one series. Two standbys that share both get
 * {@code #2}, {@code #3} suffixes in pid order.
 *
 * <p>Byte values are how far the standby's sent, written, flushed and replayed positions are behind this server's
 * current WAL position. Lag times are the view's: the time between a local flush and the standby confirming the
 * operation; PostgreSQL shows NULL once an idle standby has caught up, which is reported as 0 when that position
 * equals ours. {@code syncState} is {@code async}, {@code potential}, {@code sync} or {@code quorum}; the reply age
 * is the time since the standby's last reply (it replies at least every {@code wal_receiver_status_interval}, so a
 * growing age is a standby that stopped answering with its connection still open); the xmin age is how far back
 * the standby's queries hold vacuum here ({@code hot_standby_feedback}), null without feedback. Null where the role
 * lacks pg_read_all_stats (the view hides these columns).
 */
public record ReplicationClient(String client, String state, Long sentBehindBytes, Long writeBehindBytes,
    Long flushBehindBytes, Long replayBehindBytes, Double writeLagSeconds, Double flushLagSeconds,
    Double replayLagSeconds, String syncState, Double replyAgeSeconds, Long xminAge) {

  /** Whether the standby is past catch-up and streaming; null when the role may not see the state. */
  public Boolean streaming() {
    return state == null ? null : state.equals("streaming");
  }
}
