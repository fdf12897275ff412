package io.pgintel.collect.vacuum;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Wraparound distance of every database and the progress of running vacuums, analyzes, index builds and
 * clusters ({@code pg_stat_progress_*}; the columns read here exist from PostgreSQL 13 to 18, so PostgreSQL 17's
 * renames of the vacuum dead-tuple columns do not matter).
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

  static final String PROGRESS_SQL = """
      SELECT 'vacuum' AS kind, pid, datname, relid::regclass::text AS relation, phase,
             heap_blks_scanned AS done, heap_blks_total AS total FROM pg_stat_progress_vacuum
      UNION ALL
      SELECT 'analyze', pid, datname, relid::regclass::text, phase, sample_blks_scanned, sample_blks_total
      FROM pg_stat_progress_analyze
      UNION ALL
      SELECT 'create_index', pid, datname, relid::regclass::text, phase, blocks_done, blocks_total
      FROM pg_stat_progress_create_index
      UNION ALL
      SELECT 'cluster', pid, datname, relid::regclass::text, phase, heap_blks_scanned, heap_blks_total
      FROM pg_stat_progress_cluster""";

  public VacuumCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    List<Record> out = new ArrayList<>(session.query(AGES_SQL, r -> new DatabaseAge(r.string("datname"),
        r.getLong("xid_age"), r.getLong("mxid_age"), XID_LIMIT - r.getLong("xid_age"), r.getLong("freeze_max_age"),
        r.getLong("mxid_freeze_max_age"))));
    out.addAll(session.query(PROGRESS_SQL, r -> new MaintenanceProgress(r.string("kind"), r.getInt("pid"),
        r.string("datname"), r.string("relation"), r.string("phase"), r.getLong("done"), r.getLong("total"))));
    return out;
  }
}
