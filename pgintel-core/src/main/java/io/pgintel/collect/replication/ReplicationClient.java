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
 * equals ours. Null where the role lacks pg_read_all_stats (the view hides these columns).
 */
public record ReplicationClient(String client, String state, Long sentBehindBytes, Long writeBehindBytes,
    Long flushBehindBytes, Long replayBehindBytes, Double writeLagSeconds, Double flushLagSeconds,
    Double replayLagSeconds) {

  /** Whether the standby is past catch-up and streaming; null when the role may not see the state. */
  public Boolean streaming() {
    return state == null ? null : state.equals("streaming");
  }
}
