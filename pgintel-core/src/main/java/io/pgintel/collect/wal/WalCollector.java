package io.pgintel.collect.wal;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.Row;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads WAL position, {@code pg_stat_wal} where the server has it, {@code pg_stat_archiver}, and, where the role may
 * read them, what the WAL directory holds and the latest checkpoint from the control file.
 */
public final class WalCollector extends NamedCollector {

  public static final String NAME = "wal";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

  /** Where the server is in the WAL: the insert position, or on a standby what it has replayed. */
  private static final String CURRENT = """
      CASE WHEN pg_is_in_recovery() THEN coalesce(pg_last_wal_replay_lsn(), '0/0')
           ELSE pg_current_wal_insert_lsn() END""";

  private static final String POSITION = "pg_wal_lsn_diff(" + CURRENT + ", '0/0')::bigint AS lsn_bytes";

  static final String SQL_13 = "SELECT " + POSITION;

  static final String SQL_14 = "SELECT " + POSITION + """
      ,
             w.wal_records, w.wal_fpi, w.wal_bytes::bigint AS wal_bytes, w.wal_buffers_full,
             w.wal_write, w.wal_sync, w.wal_write_time, w.wal_sync_time
      FROM pg_stat_wal w""";

  static final String SQL_18 = "SELECT " + POSITION + """
      ,
             w.wal_records, w.wal_fpi, w.wal_bytes::bigint AS wal_bytes, w.wal_buffers_full
      FROM pg_stat_wal w""";

  // ages from clock_timestamp(), not now(): now() is when this transaction began, and an event after that would
  // come out as a negative age
  static final String ARCHIVER_SQL = """
      SELECT current_setting('archive_mode') <> 'off' AS archive_mode,
             archived_count, failed_count,
             extract(epoch FROM clock_timestamp() - last_archived_time)::float8 AS last_archived_age,
             extract(epoch FROM clock_timestamp() - last_failed_time)::float8 AS last_failed_age
      FROM pg_stat_archiver""";


  /**
   * Asked first: a function the role may not execute fails the whole statement that names it, even in a branch
   * never taken (its permission is checked when the statement starts).
   */
  static final String RIGHTS_SQL = """
      SELECT has_function_privilege('pg_catalog.pg_ls_waldir()', 'EXECUTE') AS waldir,
             has_function_privilege('pg_catalog.pg_ls_archive_statusdir()', 'EXECUTE') AS archive_status,
             has_function_privilege('pg_catalog.pg_control_checkpoint()', 'EXECUTE') AS control""";

  /** Segment files only (24 hexadecimal digits), not history files or the archive_status directory. */
  static final String WALDIR_SQL = """
      SELECT count(*) FILTER (WHERE name ~ '^[0-9A-F]{24}$') AS segments, coalesce(sum(size), 0)::bigint AS bytes
      FROM pg_ls_waldir()""";

  static final String ARCHIVE_PENDING_SQL =
      "SELECT count(*) AS pending FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'";

  static final String CHECKPOINT_SQL = "SELECT extract(epoch FROM clock_timestamp() - checkpoint_time)::float8 AS age,"
      + " greatest(0, pg_wal_lsn_diff(" + CURRENT + ", redo_lsn))::bigint AS redo_distance, timeline_id"
      + " FROM pg_control_checkpoint()";

  public WalCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    int major = session.server().major();
    String sql = major >= 18 ? SQL_18 : major >= 14 ? SQL_14 : SQL_13;
    WalStats wal = session.queryOne(sql, r -> map(r, major));
    ArchiverStats archiver = session.queryOne(ARCHIVER_SQL, r -> new ArchiverStats(r.getBoolean("archive_mode"),
        r.getLong("archived_count"), r.getLong("failed_count"), r.doubleOrNull("last_archived_age"),
        r.doubleOrNull("last_failed_age")));
    boolean[] rights = session.queryOne(RIGHTS_SQL,
        r -> new boolean[] {r.getBoolean("waldir"), r.getBoolean("archive_status"), r.getBoolean("control")});
    List<Record> out = new ArrayList<>(List.of(wal, archiver, directory(session, rights)));
    if (rights[2]) {
      out.add(session.queryOne(CHECKPOINT_SQL, r -> new CheckpointState(r.getDouble("age"),
          r.getLong("redo_distance"), r.getLong("timeline_id"))));
    }
    return out;
  }

  private static WalDirectory directory(SqlSession session, boolean[] rights) throws SQLException {
    long[] files = rights[0]
        ? session.queryOne(WALDIR_SQL, r -> new long[] {r.getLong("segments"), r.getLong("bytes")}) : null;
    Long pending = rights[1] ? session.queryOne(ARCHIVE_PENDING_SQL, r -> r.getLong("pending")) : null;
    return new WalDirectory(files == null ? null : files[0], files == null ? null : files[1], pending);
  }

  private static WalStats map(Row r, int major) throws SQLException {
    long lsn = r.getLong("lsn_bytes");
    if (major < 14) {
      return new WalStats(lsn, null, null, null, null, null, null, null, null);
    }
    boolean ioInWal = major < 18;
    return new WalStats(lsn, r.getLong("wal_records"), r.getLong("wal_fpi"), r.getLong("wal_bytes"),
        r.getLong("wal_buffers_full"), ioInWal ? r.getLong("wal_write") : null,
        ioInWal ? r.getLong("wal_sync") : null, ioInWal ? r.getDouble("wal_write_time") : null,
        ioInWal ? r.getDouble("wal_sync_time") : null);
  }
}
