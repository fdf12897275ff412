package io.pgintel.collect.buffercache;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.RelationKind;
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
 * shared buffer (a short spinlock on each buffer header, no lock that waits; the server keeps the rows in memory,
 * or a temporary file past {@code work_mem}), about 180 ns a buffer: on a server with many gigabytes of shared
 * buffers, millions of rows read on the application's connection, in one statement. The extension's schema is
 * looked up at the first collection and after a failure.
 */
public final class BuffercacheCollector extends NamedCollector {

  public static final String NAME = "buffercache";
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
  static final int MAX_RELATIONS = 50;

  /**
   * One pass over the view: its rows grouped by relation file first (thousands of groups, not millions of rows),
   * the summary and the relations both from those groups; from extension version 1.4 (PostgreSQL 16) the summary
   * comes from {@code pg_buffercache_summary()}, which reads no row per buffer. Relations are this database's,
   * matched to {@code pg_class} by file node and tablespace (0 in {@code pg_class} is the database's default), a
   * TOAST table under its table's name, TOAST indexes and the system schemas' relations left out.
   */
  private static final String SQL = """
      WITH g AS MATERIALIZED (
        SELECT reldatabase, relfilenode, reltablespace, count(*) AS buffers,
               count(*) FILTER (WHERE isdirty) AS dirty, count(*) FILTER (WHERE pinning_backends > 0) AS pinned,
               sum(usagecount) AS usage
        FROM {schema}.pg_buffercache GROUP BY reldatabase, relfilenode, reltablespace),
      summary AS ({summary}),
      relations AS (
        SELECT CASE WHEN c.relkind = 't' THEN quote_ident(tn.nspname) || '.' || quote_ident(t.relname)
                    ELSE quote_ident(n.nspname) || '.' || quote_ident(c.relname) END AS relation,
               c.relkind::text AS kind, g.buffers
        FROM g JOIN pg_class c ON c.relfilenode = g.relfilenode
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_class t ON c.relkind = 't' AND t.reltoastrelid = c.oid
        LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
        WHERE g.reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND coalesce(nullif(c.reltablespace, 0),
                       (SELECT dattablespace FROM pg_database WHERE datname = current_database())) = g.reltablespace
          AND c.relpersistence <> 't'
          AND CASE WHEN c.relkind = 't' THEN tn.nspname NOT IN ('pg_catalog', 'information_schema')
                   ELSE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') END
        ORDER BY g.buffers DESC, relation, kind LIMIT $MAX)
      SELECT s.*, r.relation, r.kind, r.buffers FROM summary s LEFT JOIN relations r ON true"""
      .replace("$MAX", Integer.toString(MAX_RELATIONS));

  private static final String SUMMARY_FUNCTION = """
      SELECT buffers_used::bigint AS buffers_used, buffers_unused::bigint AS buffers_unused,
             buffers_dirty::bigint AS buffers_dirty, buffers_pinned::bigint AS buffers_pinned,
             usagecount_avg::float8 AS usagecount_avg
      FROM {schema}.pg_buffercache_summary()""";

  private static final String SUMMARY_GROUPS = """
      SELECT coalesce(sum(buffers) FILTER (WHERE relfilenode IS NOT NULL), 0)::bigint AS buffers_used,
             coalesce(sum(buffers) FILTER (WHERE relfilenode IS NULL), 0)::bigint AS buffers_unused,
             coalesce(sum(dirty), 0)::bigint AS buffers_dirty, coalesce(sum(pinned), 0)::bigint AS buffers_pinned,
             (sum(usage) FILTER (WHERE relfilenode IS NOT NULL)
               / nullif(sum(buffers) FILTER (WHERE relfilenode IS NOT NULL), 0))::float8 AS usagecount_avg
      FROM g""";

  /** SQL states of an extension that went away, or of a function or view of it that is not there. */
  private static final java.util.Set<String> MISSING = java.util.Set.of("42704", "42883", "42P01");

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

  /**
   * A role that may not execute the extension's functions or use its schema, or an extension gone since it was
   * found: a fix to make, not a failure to back off from.
   */
  @Override
  public Optional<String> unavailableReason(SQLException failure) {
    String message = String.valueOf(failure.getMessage());
    if ("42501".equals(failure.getSQLState())
        && (message.contains("pg_buffercache") || message.contains("permission denied for schema"))) {
      return Optional.of("the role may not read pg_buffercache: grant it pg_monitor, and USAGE on the extension's"
          + " schema");
    }
    if (MISSING.contains(failure.getSQLState()) && message.contains("pg_buffercache")) {
      return Optional.of("the pg_buffercache extension is not there (any more): run CREATE EXTENSION pg_buffercache");
    }
    return Optional.empty();
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    String s = schema;
    if (s == null) {
      s = session.extensionSchema("pg_buffercache");
    }
    schema = null;
    String db = session.server().database();
    boolean summaryFunction = atLeast(session.server().extensions().get("pg_buffercache"), 1, 4);
    String sql = SQL.replace("{summary}", summaryFunction ? SUMMARY_FUNCTION : SUMMARY_GROUPS)
        .replace("{schema}", s);
    BufferCacheSummary[] summary = new BufferCacheSummary[1];
    List<Record> relations = new ArrayList<>();
    session.query(sql, r -> {
      summary[0] = new BufferCacheSummary(r.getLong("buffers_used"), r.getLong("buffers_unused"),
          r.getLong("buffers_dirty"), r.getLong("buffers_pinned"), r.doubleOrNull("usagecount_avg"));
      if (r.stringOrNull("relation") != null) {
        relations.add(new RelationBuffers(db, r.string("relation"), RelationKind.of(r.string("kind")),
            r.getLong("buffers")));
      }
      return null;
    });
    List<Record> out = new ArrayList<>(relations.size() + 1);
    out.add(summary[0]);
    out.addAll(relations);
    schema = s;
    return out;
  }

  /** Whether an extension version ({@code 1.4}) is at least {@code major.minor}; false when unknown. */
  static boolean atLeast(String version, int major, int minor) {
    if (version == null) {
      return false;
    }
    String[] parts = version.split("\\.");
    try {
      int ma = Integer.parseInt(parts[0]);
      int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return ma > major || ma == major && mi >= minor;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
