package io.pgintel.collect.locks;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Counts {@code pg_locks} by database, lock type, mode and granted. Reading {@code pg_locks} takes the lock
 * manager's partition locks briefly, so it runs on its own, slower interval rather than with every activity
 * sample. Locks without a database (transaction IDs, virtual transactions) count under an empty database.
 */
public final class LocksCollector extends NamedCollector {

  public static final String NAME = "locks";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);

  static final String SQL = """
      SELECT coalesce(d.datname, '') AS datname, l.locktype, l.mode, l.granted, count(*) AS locks
      FROM pg_locks l LEFT JOIN pg_database d ON d.oid = l.database
      WHERE l.pid IS DISTINCT FROM pg_backend_pid()
      GROUP BY 1, 2, 3, 4""";

  public LocksCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    return session.query(SQL, r -> new LockCount(r.string("datname"), r.string("locktype"), r.string("mode"),
        r.getBoolean("granted"), r.getLong("locks")));
  }
}
