package io.pgintel.collect.schema;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Changes to the monitored database's tables and indexes ({@link SchemaChange}): created, dropped, altered (columns
 * added, dropped, retyped, made {@code NOT NULL}; an index's columns, operator classes, expressions or predicate)
 * or renamed, so that an index dropped or a column retyped shows beside the queries it slowed down.
 *
 * <p>Read from the catalogs alone ({@code pg_class}, {@code pg_attribute}, {@code pg_index}), which takes no lock
 * on any relation: a table under {@code ACCESS EXCLUSIVE} is read like any other. Each relation is kept as its
 * identity (oid), name and a digest of its definition; the first reading is the baseline and says nothing. At most
 * {@value #MAX_RELATIONS} relations are compared (the oldest by oid); a database with more reports changes among
 * those, and {@link SchemaSummary} counts the rest. Temporary tables, TOAST tables and the system schemas are left
 * out.
 */
public final class SchemaCollector extends NamedCollector {

  public static final String NAME = "schema";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
  static final int MAX_RELATIONS = 20_000;
  /** More changes at once than this (a restore, a migration) are counted, not told one by one. */
  static final int MAX_CHANGES = 100;

  static final String SQL = """
      WITH r AS (
        SELECT c.oid, c.relkind, c.relname, n.nspname, count(*) OVER () AS relations
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'm', 'f', 'i', 'I') AND c.relpersistence <> 't'
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
        ORDER BY c.oid
        LIMIT $MAX)
      SELECT r.oid::bigint AS oid, r.relkind::text AS kind,
             CASE WHEN r.relkind IN ('i', 'I') THEN quote_ident(r.relname)
                  ELSE quote_ident(r.nspname) || '.' || quote_ident(r.relname) END AS name, r.relations,
             CASE WHEN r.relkind IN ('i', 'I') THEN
               (SELECT quote_ident(tn.nspname) || '.' || quote_ident(t.relname)
                FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace
                WHERE x.indexrelid = r.oid)
             END AS table_name,
             CASE WHEN r.relkind IN ('i', 'I') THEN
               (SELECT md5(x.indkey::text || '|' || x.indclass::text || '|' || x.indoption::text || '|'
                           || coalesce(x.indexprs::text, '') || '|' || coalesce(x.indpred::text, '') || '|'
                           || x.indisunique::text)
                FROM pg_index x WHERE x.indexrelid = r.oid)
             ELSE
               (SELECT md5(coalesce(string_agg(a.attname || ' ' || a.atttypid || ' ' || a.atttypmod || ' '
                                               || a.attnotnull, ',' ORDER BY a.attnum), ''))
                FROM pg_attribute a WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped)
             END AS signature
      FROM r""".replace("$MAX", Integer.toString(MAX_RELATIONS));

  /** A relation as last read. */
  private record Known(String name, String kind, String table, String signature) {}

  /** The previous reading, by oid; null before the first. Collections of one collector never overlap. */
  private Map<Long, Known> known;

  public SchemaCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    long[] total = {0};
    List<Row> rows = session.query(SQL, r -> {
      total[0] = r.getLong("relations");
      return new Row(r.getLong("oid"), r.string("kind"), r.string("name"), r.stringOrNull("table_name"),
          r.string("signature"));
    });
    return read(session.server().database(), rows, total[0]);
  }

  /** One row of {@link #SQL}. */
  record Row(long oid, String kind, String name, String table, String signature) {}

  /** The records of one reading, compared with the previous one. */
  List<Record> read(String database, List<Row> rows, long relations) {
    Map<Long, Known> now = new HashMap<>(rows.size() * 2);
    for (Row row : rows) {
      now.put(row.oid(), new Known(row.name(), kind(row.kind()), row.table(), row.signature()));
    }
    List<Record> out = new ArrayList<>();
    Map<Long, Known> before = known;
    known = now;
    List<SchemaChange> changes = new ArrayList<>();
    if (before != null) {
      // a relation beyond the limit this time but not last time (or the other way) is not a change
      long newestCompared = Math.min(maxOid(before), maxOid(now));
      boolean bothWhole = before.size() < MAX_RELATIONS && now.size() < MAX_RELATIONS;
      for (Map.Entry<Long, Known> e : now.entrySet()) {
        Known was = before.get(e.getKey());
        Known is = e.getValue();
        if (was == null) {
          if (bothWhole || e.getKey() <= newestCompared) {
            changes.add(new SchemaChange(database, is.name(), is.kind(), SchemaChange.CREATED, null, is.table()));
          }
        } else if (!was.name().equals(is.name())) {
          changes.add(new SchemaChange(database, is.name(), is.kind(), SchemaChange.RENAMED, was.name(), is.table()));
        } else if (!was.signature().equals(is.signature())) {
          changes.add(new SchemaChange(database, is.name(), is.kind(), SchemaChange.ALTERED, null, is.table()));
        }
      }
      for (Map.Entry<Long, Known> e : before.entrySet()) {
        if (!now.containsKey(e.getKey()) && (bothWhole || e.getKey() <= newestCompared)) {
          Known was = e.getValue();
          changes.add(new SchemaChange(database, was.name(), was.kind(), SchemaChange.DROPPED, null, was.table()));
        }
      }
    }
    changes.sort(java.util.Comparator.comparing(SchemaChange::change).thenComparing(SchemaChange::relation));
    out.add(new SchemaSummary(database, relations, Math.max(0, relations - rows.size()),
        Math.max(0, changes.size() - MAX_CHANGES)));
    out.addAll(changes.size() > MAX_CHANGES ? changes.subList(0, MAX_CHANGES) : changes);
    return out;
  }

  private static long maxOid(Map<Long, Known> relations) {
    long max = 0;
    for (long oid : relations.keySet()) {
      max = Math.max(max, oid);
    }
    return max;
  }

  private static String kind(String relkind) {
    return switch (relkind) {
      case "r" -> "table";
      case "p" -> "partitioned table";
      case "m" -> "materialized view";
      case "f" -> "foreign table";
      default -> "index";
    };
  }
}
