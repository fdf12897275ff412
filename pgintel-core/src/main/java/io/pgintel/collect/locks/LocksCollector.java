package io.pgintel.collect.locks;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Counts {@code pg_locks} by database, lock type, mode and granted, and, for the tables of the monitored database,
 * the waits on a table or its rows and the strong locks per table ({@link TableLocks}, the
 * {@value #MAX_TABLE_ROWS} rows with waits first). Reading {@code pg_locks} takes the lock manager's partition
 * locks briefly, so it is read once per collection, on its own slower interval rather than with every activity
 * sample. Locks without a database (transaction IDs, virtual transactions) count under an empty database.
 */
public final class LocksCollector extends NamedCollector {

  public static final String NAME = "locks";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
  static final int MAX_TABLE_ROWS = 100;

  static final String SQL = """
      WITH l AS MATERIALIZED (
        SELECT database, relation, locktype, mode, granted FROM pg_locks
        WHERE pid IS DISTINCT FROM pg_backend_pid())
      SELECT 'database' AS kind, coalesce(d.datname, '') AS name, l.locktype, l.mode, l.granted, count(*) AS locks
      FROM l LEFT JOIN pg_database d ON d.oid = l.database
      GROUP BY 2, 3, 4, 5
      UNION ALL
      (SELECT 'table', quote_ident(n.nspname) || '.' || quote_ident(c.relname), l.locktype, l.mode, l.granted,
              count(*)
       FROM l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE l.locktype IN ('relation', 'tuple') AND c.relkind IN ('r', 'p', 'm')
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND (NOT l.granted OR l.locktype = 'relation' AND l.mode IN ('ShareUpdateExclusiveLock', 'ShareLock',
                                          'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'))
       GROUP BY 2, 3, 4, 5
       ORDER BY l.granted, count(*) DESC, 2, 3, 4
       LIMIT\s""" + MAX_TABLE_ROWS + ")";

  public LocksCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    String db = session.server().database();
    return session.query(SQL, r -> "table".equals(r.string("kind"))
        ? new TableLocks(db, r.string("name"), r.string("locktype"), r.string("mode"), r.getBoolean("granted"),
            r.getLong("locks"))
        : new LockCount(r.string("name"), r.string("locktype"), r.string("mode"), r.getBoolean("granted"),
            r.getLong("locks")));
  }
}
