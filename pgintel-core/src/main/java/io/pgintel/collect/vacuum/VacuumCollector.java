package io.pgintel.collect.vacuum;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.Row;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Wraparound distance of every database, the server's transaction ID counter, and the progress of running
 * vacuums, analyzes, index builds and clusters ({@code pg_stat_progress_*}).
 *
 * <p>Progress is the share done of the current phase by the measure that phase advances (heap blocks scanned, then
 * vacuumed; sample blocks; lockers waited for; ...): a phase the server gives no measure for has none, rather
 * than a figure left over from an earlier phase. Index vacuuming has one from PostgreSQL 17.
 */
public final class VacuumCollector extends NamedCollector {

  public static final String NAME = "vacuum";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

  /** Transaction IDs are compared modulo 2^32; half of that is how far apart two may be. */
  static final long XID_LIMIT = 2_147_483_647L;

  static final String AGES_SQL = """
      SELECT datname, age(datfrozenxid)::bigint AS xid_age, mxid_age(datminmxid)::bigint AS mxid_age,
             current_setting('autovacuum_freeze_max_age')::bigint AS freeze_max_age,
             current_setting('autovacuum_multixact_freeze_max_age')::bigint AS mxid_freeze_max_age
      FROM pg_database WHERE datallowconn""";

  /** One past the newest completed transaction ID, 64 bits wide; reading it assigns none. */
  static final String NEXT_XID_SQL = "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS next_xid,"
      + " current_setting('autovacuum_max_workers')::int AS max_workers";

  public VacuumCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  /**
   * Transaction IDs the server keeps back from {@link #XID_LIMIT}: it refuses new ones that close to wraparound
   * (3 million from PostgreSQL 14, 1 million before).
   */
  static long xidStopMargin(int major) {
    return major >= 14 ? 3_000_000L : 1_000_000L;
  }

  /**
   * One branch per view; {@code done} and {@code total} are the current phase's measure, null when it has none. A
   * vacuum also gives its passes over the indexes and how full its dead tuple memory is (tuples to PostgreSQL 16,
   * bytes from 17). What started it is read from its session: an autovacuum worker's query says whether it is
   * there to prevent wraparound (the text is compared in the server, never read).
   */
  static String progressSql(int major) {
    String indexesDone = major >= 17
        ? " WHEN 'vacuuming indexes' THEN indexes_processed WHEN 'cleaning up indexes' THEN indexes_processed" : "";
    String indexesTotal = major >= 17
        ? " WHEN 'vacuuming indexes' THEN indexes_total WHEN 'cleaning up indexes' THEN indexes_total" : "";
    String deadUsed = major >= 17 ? "dead_tuple_bytes" : "num_dead_tuples";
    String deadMax = major >= 17 ? "max_dead_tuple_bytes" : "max_dead_tuples";
    return """
        SELECT p.*, extract(epoch FROM clock_timestamp() - a.query_start)::float8 AS running,
               CASE WHEN a.backend_type = 'autovacuum worker' THEN
                      CASE WHEN a.query LIKE '%%(to prevent wraparound)' THEN 'wraparound' ELSE 'autovacuum' END
                    WHEN a.backend_type IS NOT NULL THEN 'manual' END AS started_by
        FROM (
          SELECT 'vacuum' AS kind, pid, datname, relid::regclass::text AS relation, phase,
                 CASE phase WHEN 'scanning heap' THEN heap_blks_scanned
                            WHEN 'vacuuming heap' THEN heap_blks_vacuumed%s END AS done,
                 CASE phase WHEN 'scanning heap' THEN heap_blks_total
                            WHEN 'vacuuming heap' THEN heap_blks_total%s END AS total,
                 index_vacuum_count AS index_passes, %s AS dead_used, %s AS dead_max
          FROM pg_stat_progress_vacuum
          UNION ALL
          SELECT 'analyze', pid, datname, relid::regclass::text, phase,
                 CASE phase WHEN 'acquiring sample rows' THEN sample_blks_scanned
                            WHEN 'acquiring inherited sample rows' THEN child_tables_done
                            WHEN 'computing extended statistics' THEN ext_stats_computed END,
                 CASE phase WHEN 'acquiring sample rows' THEN sample_blks_total
                            WHEN 'acquiring inherited sample rows' THEN child_tables_total
                            WHEN 'computing extended statistics' THEN ext_stats_total END,
                 NULL, NULL, NULL
          FROM pg_stat_progress_analyze
          UNION ALL
          SELECT 'create_index', pid, datname, relid::regclass::text, phase,
                 CASE WHEN phase LIKE 'waiting%%' THEN lockers_done WHEN blocks_total > 0 THEN blocks_done
                      WHEN tuples_total > 0 THEN tuples_done END,
                 CASE WHEN phase LIKE 'waiting%%' THEN lockers_total WHEN blocks_total > 0 THEN blocks_total
                      WHEN tuples_total > 0 THEN tuples_total END,
                 NULL, NULL, NULL
          FROM pg_stat_progress_create_index
          UNION ALL
          SELECT 'cluster', pid, datname, relid::regclass::text, phase,
                 CASE phase WHEN 'seq scanning heap' THEN heap_blks_scanned END,
                 CASE phase WHEN 'seq scanning heap' THEN heap_blks_total END,
                 NULL, NULL, NULL
          FROM pg_stat_progress_cluster) p
        LEFT JOIN pg_stat_activity a ON a.pid = p.pid""".formatted(indexesDone, indexesTotal, deadUsed, deadMax);
  }

  /** A row of {@link #progressSql}. */
  static MaintenanceProgress progress(Row r) throws SQLException {
    return new MaintenanceProgress(r.string("kind"), r.getInt("pid"), r.string("datname"), r.string("relation"),
        r.string("phase"), r.longOrNull("done"), r.longOrNull("total"), r.doubleOrNull("running"),
        r.stringOrNull("started_by"), r.longOrNull("index_passes"), r.longOrNull("dead_used"),
        r.longOrNull("dead_max"));
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    int major = session.server().major();
    long stopLimit = XID_LIMIT - xidStopMargin(major);
    List<Record> out = new ArrayList<>(session.query(AGES_SQL, r -> new DatabaseAge(r.string("datname"),
        r.getLong("xid_age"), r.getLong("mxid_age"), stopLimit - r.getLong("xid_age"), r.getLong("freeze_max_age"),
        r.getLong("mxid_freeze_max_age"))));
    out.add(session.queryOne(NEXT_XID_SQL, r -> new TransactionIds(r.getLong("next_xid"), r.getInt("max_workers"))));
    out.addAll(session.query(progressSql(major), VacuumCollector::progress));
    return out;
  }
}
