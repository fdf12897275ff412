package io.pgintel.collect.vacuum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The progress statement's choice of measure, phase by phase, on a real server: the four progress views are
 * shadowed by temporary views (found first with {@code pg_temp} ahead of {@code pg_catalog} in the search path)
 * holding one row per phase, since a real command passes its phases too fast, or too slowly, to catch each. A
 * vacuum's rows also give its passes over the indexes and its dead tuple memory, and {@code pg_stat_activity} what
 * started three of them.
 */
class MaintenanceProgressTest {

  @PgTest
  void eachPhaseIsMeasuredByWhatItAdvancesAndAPhaseWithoutAMeasureHasNone(PgServer pg) throws Exception {
    Map<String, Double> fractions = new HashMap<>();
    Map<String, Double> memory = new HashMap<>();
    Map<String, Long> passesByPhase = new HashMap<>();
    Map<Integer, String> startedBy = new HashMap<>();
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute("SET search_path = pg_temp, pg_catalog");
      // dead tuple memory: tuples to 16, bytes from 17
      String dead = pg.majorVersion() >= 17 ? "dead_tuple_bytes, max_dead_tuple_bytes"
          : "num_dead_tuples, max_dead_tuples";
      s.execute("""
          CREATE TEMP VIEW pg_stat_progress_vacuum AS SELECT * FROM (VALUES
            (1, 'scanning heap', 10, 0, 100, 0, 4, 0, 50, 200),
            (2, 'vacuuming indexes', 100, 0, 100, 1, 4, 1, 200, 200),
            (3, 'vacuuming heap', 100, 25, 100, 2, 4, 1, 200, 200),
            (4, 'cleaning up indexes', 100, 100, 100, 3, 4, 2, 20, 200),
            (5, 'truncating heap', 100, 100, 100, 4, 4, 2, 0, 200))
            v(pid, phase, heap_blks_scanned, heap_blks_vacuumed, heap_blks_total, indexes_processed, indexes_total,
              index_vacuum_count, %s)
            CROSS JOIN (SELECT 'postgres'::name AS datname, 'pg_class'::regclass::oid AS relid) d""".formatted(dead));
      s.execute("""
          CREATE TEMP VIEW pg_stat_progress_analyze AS SELECT * FROM (VALUES
            (11, 'acquiring sample rows', 30, 60, 0, 0, 0, 0),
            (12, 'acquiring inherited sample rows', 60, 60, 1, 4, 0, 0),
            (13, 'computing extended statistics', 60, 60, 4, 4, 1, 2),
            (14, 'computing statistics', 60, 60, 4, 4, 0, 2))
            v(pid, phase, sample_blks_scanned, sample_blks_total, child_tables_done, child_tables_total,
              ext_stats_computed, ext_stats_total)
            CROSS JOIN (SELECT 'postgres'::name AS datname, 'pg_class'::regclass::oid AS relid) d""");
      s.execute("""
          CREATE TEMP VIEW pg_stat_progress_create_index AS SELECT * FROM (VALUES
            (21, 'waiting for writers before build', 1, 4, 0, 0, 0, 0),
            (22, 'building index: scanning table', 4, 4, 20, 80, 0, 0),
            (23, 'building index: loading tuples in tree', 4, 4, 0, 0, 90, 100),
            (24, 'waiting for old snapshots', 3, 4, 80, 80, 100, 100),
            (25, 'initializing', 0, 0, 0, 0, 0, 0))
            v(pid, phase, lockers_done, lockers_total, blocks_done, blocks_total, tuples_done, tuples_total)
            CROSS JOIN (SELECT 'postgres'::name AS datname, 'pg_class'::regclass::oid AS relid) d""");
      s.execute("""
          CREATE TEMP VIEW pg_stat_progress_cluster AS SELECT * FROM (VALUES
            (31, 'seq scanning heap', 5, 50),
            (32, 'writing new heap', 50, 50))
            v(pid, phase, heap_blks_scanned, heap_blks_total)
            CROSS JOIN (SELECT 'postgres'::name AS datname, 'pg_class'::regclass::oid AS relid) d""");
      // the sessions of three vacuums: an autovacuum worker's to prevent wraparound, an ordinary one's, a client's
      s.execute("""
          CREATE TEMP VIEW pg_stat_activity AS SELECT * FROM (VALUES
            (1, now(), 'autovacuum worker', 'autovacuum: VACUUM public.orders (to prevent wraparound)'),
            (2, now(), 'autovacuum worker', 'autovacuum: VACUUM ANALYZE public.orders'),
            (3, now(), 'client backend', 'VACUUM (VERBOSE) orders'))
            a(pid, query_start, backend_type, query)""");
      try (ResultSet r = s.executeQuery(VacuumCollector.progressSql(pg.majorVersion()))) {
        while (r.next()) {
          long done = r.getLong("done");
          Long d = r.wasNull() ? null : done;
          long total = r.getLong("total");
          Long t = r.wasNull() ? null : total;
          long passes = r.getLong("index_passes");
          Long n = r.wasNull() ? null : passes;
          long used = r.getLong("dead_used");
          Long u = r.wasNull() ? null : used;
          long max = r.getLong("dead_max");
          Long m = r.wasNull() ? null : max;
          MaintenanceProgress p = new MaintenanceProgress(r.getString("kind"), r.getInt("pid"),
              r.getString("datname"), r.getString("relation"), r.getString("phase"), d, t, null,
              r.getString("started_by"), n, u, m);
          fractions.put(p.kind() + ": " + p.phase(), p.fraction());
          if (p.kind().equals("vacuum")) {
            memory.put(p.phase(), p.deadMemoryShare());
            passesByPhase.put(p.phase(), p.indexPasses());
          } else {
            assertEquals(null, p.deadMemoryShare(), p.kind());
            assertEquals(null, p.indexPasses(), p.kind());
          }
          startedBy.put(p.pid(), p.startedBy());
          assertEquals("pg_class", p.relation());
        }
      }
    }
    boolean indexProgress = pg.majorVersion() >= 17;
    Map<String, Double> expected = new HashMap<>();
    expected.put("vacuum: scanning heap", 0.1);
    expected.put("vacuum: vacuuming indexes", indexProgress ? 0.25 : null);
    expected.put("vacuum: vacuuming heap", 0.25);
    expected.put("vacuum: cleaning up indexes", indexProgress ? 0.75 : null);
    expected.put("vacuum: truncating heap", null);
    expected.put("analyze: acquiring sample rows", 0.5);
    expected.put("analyze: acquiring inherited sample rows", 0.25);
    expected.put("analyze: computing extended statistics", 0.5);
    expected.put("analyze: computing statistics", null);
    expected.put("create_index: waiting for writers before build", 0.25);
    expected.put("create_index: building index: scanning table", 0.25);
    expected.put("create_index: building index: loading tuples in tree", 0.9);
    expected.put("create_index: waiting for old snapshots", 0.75);
    expected.put("create_index: initializing", null);
    expected.put("cluster: seq scanning heap", 0.1);
    expected.put("cluster: writing new heap", null);
    assertEquals(expected, fractions);
    assertEquals("wraparound", startedBy.get(1));
    assertEquals("autovacuum", startedBy.get(2));
    assertEquals("manual", startedBy.get(3));
    assertEquals(null, startedBy.get(4), "no session to tell");
    assertEquals(Map.of("scanning heap", 0.25, "vacuuming indexes", 1.0, "vacuuming heap", 1.0,
        "cleaning up indexes", 0.1, "truncating heap", 0.0), memory);
    assertEquals(Map.of("scanning heap", 0L, "vacuuming indexes", 1L, "vacuuming heap", 1L,
        "cleaning up indexes", 2L, "truncating heap", 2L), passesByPhase);
  }
}
