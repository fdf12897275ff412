package io.pgintel.collect.schema;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.RelationKind;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Changes to the monitored database's tables and indexes ({@link SchemaChange}): created, dropped, altered (columns
 * added, dropped, retyped, made {@code NOT NULL}, given another collation, identity or generation; an index's
 * columns, operator classes, collations, expressions, predicate, uniqueness), renamed, or a table attached as a
 * partition or detached from one, so that an index dropped or a column retyped shows beside the queries it slowed
 * down.
 *
 * <p>Read from the catalogs alone ({@code pg_class}, {@code pg_attribute}, {@code pg_index}), which takes no lock
 * on any table or index of the application: a table under {@code ACCESS EXCLUSIVE} is read like any other. Each
 * relation is kept as its identity (oid), name and a 64-bit hash of its definition; the first reading is the
 * baseline and says nothing. An index rebuilt under a new identity with its name and table ({@code REINDEX
 * CONCURRENTLY}, a column retyped) is the same index, altered only if its definition changed; the indexes of a
 * table created or dropped go with it unsaid; an index being built concurrently counts once it is valid. At most
 * {@value #MAX_RELATIONS} relations are compared (the oldest by oid, {@link SchemaSummary} counts the rest) and
 * {@value #MAX_CHANGES} changes told a reading, drops first; when most of the relations known are gone at once
 * (another server behind the DataSource, a restore), the reading is a new baseline, counted but not told. Partitions
 * and their indexes (created and dropped as routine), temporary tables and the system schemas are left out; the
 * reading also lists the partitions themselves (at most {@value #MAX_RELATIONS}, the oldest by oid, with their
 * parents), so that a table that becomes one ({@code ATTACH PARTITION}) or stops being one ({@code DETACH
 * PARTITION}) is told as such, its indexes going with it unsaid, not as dropped or created.
 *
 * <p>Each reading also runs the {@link SchemaChecks}: unindexed foreign keys, redundant indexes, tables without a
 * primary key.
 */
public final class SchemaCollector extends NamedCollector {

  public static final String NAME = "schema";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
  static final int MAX_RELATIONS = 20_000;
  /** More changes at once than this (a restore, a migration) are counted, not told one by one. */
  static final int MAX_CHANGES = 100;

  /**
   * Node trees may print where their text was parsed, and a tree read back prints -1 there: positions are left out
   * of what is compared.
   */
  private static final String WITHOUT_LOCATIONS = "regexp_replace(coalesce(x.$1::text, ''), ' :location -?[0-9]+', '',"
      + " 'g')";

  static String sql(int major) {
    return SQL.replace("$INDEXPRS", WITHOUT_LOCATIONS.replace("$1", "indexprs"))
        .replace("$INDPRED", WITHOUT_LOCATIONS.replace("$1", "indpred"))
        .replace("$NULLS", major >= 15 ? "x.indnullsnotdistinct::text" : "''")
        .replace("$MAX", Integer.toString(MAX_RELATIONS));
  }

  private static final String SQL = """
      WITH r AS (
        SELECT c.oid, c.relkind, c.relname, n.nspname, count(*) OVER () AS relations
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_index x ON x.indexrelid = c.oid
        WHERE c.relkind IN ('r', 'p', 'm', 'f', 'i', 'I') AND c.relpersistence <> 't' AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
          AND (x.indexrelid IS NULL OR x.indisvalid)
        ORDER BY c.oid
        LIMIT $MAX),
      p AS (
        SELECT c.oid, quote_ident(pn.nspname) || '.' || quote_ident(pc.relname) AS parent
        FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
        JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
        WHERE c.relkind IN ('r', 'p', 'f') AND c.relpersistence <> 't' AND c.relispartition
        ORDER BY c.oid
        LIMIT $MAX)
      SELECT r.oid::bigint AS oid, r.relkind::text AS kind,
             CASE WHEN r.relkind IN ('i', 'I') THEN quote_ident(r.relname)
                  ELSE quote_ident(r.nspname) || '.' || quote_ident(r.relname) END AS name, r.relations,
             quote_ident(tn.nspname) || '.' || quote_ident(t.relname) AS table_name,
             CASE WHEN x.indexrelid IS NOT NULL THEN
               hashtextextended(x.indkey::text || '|' || x.indclass::text || '|' || x.indoption::text || '|'
                                || x.indcollation::text || '|' || $INDEXPRS || '|' || $INDPRED || '|'
                                || x.indisunique::text || x.indisprimary::text || x.indimmediate::text || $NULLS, 0)
             ELSE
               (SELECT hashtextextended(coalesce(string_agg(a.attname || ' ' || a.atttypid || ' ' || a.atttypmod
                                                            || ' ' || a.attnotnull || ' ' || a.attcollation || ' '
                                                            || a.attidentity::text || a.attgenerated::text, ','
                                                            ORDER BY a.attnum), ''), 0)
                FROM pg_attribute a WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped)
             END AS signature, NULL AS partition_of
      FROM r
      LEFT JOIN pg_index x ON x.indexrelid = r.oid
      LEFT JOIN pg_class t ON t.oid = x.indrelid
      LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
      UNION ALL
      SELECT p.oid::bigint, NULL, NULL, NULL, NULL, NULL, p.parent FROM p""";

  /** A relation as last read. */
  private record Known(String name, String kind, String table, long signature) {}

  /** The previous reading, by oid; null before the first. Collections of one collector never overlap. */
  private Map<Long, Known> known;
  /** The partitions of the previous reading: each one's parent by its oid. */
  private Map<Long, String> knownPartitions = Map.of();

  public SchemaCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public void reset() {
    known = null;
    knownPartitions = Map.of();
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    long[] total = {0};
    List<Row> rows = session.query(sql(session.server().major()), r -> {
      String parent = r.stringOrNull("partition_of");
      if (parent != null) {
        return Row.partition(r.getLong("oid"), parent);
      }
      total[0] = r.getLong("relations");
      return new Row(r.getLong("oid"), r.string("kind"), r.string("name"), r.stringOrNull("table_name"),
          r.getLong("signature"));
    });
    String database = session.server().database();
    // before the comparison, which moves the baseline on: a failed check must not lose this reading's changes
    List<Record> checks = SchemaChecks.read(session, database);
    List<Record> out = read(database, rows, total[0]);
    out.addAll(checks);
    return out;
  }

  /**
   * One row of the query: a relation compared for changes, or a partition ({@code partitionOf} its parent, the
   * other fields empty: what it is comes from the reading where it was not one).
   */
  record Row(long oid, String kind, String name, String table, long signature, String partitionOf) {

    Row(long oid, String kind, String name, String table, long signature) {
      this(oid, kind, name, table, signature, null);
    }

    static Row partition(long oid, String parent) {
      return new Row(oid, null, null, null, 0, parent);
    }
  }

  /** The records of one reading, compared with the previous one. */
  List<Record> read(String database, List<Row> rows, long relations) {
    Map<Long, Known> now = new HashMap<>(rows.size() * 2);
    Map<Long, String> partitions = new HashMap<>();
    for (Row row : rows) {
      if (row.partitionOf() != null) {
        partitions.put(row.oid(), row.partitionOf());
      } else {
        now.put(row.oid(), new Known(row.name(), RelationKind.of(row.kind()), row.table(), row.signature()));
      }
    }
    Map<Long, Known> before = known;
    Map<Long, String> partitionsBefore = knownPartitions;
    known = now;
    knownPartitions = partitions;
    List<Record> out = new ArrayList<>();
    List<SchemaChange> changes = before == null ? List.of()
        : changes(database, before, now, partitionsBefore, partitions);
    long vanished = before == null ? 0 : before.keySet().stream()
        .filter(oid -> !now.containsKey(oid) && !partitions.containsKey(oid)).count();
    boolean anotherSchema = before != null && before.size() >= 20 && vanished > before.size() / 2;
    int told = anotherSchema ? 0 : Math.min(changes.size(), MAX_CHANGES);
    out.add(new SchemaSummary(database, relations, Math.max(0, relations - now.size()), changes.size() - told));
    out.addAll(changes.subList(0, told));
    return out;
  }

  /**
   * Created, dropped, altered, renamed, attached and detached relations, drops first, then by name. A relation that
   * left the reading as a partition was attached; one that joined it from the partitions was detached.
   */
  private static List<SchemaChange> changes(String database, Map<Long, Known> before, Map<Long, Known> now,
      Map<Long, String> partitionsBefore, Map<Long, String> partitionsNow) {
    // beyond the limit a relation may slide into or out of the window without being created or dropped
    long lastBefore = before.size() < MAX_RELATIONS ? Long.MAX_VALUE : maxOid(before);
    long lastNow = now.size() < MAX_RELATIONS ? Long.MAX_VALUE : maxOid(now);
    Map<String, Known> created = new HashMap<>();
    Map<String, Known> gone = new HashMap<>();
    List<SchemaChange> changes = new ArrayList<>();
    // tables that became partitions, or stopped being ones: their indexes did as well, unsaid
    Set<String> moved = new HashSet<>();
    now.forEach((oid, is) -> {
      Known was = before.get(oid);
      String parent = partitionsBefore.get(oid);
      if (was == null && parent != null) {
        moved.add(is.name());
        changes.add(new SchemaChange(database, is.name(), is.kind(), SchemaChange.DETACHED, null, null, parent));
      } else if (was == null) {
        if (oid <= lastBefore) {
          created.put(key(is), is);
        }
      } else if (!was.name().equals(is.name())) {
        changes.add(new SchemaChange(database, is.name(), is.kind(), SchemaChange.RENAMED, was.name(), is.table()));
      } else if (was.signature() != is.signature()) {
        changes.add(new SchemaChange(database, is.name(), is.kind(), SchemaChange.ALTERED, null, is.table()));
      }
    });
    before.forEach((oid, was) -> {
      String parent = partitionsNow.get(oid);
      if (!now.containsKey(oid) && parent != null) {
        moved.add(was.name());
        changes.add(new SchemaChange(database, was.name(), was.kind(), SchemaChange.ATTACHED, null, null, parent));
      } else if (!now.containsKey(oid) && oid <= lastNow) {
        gone.put(key(was), was);
      }
    });
    // an index rebuilt under a new oid with its name and table is the same index
    for (String k : new ArrayList<>(created.keySet())) {
      Known is = created.get(k);
      Known was = gone.get(k);
      if (was != null && is.table() != null && was.kind().equals(is.kind())) {
        created.remove(k);
        gone.remove(k);
        if (was.signature() != is.signature()) {
          changes.add(new SchemaChange(database, is.name(), is.kind(), SchemaChange.ALTERED, null, is.table()));
        }
      }
    }
    Set<String> tablesCome = new HashSet<>();
    created.values().forEach(k -> tablesCome.add(k.name()));
    Set<String> tablesGone = new HashSet<>();
    gone.values().forEach(k -> tablesGone.add(k.name()));
    for (Known is : created.values()) {
      // the indexes of a table created with it go unsaid
      if (is.table() == null || !tablesCome.contains(is.table()) && !moved.contains(is.table())) {
        changes.add(new SchemaChange(database, is.name(), is.kind(), SchemaChange.CREATED, null, is.table()));
      }
    }
    for (Known was : gone.values()) {
      if (was.table() == null || !tablesGone.contains(was.table()) && !moved.contains(was.table())) {
        changes.add(new SchemaChange(database, was.name(), was.kind(), SchemaChange.DROPPED, null, was.table()));
      }
    }
    changes.sort(Comparator.comparingInt(SchemaCollector::rank).thenComparing(SchemaChange::relation)
        .thenComparing(c -> c.table() == null ? "" : c.table()));
    return changes;
  }

  /** Drops first: a dropped index is what most often slows queries down. */
  private static int rank(SchemaChange c) {
    return switch (c.change()) {
      case SchemaChange.DROPPED -> 0;
      case SchemaChange.ALTERED -> 1;
      case SchemaChange.RENAMED -> 2;
      default -> 3;
    };
  }

  /** What names a relation across a rebuild: an index by its table and name, anything else by its name. */
  private static String key(Known k) {
    return k.kind() + " " + k.name() + (k.table() == null ? "" : " on " + k.table());
  }

  private static long maxOid(Map<Long, Known> relations) {
    long max = 0;
    for (long oid : relations.keySet()) {
      max = Math.max(max, oid);
    }
    return max;
  }
}
