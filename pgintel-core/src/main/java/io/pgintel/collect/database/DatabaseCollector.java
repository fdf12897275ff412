package io.pgintel.collect.database;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.Row;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code pg_stat_database} and {@code pg_stat_database_conflicts} for every non-template database, and the
 * server's uptime and version.
 */
public final class DatabaseCollector extends NamedCollector {

  public static final String NAME = "database";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);

  private static final String COMMON = """
      d.datname, d.numbackends, d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit,
      d.tup_returned, d.tup_fetched, d.tup_inserted, d.tup_updated, d.tup_deleted,
      d.temp_files, d.temp_bytes, d.deadlocks, d.checksum_failures, d.blk_read_time, d.blk_write_time,
      c.confl_tablespace, c.confl_lock, c.confl_snapshot, c.confl_bufferpin, c.confl_deadlock,
      CASE WHEN has_database_privilege(d.datid, 'CONNECT') THEN pg_database_size(d.datid) END AS size_bytes""";

  private static final String FROM = """
      FROM pg_stat_database d
      JOIN pg_database db ON db.oid = d.datid
      LEFT JOIN pg_stat_database_conflicts c ON c.datid = d.datid
      WHERE NOT db.datistemplate""";

  /** PostgreSQL 13: no session statistics. */
  static final String SQL_13 = "SELECT " + COMMON + "\n" + FROM;

  /** PostgreSQL 14 and later: session statistics. */
  static final String SQL_14 = "SELECT " + COMMON + """
      ,
      d.sessions, d.sessions_abandoned, d.sessions_fatal, d.sessions_killed,
      d.session_time, d.active_time, d.idle_in_transaction_time
      """ + FROM;

  /** PostgreSQL 18 and later: parallel workers planned and launched too. */
  static final String SQL_18 = "SELECT " + COMMON + """
      ,
      d.sessions, d.sessions_abandoned, d.sessions_fatal, d.sessions_killed,
      d.session_time, d.active_time, d.idle_in_transaction_time,
      d.parallel_workers_to_launch, d.parallel_workers_launched
      """ + FROM;


  static final String UPTIME_SQL = """
      SELECT extract(epoch FROM clock_timestamp() - pg_postmaster_start_time())::float8 AS uptime,
             current_setting('server_version') AS version""";

  public DatabaseCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    boolean sessions = session.server().atLeast(14);
    boolean parallel = session.server().atLeast(18);
    List<DatabaseStats> stats = session.query(parallel ? SQL_18 : sessions ? SQL_14 : SQL_13,
        r -> map(r, sessions, parallel));
    List<Record> out = new ArrayList<>(stats.size() + 1);
    out.addAll(stats);
    out.add(new DatabaseCount(stats.size()));
    out.add(session.queryOne(UPTIME_SQL, r -> new ServerUptime(r.getDouble("uptime"), r.string("version"))));
    return out;
  }

  private static DatabaseStats map(Row r, boolean withSessions, boolean withParallel) throws SQLException {
    DatabaseStats.Conflicts conflicts = new DatabaseStats.Conflicts(r.getLong("confl_tablespace"),
        r.getLong("confl_lock"), r.getLong("confl_snapshot"), r.getLong("confl_bufferpin"),
        r.getLong("confl_deadlock"));
    DatabaseStats.Sessions sessions = withSessions
        ? new DatabaseStats.Sessions(r.getLong("sessions"), r.getLong("sessions_abandoned"),
            r.getLong("sessions_fatal"), r.getLong("sessions_killed"), r.getDouble("session_time"),
            r.getDouble("active_time"), r.getDouble("idle_in_transaction_time"))
        : null;
    return new DatabaseStats(r.string("datname"), r.getLong("numbackends"), r.getLong("xact_commit"),
        r.getLong("xact_rollback"), r.getLong("blks_read"), r.getLong("blks_hit"), r.getLong("tup_returned"),
        r.getLong("tup_fetched"), r.getLong("tup_inserted"), r.getLong("tup_updated"), r.getLong("tup_deleted"),
        r.getLong("temp_files"), r.getLong("temp_bytes"), r.getLong("deadlocks"), r.longOrNull("checksum_failures"),
        r.getDouble("blk_read_time"), r.getDouble("blk_write_time"), conflicts, sessions, r.longOrNull("size_bytes"),
        withParallel ? r.longOrNull("parallel_workers_to_launch") : null,
        withParallel ? r.longOrNull("parallel_workers_launched") : null);
  }
}
