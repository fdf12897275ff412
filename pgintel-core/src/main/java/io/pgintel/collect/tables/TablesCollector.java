package io.pgintel.collect.tables;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.Row;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tables and indexes of the monitored database: {@code pg_stat_user_tables}, {@code pg_stat_user_indexes}, their
 * {@code pg_statio_} block counts, sizes and a bloat estimate, for the {@value #MAX_TABLES} largest and busiest
 * tables; and the sequences nearest their end.
 *
 * <p>{@code pg_relation_size()} and its siblings open the relation with ACCESS SHARE, so they would queue behind
 * an ACCESS EXCLUSIVE lock that is held or merely waited for (a waiting {@code ALTER TABLE} already blocks new
 * readers). Relations with such a lock on themselves or one of their indexes are therefore read without sizes,
 * counted in {@code skipped}, and the rest of the collection goes on. Between that check and the size call a lock
 * can still arrive; then the session's {@code lock_timeout} ends the attempt and the next tick tries again.
 *
 * <p>The bloat estimate needs no extension: from {@code pg_stats} it sums each column's average width (weighted
 * by its non-null fraction) plus the tuple header and item pointer, derives how many pages the live rows need at
 * the table's fill factor, and reports the pages beyond that. It is an estimate (alignment padding and TOAST are
 * approximated) and is null for tables without statistics.
 *
 * <p>The statement reads {@code pg_stat_user_tables} once (a materialized CTE both rankings and the output read)
 * and {@code pg_stats} only for the chosen tables, by name: aggregating the whole view (every column of every
 * catalog table too) took most of the statement's time, and the connection it runs on is the application's.
 */
public final class TablesCollector extends NamedCollector {

  public static final String NAME = "tables";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
  static final int MAX_TABLES = 300;
  static final int MAX_INDEXES = 1000;

  private static final Logger log = LoggerFactory.getLogger(TablesCollector.class);

  /** Relations of this database under an ACCESS EXCLUSIVE lock, granted or waited for. */
  private static final String LOCKED = """
      locked AS (
        SELECT DISTINCT l.relation FROM pg_locks l
        WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock'
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))""";

  /** Since the last scan of a kind, from PostgreSQL 16 on (last_seq_scan, last_idx_scan); null before. */
  private static String scanAge(int major, String column) {
    return major >= 16 ? "extract(epoch FROM clock_timestamp() - " + column + ")::float8" : "NULL::float8";
  }

  static String tablesSql(int major) {
    return TABLES_SQL.replace("$SEQ_SCAN_AGE", scanAge(major, "t.last_seq_scan"))
        .replace("$NEWPAGE_UPD", major >= 16 ? "t.n_tup_newpage_upd" : "NULL::bigint")
        .replace("$MAINTENANCE_TIME", major >= 18
            ? "t.total_vacuum_time / 1000 AS vacuum_seconds, t.total_autovacuum_time / 1000 AS autovacuum_seconds,"
                + " t.total_analyze_time / 1000 AS analyze_seconds,"
                + " t.total_autoanalyze_time / 1000 AS autoanalyze_seconds"
            : "NULL::float8 AS vacuum_seconds, NULL::float8 AS autovacuum_seconds, NULL::float8 AS analyze_seconds,"
                + " NULL::float8 AS autoanalyze_seconds")
        // PostgreSQL 18 caps the dead rows a vacuum waits for, and scales the insert threshold by the share of the
        // table not all-frozen
        .replace("$ALL_FROZEN", major >= 18 ? "c.relallfrozen" : "0")
        .replace("$VACUUM_MAX", major >= 18 ? "current_setting('autovacuum_vacuum_max_threshold')::float8" : "-1");
  }

  static String indexesSql(int major) {
    return INDEXES_SQL.replace("$IDX_SCAN_AGE", scanAge(major, "s.last_idx_scan"));
  }

  private static final String TABLES_SQL = "WITH " + LOCKED + """
      ,
      base AS MATERIALIZED (
        SELECT s.*, c.relpages, c.reltuples, c.reltoastrelid, c.relfrozenxid, c.reloptions,
               $ALL_FROZEN AS relallfrozen
        FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid),
      chosen AS (
        (SELECT relid FROM base ORDER BY relpages DESC LIMIT 200)
        UNION
        (SELECT relid FROM base
         ORDER BY coalesce(seq_scan, 0) + coalesce(idx_scan, 0) + n_tup_ins + n_tup_upd + n_tup_del DESC
         LIMIT 100)),
      t AS (
        SELECT s.*, age(s.relfrozenxid) AS frozen_age, w.width, w.has_nulls, w.columns, o.*,
               (s.relid IN (SELECT relation FROM locked)
                OR EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = s.relid
                           AND i.indexrelid IN (SELECT relation FROM locked))
                OR s.reltoastrelid IN (SELECT relation FROM locked)) AS locked
        FROM base s
        LEFT JOIN LATERAL (
          SELECT sum((1 - st.null_frac) * st.avg_width) AS width, max(st.null_frac) > 0 AS has_nulls,
                 count(*) AS columns
          FROM pg_stats st WHERE st.schemaname = s.schemaname AND st.tablename = s.relname) w ON true
        -- the storage parameters, each else the server's setting, as autovacuum takes them (an integer may be
        -- stored as 80.0, which ::int refuses)
        LEFT JOIN LATERAL (
          SELECT coalesce(round(max(option_value) FILTER (WHERE option_name = 'fillfactor')::float8)::int, 100)
                   AS fillfactor,
                 coalesce(max(option_value) FILTER (WHERE option_name = 'autovacuum_enabled')::boolean, true)
                   AS av_enabled,
                 coalesce(max(option_value) FILTER (WHERE option_name = 'autovacuum_vacuum_threshold')::float8,
                          current_setting('autovacuum_vacuum_threshold')::float8) AS vac_base,
                 coalesce(max(option_value) FILTER (WHERE option_name = 'autovacuum_vacuum_scale_factor')::float8,
                          current_setting('autovacuum_vacuum_scale_factor')::float8) AS vac_scale,
                 coalesce(max(option_value) FILTER (WHERE option_name = 'autovacuum_vacuum_max_threshold')::float8,
                          $VACUUM_MAX) AS vac_max,
                 coalesce(max(option_value) FILTER (WHERE option_name = 'autovacuum_vacuum_insert_threshold')::float8,
                          current_setting('autovacuum_vacuum_insert_threshold')::float8) AS ins_base,
                 coalesce(max(option_value) FILTER (WHERE option_name = 'autovacuum_vacuum_insert_scale_factor')
                            ::float8, current_setting('autovacuum_vacuum_insert_scale_factor')::float8) AS ins_scale,
                 coalesce(max(option_value) FILTER (WHERE option_name = 'autovacuum_analyze_threshold')::float8,
                          current_setting('autovacuum_analyze_threshold')::float8) AS anl_base,
                 coalesce(max(option_value) FILTER (WHERE option_name = 'autovacuum_analyze_scale_factor')::float8,
                          current_setting('autovacuum_analyze_scale_factor')::float8) AS anl_scale
          FROM pg_options_to_table(s.reloptions)) o ON true
        WHERE s.relid IN (SELECT relid FROM chosen))
      SELECT t.relid, quote_ident(t.schemaname) || '.' || quote_ident(t.relname) AS name,
             coalesce(t.seq_scan, 0) AS seq_scan, t.idx_scan, coalesce(t.seq_tup_read, 0) AS seq_tup_read,
             t.idx_tup_fetch, t.n_ins_since_vacuum, $SEQ_SCAN_AGE AS seq_scan_age,
             t.n_tup_ins, t.n_tup_upd, t.n_tup_del, t.n_tup_hot_upd, $NEWPAGE_UPD AS n_tup_newpage_upd,
             t.n_live_tup, t.n_dead_tup, t.n_mod_since_analyze, t.vacuum_count, t.autovacuum_count,
             t.analyze_count, t.autoanalyze_count, $MAINTENANCE_TIME,
             extract(epoch FROM clock_timestamp() - greatest(t.last_vacuum, t.last_autovacuum))::float8 AS vacuum_age,
             extract(epoch FROM clock_timestamp() - greatest(t.last_analyze, t.last_autoanalyze))::float8 AS analyze_age,
             t.frozen_age::bigint AS frozen_age, t.locked,
             CASE WHEN NOT t.locked THEN pg_relation_size(t.relid) END AS table_bytes,
             CASE WHEN NOT t.locked AND t.reltoastrelid <> 0 THEN pg_total_relation_size(t.reltoastrelid) END
               AS toast_bytes,
             CASE WHEN NOT t.locked THEN pg_indexes_size(t.relid) END AS index_bytes,
             CASE WHEN t.width IS NOT NULL AND t.reltuples > 0 THEN
               greatest(0, t.relpages - ceil(t.reltuples * (28 + t.width
                 + CASE WHEN t.has_nulls THEN ceil(t.columns / 8.0) ELSE 0 END)
                 / ((current_setting('block_size')::int - 24) * t.fillfactor / 100.0)))::bigint
                 * current_setting('block_size')::bigint
             END AS bloat_bytes,
             io.heap_blks_read, io.heap_blks_hit, io.idx_blks_read, io.idx_blks_hit, io.toast_blks_read,
             io.toast_blks_hit, io.tidx_blks_read, io.tidx_blks_hit,
             NOT t.av_enabled AS autovacuum_disabled,
             -- autovacuum acts when a count exceeds its threshold; a threshold under 1 (0 and up) is passed by the
             -- first row, which over 0.5 is above 1 as well; a negative maximum (or none, before 18) is no cap
             t.n_dead_tup / greatest(0.5, least(CASE WHEN t.vac_max >= 0 THEN t.vac_max ELSE 'Infinity' END,
               t.vac_base + t.vac_scale * greatest(t.reltuples, 0))) AS vacuum_due,
             CASE WHEN t.ins_base >= 0 THEN
               t.n_ins_since_vacuum / greatest(0.5, t.ins_base + t.ins_scale * greatest(t.reltuples, 0)
                 * CASE WHEN t.relpages > 0 AND t.relallfrozen > 0
                     THEN 1 - least(t.relallfrozen, t.relpages)::float8 / t.relpages ELSE 1 END)
             END AS insert_vacuum_due,
             t.n_mod_since_analyze / greatest(0.5, t.anl_base + t.anl_scale * greatest(t.reltuples, 0))
               AS analyze_due
      FROM t LEFT JOIN LATERAL (SELECT * FROM pg_statio_user_tables io WHERE io.relid = t.relid) io ON true
      ORDER BY t.relpages DESC""";

  private static final String INDEXES_SQL = "WITH " + LOCKED + """
      SELECT quote_ident(s.schemaname) || '.' || quote_ident(s.relname) AS table_name,
             quote_ident(s.indexrelname) AS index_name, s.idx_scan, s.idx_tup_read, s.idx_tup_fetch,
             (s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = s.indexrelid)) AS unused,
             NOT i.indisvalid AS invalid, io.idx_blks_read, io.idx_blks_hit, $IDX_SCAN_AGE AS scan_age,
             CASE WHEN s.indexrelid NOT IN (SELECT relation FROM locked)
                   AND s.relid NOT IN (SELECT relation FROM locked)
                  THEN pg_relation_size(s.indexrelid) END AS bytes,
             b.bloat_bytes
      FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
      LEFT JOIN LATERAL (SELECT * FROM pg_statio_user_indexes io WHERE io.indexrelid = s.indexrelid) io ON true
      LEFT JOIN LATERAL (
        SELECT greatest(0, p.relpages - 1 - ceil(p.reltuples / p.per_page)
                 - CASE WHEN p.reltuples > p.per_page THEN ceil(ceil(p.reltuples / p.per_page) / p.per_page)
                        ELSE 0 END)::bigint * current_setting('block_size')::bigint AS bloat_bytes
        FROM (
          SELECT ic.relpages, ic.reltuples, greatest(1, floor(
                   (current_setting('block_size')::int - 40)
                     * coalesce((SELECT round(option_value::float8)::int FROM pg_options_to_table(ic.reloptions)
                                 WHERE option_name = 'fillfactor'), 90) / 100.0
                   / (8 * ceil(((CASE WHEN max(st.null_frac) > 0 THEN 16 ELSE 8 END) + sum(st.avg_width)) / 8.0)
                      + 4))) AS per_page
          FROM pg_class ic
          CROSS JOIN LATERAL unnest(i.indkey::int2[]) AS k(attnum)
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
          LEFT JOIN pg_stats st ON st.schemaname = s.schemaname AND st.tablename = s.relname
                               AND st.attname = a.attname AND NOT st.inherited
          WHERE ic.oid = s.indexrelid
          GROUP BY ic.relam, ic.reltuples, ic.relpages, ic.reloptions
          HAVING ic.relam = (SELECT oid FROM pg_am WHERE amname = 'btree') AND ic.reltuples > 0
             AND count(st.avg_width) = i.indnatts) p) b ON true
      WHERE s.relid = ANY(?)
      ORDER BY s.idx_scan DESC LIMIT\s""" + MAX_INDEXES;

  static final int MAX_SEQUENCES = 100;

  /**
   * The sequences closest to their end, by the narrower of the sequence's own bounds and those of the integer
   * columns it feeds (by OWNED BY, identity, or a column default calling it; a domain by its base type): a bigint
   * sequence behind an int column ends at 2^31 - 1.
   *
   * <p>Reading a sequence's position ({@code pg_sequence_last_value}) locks it (ROW EXCLUSIVE) until the
   * collection's transaction ends, so few are read, and none another session has locked against that, granted or
   * waited for (ALTER SEQUENCE, LOCK). Read are the {@value #MAX_SEQUENCES} with the narrowest ranges the role may
   * read (among equals those feeding the tables with the most inserts since statistics were reset: a queue table
   * with few rows may have used up most of its keys); ranges too wide to use up in any lifetime (a bigint
   * sequence on a bigint column: 2^62 values and more) and cycling sequences, which never end, are left out.
   * The arithmetic is numeric: a range may be wider than a bigint holds.
   */
  static final String SEQUENCES_SQL = """
      WITH busy AS (
        SELECT DISTINCT l.relation FROM pg_locks l
        WHERE l.locktype = 'relation'
          AND l.mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())),
      candidates AS MATERIALIZED (
        SELECT c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name, s.seqincrement AS step,
               greatest(s.seqmin::numeric, col.lo) AS lo, least(s.seqmax::numeric, col.hi) AS hi,
               count(*) OVER () AS eligible
        FROM pg_sequence s
        JOIN pg_class c ON c.oid = s.seqrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN LATERAL (
          SELECT max(CASE b.typ WHEN 'int2'::regtype THEN -32768 WHEN 'int4'::regtype THEN -2147483648 END)::numeric
                   AS lo,
                 min(CASE b.typ WHEN 'int2'::regtype THEN 32767 WHEN 'int4'::regtype THEN 2147483647 END)::numeric
                   AS hi,
                 max(pg_stat_get_tuples_inserted(tc.oid)) AS inserted
          FROM (
            SELECT a.attrelid, a.atttypid FROM pg_depend d
            JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
              AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
            UNION ALL
            SELECT a.attrelid, a.atttypid FROM pg_depend d
            JOIN pg_attrdef ad ON ad.oid = d.objid
            JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
            WHERE d.classid = 'pg_attrdef'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid)
            fed
          JOIN pg_type t ON t.oid = fed.atttypid
          JOIN pg_class tc ON tc.oid = fed.attrelid
          CROSS JOIN LATERAL (SELECT CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END AS typ) b) col
          ON true
        WHERE NOT s.seqcycle AND c.relpersistence <> 't'
          -- an unlogged sequence cannot be read on a standby (15 and 16 before their late-2024 releases fail)
          AND NOT (c.relpersistence = 'u' AND pg_is_in_recovery())
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND c.oid NOT IN (SELECT relation FROM busy)
          AND has_sequence_privilege(s.seqrelid, 'SELECT,USAGE')
          AND least(s.seqmax::numeric, col.hi) - greatest(s.seqmin::numeric, col.lo) < 2::numeric ^ 62
        ORDER BY least(s.seqmax::numeric, col.hi) - greatest(s.seqmin::numeric, col.lo),
                 col.inserted DESC NULLS LAST
        LIMIT\s""" + MAX_SEQUENCES + """
      ),
      positions AS MATERIALIZED (
        SELECT name, step, lo, hi, eligible, pg_sequence_last_value(oid)::numeric AS last FROM candidates)
      SELECT name, eligible,
             (CASE WHEN step > 0 THEN last - lo ELSE hi - last END / greatest(hi - lo, 1))::float8 AS used,
             least(greatest(floor(CASE WHEN step > 0 THEN hi - last ELSE last - lo END / abs(step)), 0),
                   9223372036854775807)::bigint AS remaining
      FROM positions WHERE last IS NOT NULL
      ORDER BY used DESC""";

  /** Tables with storage: from PostgreSQL 14 the view lists partitioned tables too, which hold no rows. */
  static final String COUNT_SQL = "SELECT count(*) AS tables FROM pg_stat_user_tables s JOIN pg_class c"
      + " ON c.oid = s.relid WHERE c.relkind <> 'p'";

  static final int MAX_PARTITIONED = 100;

  /**
   * Each partitioned table that is no partition itself, summed over its leaf partitions at any depth (pg_inherits,
   * no lock): how many, their live and dead rows, their main forks' size from the catalog ({@code relpages}, as
   * {@code pg_relation_size()} would lock each). The largest {@value #MAX_PARTITIONED}.
   */
  static final String PARTITIONED_SQL = """
      WITH RECURSIVE tree(root, relid) AS (
        SELECT c.oid, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'p' AND NOT c.relispartition AND c.relpersistence <> 't'
          AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
        UNION ALL
        SELECT t.root, i.inhrelid FROM tree t JOIN pg_inherits i ON i.inhparent = t.relid)
      SELECT quote_ident(n.nspname) || '.' || quote_ident(r.relname) AS name,
             count(*) FILTER (WHERE l.relkind = 'r') AS partitions,
             coalesce(sum(s.n_live_tup), 0)::bigint AS live_rows,
             coalesce(sum(s.n_dead_tup), 0)::bigint AS dead_rows,
             coalesce(sum(l.relpages::bigint) FILTER (WHERE l.relkind = 'r'), 0)
               * current_setting('block_size')::bigint AS bytes
      FROM tree t JOIN pg_class l ON l.oid = t.relid JOIN pg_class r ON r.oid = t.root
      JOIN pg_namespace n ON n.oid = r.relnamespace
      LEFT JOIN pg_stat_user_tables s ON s.relid = t.relid AND l.relkind = 'r'
      GROUP BY r.oid, n.nspname, r.relname
      ORDER BY bytes DESC, name LIMIT $MAX""".replace("$MAX", Integer.toString(MAX_PARTITIONED));

  private static final String COUNT_WITH_PARTITIONED = SqlSession.oneWithMany(COUNT_SQL, PARTITIONED_SQL);

  public TablesCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    String db = session.server().database();
    int major = session.server().major();
    List<Chosen> chosen = session.query(tablesSql(major), r -> new Chosen(r.getLong("relid"), table(db, r)));
    List<TableStats> tables = chosen.stream().map(Chosen::stats).toList();
    long[] relids = chosen.stream().mapToLong(Chosen::relid).toArray();
    List<Record> out = new ArrayList<>(tables);
    out.addAll(session.query(indexesSql(major), List.of(relids), r -> new IndexStats(db, r.string("table_name"),
        r.string("index_name"), r.getLong("idx_scan"), r.getLong("idx_tup_read"), r.getLong("idx_tup_fetch"),
        r.getBoolean("unused"), r.getBoolean("invalid"), r.longOrNull("bytes"), r.longOrNull("idx_blks_read"),
        r.longOrNull("idx_blks_hit"), r.doubleOrNull("scan_age"), r.longOrNull("bloat_bytes"))));
    long skipped = tables.stream().filter(TableStats::sizeSkipped).count();
    if (skipped > 0) {
      log.debug("pgintel skipped the size of {} table(s) under an ACCESS EXCLUSIVE lock", skipped);
    }
    long[] eligible = new long[1];
    out.addAll(session.query(SEQUENCES_SQL, r -> {
      eligible[0] = r.getLong("eligible");
      return new SequenceUsage(db, r.string("name"), Math.max(0, Math.min(1.0, r.getDouble("used"))),
          r.getLong("remaining"));
    }));
    long unread = Math.max(0, eligible[0] - MAX_SEQUENCES);
    // the count and the partitioned tables, in one round trip
    SqlSession.OneWithMany<Long, PartitionedTable> counted = session.queryOneWithMany(COUNT_WITH_PARTITIONED,
        "name", r -> r.getLong("tables"), r -> new PartitionedTable(db, r.string("name"), r.getLong("partitions"),
            r.getLong("live_rows"), r.getLong("dead_rows"), r.getLong("bytes")));
    out.addAll(counted.many());
    out.add(new TablesSummary(db, counted.one(), tables.size(), skipped, unread));
    return out;
  }

  private record Chosen(long relid, TableStats stats) {}

  private static TableStats table(String db, Row r) throws SQLException {
    return new TableStats(db, r.string("name"), r.getLong("seq_scan"), r.longOrNull("idx_scan"),
        r.getLong("seq_tup_read"), r.longOrNull("idx_tup_fetch"), r.getLong("n_ins_since_vacuum"),
        r.doubleOrNull("seq_scan_age"),
        r.getLong("n_tup_ins"), r.getLong("n_tup_upd"), r.getLong("n_tup_del"), r.getLong("n_tup_hot_upd"),
        r.longOrNull("n_tup_newpage_upd"), r.getLong("n_live_tup"), r.getLong("n_dead_tup"),
        r.getLong("n_mod_since_analyze"),
        r.getLong("vacuum_count"), r.getLong("autovacuum_count"), r.getLong("analyze_count"),
        r.getLong("autoanalyze_count"), r.doubleOrNull("vacuum_age"), r.doubleOrNull("analyze_age"),
        r.getLong("frozen_age"), r.getBoolean("locked"), r.longOrNull("table_bytes"), r.longOrNull("toast_bytes"),
        r.longOrNull("index_bytes"), r.longOrNull("bloat_bytes"), new TableStats.Blocks(r.longOrNull("heap_blks_read"),
            r.longOrNull("heap_blks_hit"), r.longOrNull("idx_blks_read"), r.longOrNull("idx_blks_hit"),
            r.longOrNull("toast_blks_read"), r.longOrNull("toast_blks_hit"), r.longOrNull("tidx_blks_read"),
            r.longOrNull("tidx_blks_hit")),
        new TableStats.Autovacuum(r.getDouble("vacuum_due"), r.doubleOrNull("insert_vacuum_due"),
            r.getDouble("analyze_due"), r.getBoolean("autovacuum_disabled")),
        new TableStats.MaintenanceTime(r.doubleOrNull("vacuum_seconds"), r.doubleOrNull("autovacuum_seconds"),
            r.doubleOrNull("analyze_seconds"), r.doubleOrNull("autoanalyze_seconds")));
  }
}
