package io.pgintel.collect.replication;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.Row;
import io.pgintel.collect.SqlSession;
import io.pgintel.runtime.RateLimitedLog;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads both sides of physical and logical replication: on any server whether it is a standby, the standbys
 * streaming from it ({@code pg_stat_replication}) and its replication slots ({@code pg_replication_slots},
 * {@code pg_stat_replication_slots} from 14); on a standby also replay progress and {@code pg_stat_wal_receiver};
 * on a logical replication subscriber its subscriptions ({@code pg_stat_subscription},
 * {@code pg_stat_subscription_stats} from 15).
 *
 * <p>Positions are measured against the server's own newest WAL: {@code pg_current_wal_lsn()} on a primary,
 * the last received position on a standby (where {@code pg_current_wal_lsn()} fails), so that a cascading standby
 * reports its own downstream standbys and slots too.
 *
 * <p>A failed statement aborts the collection's transaction, so instead of trying each view and catching the
 * error, one probe first asks which views and functions this role may use; the parts it may not are left out
 * (their records missing or their values null) and the rest is collected. pg_monitor needs none of that: the
 * probe exists for roles whose grants were narrowed by hand.
 */
public final class ReplicationCollector extends NamedCollector {

  public static final String NAME = "replication";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);

  private static final Logger log = LoggerFactory.getLogger(ReplicationCollector.class);

  /** This server's newest WAL position; one value per statement when used as a FROM item. */
  private static final String NEWEST_LSN = """
      SELECT CASE WHEN pg_is_in_recovery()
                  THEN coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())
                  ELSE pg_current_wal_lsn() END AS newest""";

  static final String RECEIVER_SQL = """
      SELECT status, extract(epoch FROM clock_timestamp() - last_msg_receipt_time)::float8 AS last_msg_age
      FROM pg_stat_wal_receiver""";

  private final RateLimitedLog degradedLog = new RateLimitedLog(log, Duration.ofHours(1));

  public ReplicationCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    int major = session.server().major();
    Access access = session.queryOne(probeSql(major), r -> new Access(r.getBoolean("in_recovery"),
        r.getBoolean("positions"), r.getBoolean("replay_time"), r.getBoolean("senders"), r.getBoolean("slots"),
        major >= 14 && r.getBoolean("slot_stats"), r.getBoolean("receiver"), r.getBoolean("subscriptions"),
        major >= 15 && r.getBoolean("subscription_stats"), r.getBoolean("subscription_oid")));
    List<String> missing = access.missing(major);
    if (!missing.isEmpty()) {
      degradedLog.warn("pgintel's role may not read {}: grant it SELECT on the views and EXECUTE on their functions"
          + " (PUBLIC has both by default); until then those replication values are left out",
          String.join(", ", missing));
    }

    List<Record> out = new ArrayList<>();
    out.add(session.queryOne(recoverySql(access), ReplicationCollector::recovery));
    if (access.senders()) {
      out.addAll(clients(session.query(clientsSql(access), ReplicationCollector::client)));
    }
    if (access.slots()) {
      out.addAll(session.query(slotsSql(major, access), r -> slot(r, major, access)));
    }
    if (access.inRecovery() && access.receiver()) {
      List<WalReceiver> receiver = session.query(RECEIVER_SQL, r -> {
        String status = r.stringOrNull("status");
        return new WalReceiver(status, status == null ? null : status.equals("streaming"),
            r.doubleOrNull("last_msg_age"));
      });
      // the view has no row while no receiver process runs (archive recovery, or between restarts)
      out.add(receiver.isEmpty() ? new WalReceiver("stopped", false, null) : receiver.get(0));
    }
    if (access.subscriptions()) {
      out.addAll(session.query(subscriptionsSql(major, access), r -> new Subscription(r.string("subname"),
          r.getBoolean("enabled"), r.getBoolean("running"), r.doubleOrNull("last_msg_age"), r.longOrNull("apply_error_count"),
          r.longOrNull("sync_error_count"))));
    }
    return out;
  }

  static String probeSql(int major) {
    return "SELECT pg_is_in_recovery() AS in_recovery,\n"
        + "  " + functions("pg_current_wal_lsn()", "pg_last_wal_receive_lsn()", "pg_last_wal_replay_lsn()",
            "pg_wal_lsn_diff(pg_lsn, pg_lsn)") + " AS positions,\n"
        + "  " + functions("pg_last_xact_replay_timestamp()") + " AS replay_time,\n"
        + "  " + view("pg_stat_replication", "pg_stat_get_wal_senders()", "pg_stat_get_activity(integer)")
        + " AS senders,\n"
        + "  " + view("pg_replication_slots", "pg_get_replication_slots()") + " AS slots,\n"
        + (major >= 14 ? "  " + view("pg_stat_replication_slots", "pg_stat_get_replication_slot(text)")
            + " AS slot_stats,\n" : "")
        + "  " + view("pg_stat_wal_receiver", "pg_stat_get_wal_receiver()") + " AS receiver,\n"
        + "  (" + view("pg_stat_subscription", "pg_stat_get_subscription(oid)")
        + " AND has_column_privilege('pg_catalog.pg_subscription', 'subdbid', 'SELECT')"
        + " AND has_column_privilege('pg_catalog.pg_subscription', 'subname', 'SELECT')"
        + " AND has_column_privilege('pg_catalog.pg_subscription', 'subenabled', 'SELECT')) AS subscriptions,\n"
        + "  has_column_privilege('pg_catalog.pg_subscription', 'oid', 'SELECT') AS subscription_oid"
        + (major >= 15 ? ",\n  " + view("pg_stat_subscription_stats", "pg_stat_get_subscription_stats(oid)")
            + " AS subscription_stats" : "");
  }

  /**
   * Each subscription of this database (the view shows every database's) by its main (apply) worker: table
   * synchronization workers have a relation, parallel apply workers (16+) a leader; the main worker's row is
   * there with a null pid while it does not run.
   */
  static String subscriptionsSql(int major, Access access) {
    String errors = access.subscriptionStats() ? "st.apply_error_count, st.sync_error_count"
        : "NULL::bigint AS apply_error_count, NULL::bigint AS sync_error_count";
    return "SELECT s.subname, s.pid IS NOT NULL AS running, su.subenabled AS enabled,\n"
        + "       extract(epoch FROM clock_timestamp() - s.last_msg_receipt_time)::float8 AS last_msg_age,\n"
        + "       " + errors + "\n"
        + "FROM pg_stat_subscription s JOIN pg_subscription su ON "
        // a role that may not read pg_subscription.oid (PUBLIC may not in older versions) joins by name, unique
        // within the database (a subscription of the same name in another database would be read with it)
        + (access.subscriptionOid() ? "su.oid = s.subid" : "su.subname = s.subname AND su.subdbid = "
            + "(SELECT oid FROM pg_database WHERE datname = current_database())") + "\n"
        + (access.subscriptionStats() ? "LEFT JOIN pg_stat_subscription_stats st ON st.subid = s.subid\n" : "")
        + "WHERE su.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())\n"
        + "  AND s.relid IS NULL" + (major >= 16 ? " AND s.leader_pid IS NULL" : "") + "\n"
        + "ORDER BY s.subname";
  }

  /** A view is usable when the role may select from it and call the functions it is made of. */
  private static String view(String name, String... functions) {
    return "(has_table_privilege('pg_catalog." + name + "', 'SELECT') AND " + functions(functions) + ")";
  }

  private static String functions(String... signatures) {
    List<String> checks = new ArrayList<>();
    for (String s : signatures) {
      checks.add("has_function_privilege('pg_catalog." + s + "', 'EXECUTE')");
    }
    return "(" + String.join(" AND ", checks) + ")";
  }

  /**
   * Seconds since a timestamp taken elsewhere (another server's clock may be ahead: never below 0); null when
   * there is none ({@code greatest} alone would skip the null and say 0).
   */
  private static String ageOf(String timestamp) {
    return "(CASE WHEN " + timestamp + " IS NOT NULL THEN greatest(0, extract(epoch FROM clock_timestamp() - "
        + timestamp + ")) END)::float8";
  }

  static String recoverySql(Access access) {
    String backlog = access.positions()
        ? "pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint" : "NULL::bigint";
    String age = access.replayTime()
        ? ageOf("pg_last_xact_replay_timestamp()") : "NULL::float8";
    // a standby that has replayed all it received is not behind, however long ago the last commit was
    String lag = access.positions() && access.replayTime()
        ? "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 ELSE " + age + " END"
        : "NULL::float8";
    return "SELECT pg_is_in_recovery() AS in_recovery,\n"
        + "  CASE WHEN pg_is_in_recovery() THEN " + backlog + " END AS replay_backlog,\n"
        + "  CASE WHEN pg_is_in_recovery() THEN " + lag + " END AS replay_lag,\n"
        + "  CASE WHEN pg_is_in_recovery() THEN " + age + " END AS last_replay_age";
  }

  private static RecoveryStatus recovery(Row r) throws SQLException {
    return new RecoveryStatus(r.getBoolean("in_recovery"), r.longOrNull("replay_backlog"),
        r.doubleOrNull("replay_lag"), r.doubleOrNull("last_replay_age"));
  }

  static String clientsSql(Access access) {
    StringBuilder sql = new StringBuilder("""
        SELECT coalesce(r.application_name, '') AS application_name,
               coalesce(host(r.client_addr), CASE WHEN r.client_port = -1 THEN 'unix' END, '') AS client_addr,
               r.state, r.sync_state""");
    sql.append(",\n       ").append(ageOf("r.reply_time")).append(" AS reply_age");
    sql.append(",\n       age(").append(access.slots() ? "coalesce(r.backend_xmin, sl.xmin)" : "r.backend_xmin")
        .append(")::bigint AS xmin_age");
    for (String op : List.of("sent", "write", "flush", "replay")) {
      sql.append(",\n       ").append(behind(access, "r." + op + "_lsn")).append(" AS ").append(op)
          .append("_behind");
    }
    for (String op : List.of("write", "flush", "replay")) {
      sql.append(",\n       (CASE WHEN r.").append(op).append("_lag IS NULL AND r.").append(op)
          .append("_lsn = p.newest THEN 0 ELSE extract(epoch FROM r.").append(op).append("_lag) END)::float8 AS ")
          .append(op).append("_lag");
    }
    // base backups stream through a WAL sender too, but are not standbys
    sql.append("\nFROM pg_stat_replication r CROSS JOIN (").append(newest(access)).append(") p\n");
    if (access.slots()) {
      // a standby streaming through a slot keeps its feedback xmin on the slot, not on its WAL sender
      sql.append("LEFT JOIN pg_replication_slots sl ON sl.active_pid = r.pid\n");
    }
    return sql.append("WHERE r.state IS DISTINCT FROM 'backup'\nORDER BY r.pid").toString();
  }

  private static String behind(Access access, String lsn) {
    return access.positions() ? "pg_wal_lsn_diff(p.newest, " + lsn + ")::bigint" : "NULL::bigint";
  }

  private static String newest(Access access) {
    return access.positions() ? NEWEST_LSN : "SELECT NULL::pg_lsn AS newest";
  }

  private static ClientRow client(Row r) throws SQLException {
    return new ClientRow(r.string("application_name"), r.string("client_addr"), r.stringOrNull("state"),
        r.longOrNull("sent_behind"), r.longOrNull("write_behind"), r.longOrNull("flush_behind"),
        r.longOrNull("replay_behind"), r.doubleOrNull("write_lag"), r.doubleOrNull("flush_lag"),
        r.doubleOrNull("replay_lag"), r.stringOrNull("sync_state"), r.doubleOrNull("reply_age"),
        r.longOrNull("xmin_age"));
  }

  /** Names each client; rows come in pid order, so a repeated name gets the same suffix while both stay. */
  static List<ReplicationClient> clients(List<ClientRow> rows) {
    Map<String, Integer> seen = new HashMap<>();
    List<ReplicationClient> out = new ArrayList<>();
    for (ClientRow c : rows) {
      String name = c.application().isEmpty() ? c.address()
          : c.address().isEmpty() ? c.application() : c.application() + "@" + c.address();
      if (name.isEmpty()) {
        name = "unknown";
      }
      int n = seen.merge(name, 1, Integer::sum);
      out.add(new ReplicationClient(n == 1 ? name : name + "#" + n, c.state(), c.sent(), c.write(), c.flush(),
          c.replay(), c.writeLag(), c.flushLag(), c.replayLag(), c.syncState(), c.replyAge(), c.xminAge()));
    }
    return out;
  }

  static String slotsSql(int major, Access access) {
    String stats = access.slotStats()
        ? "st.spill_txns, st.spill_count, st.spill_bytes, st.stream_txns, st.stream_count, st.stream_bytes,"
            + " st.total_txns, st.total_bytes"
        : "NULL::bigint AS total_txns";
    return "SELECT s.slot_name, s.slot_type, s.active,\n"
        + "       " + behind(access, "s.restart_lsn") + " AS retained_bytes,\n"
        + "       " + behind(access, "s.confirmed_flush_lsn") + " AS unconfirmed_bytes,\n"
        + "       s.wal_status, s.safe_wal_size,\n"
        + "       age(s.xmin)::bigint AS xmin_age, age(s.catalog_xmin)::bigint AS catalog_xmin_age,\n"
        + (major >= 16 ? "       s.conflicting,\n" : "       NULL::boolean AS conflicting,\n")
        + (major >= 17
            ? "       extract(epoch FROM clock_timestamp() - s.inactive_since)::float8 AS inactive_age,\n"
                + "       coalesce(s.invalidation_reason, '') AS invalidation_reason,\n"
            : "       NULL::float8 AS inactive_age, NULL::text AS invalidation_reason,\n")
        + "       " + stats + "\n"
        + "FROM pg_replication_slots s CROSS JOIN (" + newest(access) + ") p\n"
        + (access.slotStats() ? "LEFT JOIN pg_stat_replication_slots st ON st.slot_name = s.slot_name\n" : "")
        + "ORDER BY s.slot_name";
  }

  private static ReplicationSlot slot(Row r, int major, Access access) throws SQLException {
    Boolean conflicting = null;
    if (major >= 16) {
      // NULL for physical slots: only logical ones conflict with recovery
      conflicting = r.stringOrNull("conflicting") == null ? null : r.getBoolean("conflicting");
    }
    ReplicationSlot.DecodingStats decoding = null;
    if (access.slotStats() && r.longOrNull("total_txns") != null) {
      decoding = new ReplicationSlot.DecodingStats(r.getLong("spill_txns"), r.getLong("spill_count"),
          r.getLong("spill_bytes"), r.getLong("stream_txns"), r.getLong("stream_count"), r.getLong("stream_bytes"),
          r.getLong("total_txns"), r.getLong("total_bytes"));
    }
    return new ReplicationSlot(r.string("slot_name"), r.string("slot_type"), r.getBoolean("active"),
        r.longOrNull("retained_bytes"), r.longOrNull("unconfirmed_bytes"), r.stringOrNull("wal_status"), r.longOrNull("safe_wal_size"),
        r.longOrNull("xmin_age"), r.longOrNull("catalog_xmin_age"), conflicting, r.doubleOrNull("inactive_age"),
        r.stringOrNull("invalidation_reason"), decoding);
  }

  /** Which views and functions the collection may touch; all true for pg_monitor. */
  record Access(boolean inRecovery, boolean positions, boolean replayTime, boolean senders, boolean slots,
      boolean slotStats, boolean receiver, boolean subscriptions, boolean subscriptionStats,
      boolean subscriptionOid) {

    List<String> missing(int major) {
      List<String> missing = new ArrayList<>();
      if (!positions) {
        missing.add("the WAL position functions");
      }
      if (!replayTime) {
        missing.add("pg_last_xact_replay_timestamp()");
      }
      if (!senders) {
        missing.add("pg_stat_replication");
      }
      if (!slots) {
        missing.add("pg_replication_slots");
      }
      if (major >= 14 && !slotStats) {
        missing.add("pg_stat_replication_slots");
      }
      if (!receiver) {
        missing.add("pg_stat_wal_receiver");
      }
      if (!subscriptions) {
        missing.add("pg_stat_subscription");
      }
      if (major >= 15 && !subscriptionStats) {
        missing.add("pg_stat_subscription_stats");
      }
      return missing;
    }
  }

  /** One pg_stat_replication row before it is named. */
  record ClientRow(String application, String address, String state, Long sent, Long write, Long flush,
      Long replay, Double writeLag, Double flushLag, Double replayLag, String syncState, Double replyAge,
      Long xminAge) {}
}
