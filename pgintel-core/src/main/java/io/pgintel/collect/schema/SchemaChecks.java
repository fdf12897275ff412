package io.pgintel.collect.schema;

import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Design checks on the monitored database's tables and indexes, from the catalogs alone (no lock on any of the
 * application's relations), read with each schema reading: foreign keys no index can serve
 * ({@link UnindexedForeignKey}), B-tree indexes another index of the same table makes redundant
 * ({@link RedundantIndex}), and tables without a primary key ({@link TablesWithoutPrimaryKey}). At most
 * {@value #MAX_ROWS} of each kind, the largest first. Partitions, temporary tables and the system schemas are left
 * out, as in the change tracking.
 */
final class SchemaChecks {

  static final int MAX_ROWS = 100;

  /**
   * A foreign key is served by a B-tree or hash index without predicate whose leading key columns are its columns,
   * in any order, each with its column's collation (the lookup cannot use an index of another collation). A
   * partitioned table is served by an index of its own (one created on it reaches every partition); a foreign key
   * declared on a partition itself is checked there, one a partition inherits, or one cloned for each partition
   * of a partitioned table it references, is its parent's; from PostgreSQL 18 keys not enforced and temporal keys
   * (served by GiST) are left out. An index is redundant when its key columns, in order, with
   * their operator classes, collations and sort options, lead another valid B-tree index of the table; neither
   * index partial nor on expressions, the redundant one not unique, without included columns and backing no
   * constraint; of two with the same key columns the one with included columns covers, else the one with the
   * higher OID (usually the newer) is redundant; each is told once, beside the index with the most key columns
   * that covers it. Sizes are {@code relpages} and rows {@code reltuples}, summed over the leaf partitions of a
   * partitioned table or index, not {@code pg_relation_size()}, which would lock the relation.
   */
  static String sql(int major) {
    return SQL.replace("$MAX", Integer.toString(MAX_ROWS))
        // PostgreSQL 18: keys not enforced have no trigger to serve; temporal keys (PERIOD) are served by GiST
        .replace("$ENFORCED", major >= 18 ? "AND k.conenforced AND NOT k.conperiod" : "");
  }

  /** {@code $1} of the leaf partitions of {@code $2} of relkind {@code $3}, summed (pg_inherits, no lock). */
  private static final String LEAVES = """
      (WITH RECURSIVE tree(relid) AS (
         SELECT i.inhrelid FROM pg_inherits i WHERE i.inhparent = $2
         UNION ALL SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.relid)
       SELECT coalesce(sum(greatest(l.$1::float8, 0)), 0) FROM tree JOIN pg_class l ON l.oid = tree.relid
       WHERE l.relkind = '$3')""";

  private static final String SQL = """
      WITH rel AS (
        SELECT c.oid, c.relkind, c.relpages, c.reltuples, c.relispartition,
               quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't'
          AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')),
      fk AS (
        SELECT 'fk'::text AS kind, r.name AS table_name, quote_ident(k.conname) AS name,
               quote_ident(fn.nspname) || '.' || quote_ident(f.relname) AS other,
               CASE WHEN r.relkind = 'p' THEN $TABLE_LEAVES ELSE greatest(r.reltuples::float8, 0) END AS value
        FROM pg_constraint k JOIN rel r ON r.oid = k.conrelid
        JOIN pg_class f ON f.oid = k.confrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace
        WHERE k.contype = 'f' $ENFORCED
          -- a key inherited by a partition, or cloned for each partition of the table it references, is its parent
          AND k.conparentid = 0 AND NOT EXISTS (
          SELECT 1 FROM pg_index x JOIN pg_class xc ON xc.oid = x.indexrelid
          WHERE x.indrelid = k.conrelid AND x.indisvalid AND x.indpred IS NULL
            AND xc.relam IN (SELECT oid FROM pg_am WHERE amname IN ('btree', 'hash'))
            AND x.indnkeyatts >= cardinality(k.conkey)
            AND (x.indkey::int2[])[0:cardinality(k.conkey) - 1] @> k.conkey
            AND (x.indkey::int2[])[0:cardinality(k.conkey) - 1] <@ k.conkey
            AND NOT EXISTS (
              SELECT 1 FROM generate_series(0, cardinality(k.conkey) - 1) p
              JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[p]
              WHERE a.attcollation <> x.indcollation[p]))
        ORDER BY value DESC, r.name, k.conname LIMIT $MAX),
      redundant AS (
        SELECT * FROM (
          SELECT DISTINCT ON (a.indexrelid) 'redundant'::text AS kind, r.name AS table_name,
                 quote_ident(ac.relname) AS name, quote_ident(bc.relname) AS other,
                 (CASE WHEN ac.relkind = 'I' THEN $INDEX_LEAVES ELSE ac.relpages END
                  * current_setting('block_size')::bigint)::float8 AS value
          FROM pg_index a JOIN rel r ON r.oid = a.indrelid AND NOT r.relispartition
          JOIN pg_class ac ON ac.oid = a.indexrelid
          JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
          JOIN pg_class bc ON bc.oid = b.indexrelid
          WHERE ac.relam = bc.relam AND ac.relam = (SELECT oid FROM pg_am WHERE amname = 'btree')
            AND a.indisvalid AND b.indisvalid AND a.indpred IS NULL AND b.indpred IS NULL
            AND a.indexprs IS NULL AND b.indexprs IS NULL
            AND NOT a.indisunique AND a.indnatts = a.indnkeyatts AND a.indnkeyatts <= b.indnkeyatts
            AND (a.indkey::int2[])[0:a.indnkeyatts - 1] = (b.indkey::int2[])[0:a.indnkeyatts - 1]
            AND (a.indclass::oid[])[0:a.indnkeyatts - 1] = (b.indclass::oid[])[0:a.indnkeyatts - 1]
            AND (a.indcollation::oid[])[0:a.indnkeyatts - 1] = (b.indcollation::oid[])[0:a.indnkeyatts - 1]
            AND (a.indoption::int2[])[0:a.indnkeyatts - 1] = (b.indoption::int2[])[0:a.indnkeyatts - 1]
            AND (a.indnkeyatts < b.indnkeyatts OR b.indisunique OR b.indnatts > b.indnkeyatts
                 OR a.indexrelid > b.indexrelid)
            -- NOT IN, a hashed set: pg_constraint has no index on conindid
            AND a.indexrelid NOT IN (SELECT k.conindid FROM pg_constraint k)
          ORDER BY a.indexrelid, b.indnkeyatts DESC, b.indisunique DESC, b.indexrelid) d
        ORDER BY value DESC, table_name, name LIMIT $MAX)
      SELECT * FROM fk
      UNION ALL SELECT * FROM redundant
      UNION ALL SELECT 'no_primary_key', NULL, NULL, NULL, count(*)::float8 FROM rel r
        WHERE NOT r.relispartition
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = r.oid AND k.contype = 'p')"""
      .replace("$TABLE_LEAVES", LEAVES.replace("$1", "reltuples").replace("$2", "r.oid").replace("$3", "r"))
      .replace("$INDEX_LEAVES", LEAVES.replace("$1", "relpages").replace("$2", "ac.oid").replace("$3", "i"));

  private SchemaChecks() {}

  static List<Record> read(SqlSession session, String database) throws SQLException {
    List<Record> out = new ArrayList<>();
    session.query(sql(session.server().major()), r -> {
      double value = r.getDouble("value");
      switch (r.string("kind")) {
        case "fk" -> out.add(new UnindexedForeignKey(database, r.string("table_name"), r.string("name"),
            r.string("other"), (long) value));
        case "redundant" -> out.add(new RedundantIndex(database, r.string("table_name"), r.string("name"),
            r.string("other"), (long) value));
        default -> out.add(new TablesWithoutPrimaryKey(database, (long) value));
      }
      return null;
    });
    return out;
  }
}
