package io.pgintel.collect.buffercache;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.ServerInfo;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What shared buffers hold, from the {@code pg_buffercache} extension: how many are used, dirty and pinned, how
 * hot the used ones are (their average usage count), and the {@value #MAX_RELATIONS} relations of the monitored
 * database with the most buffers.
 *
 * <p>Off by default, every 5 minutes when on: the relations come from the {@code pg_buffercache} view, one row per
 * shared buffer (a short spinlock on each buffer header, no lock that waits), which on a server with many
 * gigabytes of shared buffers is millions of rows read on the application's connection. The summary is
 * {@code pg_buffercache_summary()} from PostgreSQL 16 (no row per buffer) and the view summed before. The
 * extension's schema is looked up at the first collection and after a failure.
 */
public final class BuffercacheCollector extends NamedCollector {

  public static final String NAME = "buffercache";
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
  static final int MAX_RELATIONS = 50;

  private static final String SUMMARY_16 = """
      SELECT buffers_used, buffers_unused, buffers_dirty, buffers_pinned, usagecount_avg::float8 AS usagecount_avg
      FROM $S.pg_buffercache_summary()""";

  private static final String SUMMARY_13 = """
      SELECT count(*) FILTER (WHERE relfilenode IS NOT NULL) AS buffers_used,
             count(*) FILTER (WHERE relfilenode IS NULL) AS buffers_unused,
             count(*) FILTER (WHERE isdirty) AS buffers_dirty,
             count(*) FILTER (WHERE pinning_backends > 0) AS buffers_pinned,
             avg(usagecount) FILTER (WHERE relfilenode IS NOT NULL)::float8 AS usagecount_avg
      FROM $S.pg_buffercache""";

  /**
   * Buffers of this database's relations, matched to {@code pg_class} by file node and tablespace (0 in
   * {@code pg_class} is the database's default); the system schemas left out.
   */
  private static final String RELATIONS = """
      SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS relation, c.relkind::text AS kind,
             b.buffers
      FROM (SELECT relfilenode, reltablespace, count(*) AS buffers
            FROM $S.pg_buffercache
            WHERE reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
            GROUP BY relfilenode, reltablespace) b
      JOIN pg_class c ON c.relfilenode = b.relfilenode
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE coalesce(nullif(c.reltablespace, 0),
                     (SELECT dattablespace FROM pg_database WHERE datname = current_database())) = b.reltablespace
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      ORDER BY b.buffers DESC, relation LIMIT $MAX""";

  /** The extension's schema, quoted; null until found, and again after a failed collection. */
  private volatile String schema;

  public BuffercacheCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public Optional<String> unavailableReason(ServerInfo server) {
    if (!server.extensions().containsKey("pg_buffercache")) {
      return Optional.of("the pg_buffercache extension is not created in database '" + server.database()
          + "': run CREATE EXTENSION pg_buffercache there (pg_monitor may read it)");
    }
    return Optional.empty();
  }

  /** A role that may not execute the extension's functions: a grant, not a failure to back off from. */
  @Override
  public Optional<String> unavailableReason(SQLException failure) {
    if ("42501".equals(failure.getSQLState()) && String.valueOf(failure.getMessage()).contains("pg_buffercache")) {
      return Optional.of("the role may not read pg_buffercache: grant it pg_monitor");
    }
    return Optional.empty();
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    String s = schema;
    if (s == null) {
      s = session.queryOne("""
          SELECT quote_ident(n.nspname) AS schema FROM pg_extension e
          JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_buffercache'""",
          r -> r.string("schema"));
    }
    schema = null;
    String db = session.server().database();
    List<Record> out = new ArrayList<>();
    out.add(session.queryOne((session.server().atLeast(16) ? SUMMARY_16 : SUMMARY_13).replace("$S", s),
        r -> new BufferCacheSummary(r.getLong("buffers_used"), r.getLong("buffers_unused"),
            r.getLong("buffers_dirty"), r.getLong("buffers_pinned"), r.doubleOrNull("usagecount_avg"))));
    out.addAll(session.query(RELATIONS.replace("$S", s).replace("$MAX", Integer.toString(MAX_RELATIONS)),
        r -> new RelationBuffers(db, r.string("relation"), kind(r.string("kind")), r.getLong("buffers"))));
    schema = s;
    return out;
  }

  private static String kind(String relkind) {
    return switch (relkind) {
      case "r" -> "table";
      case "i" -> "index";
      case "t" -> "toast table";
      case "m" -> "materialized view";
      case "S" -> "sequence";
      default -> "other";
    };
  }
}
