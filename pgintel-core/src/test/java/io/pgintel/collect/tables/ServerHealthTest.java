package io.pgintel.collect.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.PgIntel;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.Stats;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Tables, indexes, wraparound, maintenance progress and locks against what the server reports. */
class ServerHealthTest {

  private static PgIntel on(PgServer pg, String db, TestTelemetry otel, String... collectors) {
    return TestPgIntel.only(TestPgIntel.builder(pg, otel).dataSource(pg.dataSource(db)), collectors).build();
  }

  private static CollectorStatus status(PgIntel p, String name) {
    return p.status().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  @PgTest
  void tablesAndIndexesMatchWhatTheServerReports(PgServer pg) throws Exception {
    String db = pg.createDatabase("health");
    pg.execute(db, """
        CREATE TABLE items (id int PRIMARY KEY, v text, k int, doc text);
        CREATE INDEX items_v_unused ON items (v);
        INSERT INTO items SELECT g, 'value ' || g, g % 10, NULL FROM generate_series(1, 2000) g;
        UPDATE items SET k = k + 1 WHERE id <= 100;
        UPDATE items SET doc = (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 400) i) WHERE id = 1;
        DELETE FROM items WHERE id > 1950;
        SELECT * FROM items WHERE id = 7""");
    pg.execute(db, "CREATE SCHEMA other; CREATE TABLE other.items (id int, wide text);"
        + " INSERT INTO other.items SELECT g, repeat('w', 500) FROM generate_series(1, 50) g; ANALYZE other.items");
    pg.execute(db, "VACUUM items");
    pg.execute(db, "ANALYZE items");
    pg.execute(db, "UPDATE items SET k = 0 WHERE id <= 3");
    pg.execute(db, "SELECT count(*) FROM items");
    try {
      // fails on the duplicates and leaves an invalid index behind, as a failed concurrent build does
      pg.execute(db, "CREATE UNIQUE INDEX CONCURRENTLY items_k_invalid ON items (k)");
    } catch (java.sql.SQLException expected) {
      // 23505: the duplicate values
    }
    String view = "SELECT %s FROM pg_stat_user_tables WHERE relid = 'public.items'::regclass";
    double vacuums = Stats.settle(pg, db, view.formatted("vacuum_count"), 1);
    Stats.settle(pg, db, view.formatted("seq_scan"), 1);
    Stats.settle(pg, db, view.formatted("n_tup_upd"), 103);
    pg.execute(db, "SET enable_seqscan = off; SELECT * FROM items WHERE id = 7");
    Stats.settle(pg, db, "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'items_pkey'", 1);
    double inserted = Stats.settle(pg, db, view.formatted("n_tup_ins"), 2000);
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = on(pg, db, otel, "tables")) {
      p.collectNow();
      Map<String, Object> items = Map.of("db.namespace", db, "db.collection.name", "public.items");
      assertEquals(inserted, otel.value("postgresql.operations", with(items, "operation", "ins")).orElseThrow());
      assertEquals(Stats.read(pg, db, view.formatted("n_tup_del")),
          otel.value("postgresql.operations", with(items, "operation", "del")).orElseThrow());
      assertEquals(Stats.read(pg, db, view.formatted("n_live_tup")),
          otel.value("postgresql.rows", with(items, "state", "live")).orElseThrow());
      assertEquals(vacuums, otel.value("postgresql.table.vacuum.count", items).orElseThrow());
      assertEquals(Stats.read(pg, db, "SELECT pg_relation_size('items')"),
          otel.value("postgresql.table.size", items).orElseThrow());
      assertEquals(Stats.read(pg, db, "SELECT pg_indexes_size('items')"),
          otel.value("postgresql.table.indexes.size", items).orElseThrow());
      assertEquals(Stats.read(pg, db, "SELECT age(relfrozenxid) FROM pg_class WHERE oid = 'public.items'::regclass"),
          otel.value("postgresql.table.frozen_xid.age", items).orElseThrow(), 5.0);
      // the estimate from this table's own column statistics, and another schema's table of the same name apart
      assertEquals(Stats.read(pg, db, """
          SELECT greatest(0, c.relpages - ceil(c.reltuples * (28 + w.width + ceil(w.columns / 8.0))
                   / (current_setting('block_size')::int - 24)))::bigint * current_setting('block_size')::bigint
          FROM pg_class c, (SELECT sum((1 - null_frac) * avg_width) AS width, count(*) AS columns FROM pg_stats
                            WHERE schemaname = 'public' AND tablename = 'items') w
          WHERE c.oid = 'public.items'::regclass"""), otel.value("postgresql.table.bloat", items).orElseThrow());
      assertTrue(otel.value("postgresql.table.vacuum.age", items).orElseThrow() < 600);
      assertEquals(2.0, otel.value("postgresql.table.count", Map.of("db.namespace", db)).orElseThrow());
      for (String[] column : new String[][] {{"postgresql.sequential_scans", "seq_scan"},
          {"postgresql.table.index_scans", "idx_scan"}, {"postgresql.table.analyze.count", "analyze_count"},
          {"postgresql.table.autovacuum.count", "autovacuum_count"},
          {"postgresql.table.autoanalyze.count", "autoanalyze_count"},
          {"postgresql.table.modifications_since_analyze", "n_mod_since_analyze"},
          {"postgresql.table.sequential_scan.rows", "seq_tup_read"},
          {"postgresql.table.index_scan.rows", "idx_tup_fetch"},
          {"postgresql.table.inserts_since_vacuum", "n_ins_since_vacuum"}}) {
        assertEquals(Stats.read(pg, db, view.formatted(column[1])), otel.value(column[0], items).orElseThrow(),
            column[0]);
      }
      assertEquals(Stats.read(pg, db, view.formatted("n_tup_hot_upd")),
          otel.value("postgresql.operations", with(items, "operation", "hot_upd")).orElseThrow());
      assertEquals(Stats.read(pg, db, view.formatted("n_tup_upd")),
          otel.value("postgresql.operations", with(items, "operation", "upd")).orElseThrow());
      // time spent maintaining the table, from PostgreSQL 18 (ms in the view)
      for (String[] column : new String[][] {{"postgresql.table.vacuum.time", "total_vacuum_time"},
          {"postgresql.table.autovacuum.time", "total_autovacuum_time"},
          {"postgresql.table.analyze.time", "total_analyze_time"},
          {"postgresql.table.autoanalyze.time", "total_autoanalyze_time"}}) {
        if (pg.majorVersion() >= 18) {
          assertEquals(Stats.read(pg, db, view.formatted(column[1])) / 1000, otel.value(column[0], items).orElseThrow(),
              1e-9, column[0]);
        } else {
          assertTrue(otel.points(column[0], items).isEmpty(), column[0] + " before PostgreSQL 18");
        }
      }
      if (pg.majorVersion() >= 18) {
        assertTrue(otel.value("postgresql.table.vacuum.time", items).orElseThrow() > 0, "the test's VACUUM took time");
      }
      if (pg.majorVersion() >= 16) {
        assertEquals(Stats.read(pg, db, view.formatted("n_tup_newpage_upd")),
            otel.value("postgresql.operations", with(items, "operation", "newpage_upd")).orElseThrow());
      } else {
        assertTrue(otel.points("postgresql.operations", with(items, "operation", "newpage_upd")).isEmpty());
      }
      assertEquals(Stats.read(pg, db, view.formatted("n_dead_tup")),
          otel.value("postgresql.rows", with(items, "state", "dead")).orElseThrow());
      double toast = Stats.read(pg, db,
          "SELECT pg_total_relation_size(reltoastrelid) FROM pg_class WHERE oid = 'public.items'::regclass");
      assertTrue(toast > 0);
      assertEquals(toast, otel.value("postgresql.table.toast.size", items).orElseThrow());
      assertTrue(otel.value("postgresql.table.analyze.age", items).orElseThrow() < 600);
      assertEquals(1.0, otel.value("postgresql.index.invalid",
          with(items, "postgresql.index.name", "items_k_invalid")).orElseThrow());
      Map<String, Object> unused = with(items, "postgresql.index.name", "items_v_unused");
      assertEquals(1.0, otel.value("postgresql.index.unused", unused).orElseThrow());
      Map<String, Object> pkey = with(items, "postgresql.index.name", "items_pkey");
      assertTrue(otel.value("postgresql.index.unused", pkey).isEmpty(), "a primary key backs a constraint");
      assertEquals(Stats.read(pg, db, "SELECT pg_relation_size('items_pkey')"),
          otel.value("postgresql.index.size", pkey).orElseThrow());
      String index = "SELECT %s FROM pg_stat_user_indexes WHERE indexrelname = 'items_pkey'";
      assertEquals(Stats.read(pg, db, index.formatted("idx_scan")),
          otel.value("postgresql.index.scans", pkey).orElseThrow());
      assertEquals(Stats.read(pg, db, index.formatted("idx_tup_read")),
          otel.value("postgresql.index.tuples.read", pkey).orElseThrow());
      assertEquals(Stats.read(pg, db, index.formatted("idx_tup_fetch")),
          otel.value("postgresql.index.tuples.fetched", pkey).orElseThrow());
      if (pg.majorVersion() >= 16) {
        double seqScanAge = otel.value("postgresql.table.sequential_scan.age", items).orElseThrow();
        assertTrue(seqScanAge >= 0 && seqScanAge < 600, "scanned by the test: " + seqScanAge);
        double indexScanAge = otel.value("postgresql.index.scan.age", pkey).orElseThrow();
        assertTrue(indexScanAge >= 0 && indexScanAge < 600, "scanned by the test: " + indexScanAge);
      } else {
        assertTrue(otel.value("postgresql.table.sequential_scan.age", items).isEmpty(), "last_seq_scan is 16+");
      }
      assertTrue(otel.value("postgresql.index.scan.age", unused).isEmpty(), "never scanned");
      String indexIo = "SELECT %s FROM pg_statio_user_indexes WHERE indexrelname = 'items_pkey'";
      for (String source : new String[] {"idx_read", "idx_hit"}) {
        assertEquals(Stats.read(pg, db, indexIo.formatted(source.replace("idx_", "idx_blks_"))),
            otel.value("postgresql.index.blocks_read", with(pkey, "source", source)).orElseThrow(), source);
      }
      String tableIo = "SELECT %s FROM pg_statio_user_tables WHERE relid = 'public.items'::regclass";
      double heapHits = 0;
      for (String source : new String[] {"heap_read", "heap_hit", "idx_read", "idx_hit", "toast_read", "toast_hit",
          "tidx_read", "tidx_hit"}) {
        String column = source.replace("_read", "_blks_read").replace("_hit", "_blks_hit");
        double value = otel.value("postgresql.blocks_read", with(items, "source", source)).orElseThrow();
        assertEquals(Stats.read(pg, db, tableIo.formatted(column)), value, source);
        heapHits += source.equals("heap_hit") ? value : 0;
      }
      assertTrue(heapHits > 0, "the table was read");
    }
  }

  /** A partitioned table's sums over its leaf partitions, two levels down, as the server's own views give them. */
  @PgTest
  void partitionedTablesAreSummedOverTheirLeafPartitions(PgServer pg) throws Exception {
    String db = pg.createDatabase("partitioned");
    pg.execute(db, """
        CREATE TABLE events (at date, v int) PARTITION BY RANGE (at);
        CREATE TABLE events_2020 PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')
          PARTITION BY RANGE (at);
        CREATE TABLE events_2020a PARTITION OF events_2020 FOR VALUES FROM ('2020-01-01') TO ('2020-07-01');
        CREATE TABLE events_2020b PARTITION OF events_2020 FOR VALUES FROM ('2020-07-01') TO ('2021-01-01');
        CREATE TABLE events_2021 PARTITION OF events FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
        CREATE TABLE plain (v int);
        INSERT INTO events SELECT date '2020-01-01' + g % 700, g FROM generate_series(1, 20000) g;
        DELETE FROM events WHERE v % 10 = 0""");
    pg.execute(db, "VACUUM (ANALYZE) events");
    String leaves = "SELECT %s FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
        + " WHERE c.relname IN ('events_2020a', 'events_2020b', 'events_2021')";
    double live = Stats.settle(pg, db, leaves.formatted("sum(n_live_tup)"), 18000);
    String deadRows = leaves.formatted("sum(n_dead_tup)");
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = on(pg, db, otel, "tables")) {
      // the VACUUM's report may still reach the view (before 15, up to half a second late): a reading counts when
      // the view did not move while it was made
      double dead = Double.NaN;
      for (int attempt = 0; attempt < 20; attempt++) {
        double before = Stats.read(pg, db, deadRows);
        p.collectNow();
        dead = Stats.read(pg, db, deadRows);
        if (before == dead) {
          break;
        }
        Thread.sleep(250);
      }
      Map<String, Object> events = Map.of("db.namespace", db, "db.collection.name", "public.events");
      assertEquals(3.0, otel.value("postgresql.partitioned_table.partitions", events).orElseThrow());
      assertEquals(live, otel.value("postgresql.partitioned_table.rows", with(events, "state", "live"))
          .orElseThrow());
      assertEquals(dead, otel.value("postgresql.partitioned_table.rows", with(events, "state", "dead")).orElseThrow());
      assertEquals(Stats.read(pg, db, leaves.formatted("sum(c.relpages) * current_setting('block_size')::int")),
          otel.value("postgresql.partitioned_table.size", events).orElseThrow());
      assertTrue(otel.points("postgresql.partitioned_table.partitions", Map.of("db.namespace", db)).size() == 1,
          "the partitioned table only: not its sub-partitioned partition, not a plain table");
      assertEquals(4.0, otel.value("postgresql.table.count", Map.of("db.namespace", db)).orElseThrow(),
          "read in the same round trip: the three leaf partitions and the plain table, on every version (from 14"
              + " the view lists the partitioned tables too)");
    }
  }

  @PgTest
  void sequencesAreMeasuredAgainstTheNarrowerOfTheirBoundsAndTheirColumns(PgServer pg) throws Exception {
    String db = pg.createDatabase("sequences");
    pg.execute(db, """
        CREATE TABLE small (id serial);
        SELECT setval('small_id_seq', 2000000000);
        CREATE TABLE narrow (id int);
        CREATE SEQUENCE narrow_seq AS bigint OWNED BY narrow.id;
        SELECT setval('narrow_seq', 2147483000);
        CREATE SEQUENCE down INCREMENT -1 MINVALUE -100 MAXVALUE -1 START -1;
        SELECT setval('down', -91);
        CREATE SEQUENCE unused;
        CREATE SEQUENCE wheel MAXVALUE 10 CYCLE;
        SELECT setval('wheel', 9);
        CREATE SEQUENCE free_seq AS bigint;
        CREATE DOMAIN key AS int;
        CREATE TABLE free (id key DEFAULT nextval('free_seq'));
        SELECT setval('free_seq', 2147483000);
        CREATE SEQUENCE wide INCREMENT -1 MINVALUE -9223372036854775808 MAXVALUE 1000000 START 1;
        SELECT nextval('wide');
        CREATE SEQUENCE altered AS int;
        SELECT setval('altered', 5)""");
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = on(pg, db, otel, "tables");
        Connection altering = pg.connect(db); Statement alter = altering.createStatement()) {
      // an ALTER SEQUENCE not yet committed: reading that sequence would wait for it
      altering.setAutoCommit(false);
      alter.execute("ALTER SEQUENCE altered RESTART");
      long started = System.nanoTime();
      p.collectNow();
      assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "no wait");
      assertEquals(io.pgintel.collect.CollectorStatus.State.ACTIVE, p.status().stream()
          .filter(st -> st.name().equals("tables")).findFirst().orElseThrow().state(), p.status().toString());
      assertTrue(otel.points("postgresql.sequence.usage", Map.of("postgresql.sequence.name", "public.altered"))
          .isEmpty(), "left alone while altered");
      // a sequence behind a column default, of a domain over int, without OWNED BY
      assertEquals(647.0, otel.value("postgresql.sequence.remaining",
          Map.of("postgresql.sequence.name", "public.free_seq")).orElseThrow());
      assertTrue(otel.points("postgresql.sequence.usage", Map.of("postgresql.sequence.name", "public.wide"))
          .isEmpty(), "a range wider than 2^62 is not used up");
      Map<String, Object> small = Map.of("db.namespace", db, "postgresql.sequence.name", "public.small_id_seq");
      assertEquals((2_000_000_000.0 - 1) / (2_147_483_647.0 - 1),
          otel.value("postgresql.sequence.usage", small).orElseThrow(), 1e-12);
      assertEquals(147_483_647.0, otel.value("postgresql.sequence.remaining", small).orElseThrow());
      // a bigint sequence ends where its int column does
      Map<String, Object> narrow = Map.of("postgresql.sequence.name", "public.narrow_seq");
      assertEquals(647.0, otel.value("postgresql.sequence.remaining", narrow).orElseThrow());
      Map<String, Object> down = Map.of("postgresql.sequence.name", "public.down");
      assertEquals(90.0 / 99, otel.value("postgresql.sequence.usage", down).orElseThrow(), 1e-12);
      assertEquals(9.0, otel.value("postgresql.sequence.remaining", down).orElseThrow());
      assertTrue(otel.points("postgresql.sequence.usage", Map.of("postgresql.sequence.name", "public.unused"))
          .isEmpty(), "never used");
      assertTrue(otel.points("postgresql.sequence.usage", Map.of("postgresql.sequence.name", "public.wheel"))
          .isEmpty(), "a cycling sequence never ends");
    }
  }

  @PgTest
  void autovacuumThresholdsAreTheServersFromTheTablesOwnParametersElseItsSettings(PgServer pg) throws Exception {
    String db = pg.createDatabase("autovac");
    boolean pg18 = pg.majorVersion() >= 18;
    // 18 caps the dead rows a vacuum waits for: the cap (5) is below the threshold (10) here
    pg.execute(db, "CREATE TABLE tuned (id int) WITH (autovacuum_enabled = false, autovacuum_vacuum_threshold = 10,"
        + " autovacuum_vacuum_scale_factor = 0, autovacuum_analyze_threshold = 20,"
        + " autovacuum_analyze_scale_factor = 0, autovacuum_vacuum_insert_threshold = 40,"
        + " autovacuum_vacuum_insert_scale_factor = 0" + (pg18 ? ", autovacuum_vacuum_max_threshold = 5)" : ")"));
    pg.execute(db, "INSERT INTO tuned SELECT g FROM generate_series(1, 100) g; DELETE FROM tuned WHERE id <= 30");
    pg.execute(db, "CREATE TABLE plain (id int) WITH (autovacuum_enabled = false);"
        + " ALTER TABLE plain RESET (autovacuum_enabled);"
        + " INSERT INTO plain SELECT g FROM generate_series(1, 10) g; DELETE FROM plain WHERE id <= 5");
    // frozen by a vacuum, then as many rows again vacuumed without freezing, then 100 more: 18 scales the insert
    // threshold by the share of the table not all-frozen
    // each vacuum after its inserts are counted (PostgreSQL 13's statistics arrive late): else it resets too little
    String frozenInserts = "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'frozen'";
    pg.execute(db, "CREATE TABLE frozen (id int) WITH (autovacuum_enabled = false);"
        + " INSERT INTO frozen SELECT g FROM generate_series(1, 5000) g");
    Stats.settle(pg, db, frozenInserts, 5000);
    pg.execute(db, "VACUUM (FREEZE) frozen");
    pg.execute(db, "INSERT INTO frozen SELECT g FROM generate_series(1, 5000) g");
    Stats.settle(pg, db, frozenInserts, 10000);
    pg.execute(db, "VACUUM frozen");
    pg.execute(db, "INSERT INTO frozen SELECT g FROM generate_series(1, 100) g");
    // the scale factors at work on a table whose row count the server knows
    pg.execute(db, "CREATE TABLE scaled (id int) WITH (autovacuum_enabled = false, autovacuum_vacuum_threshold = 5,"
        + " autovacuum_vacuum_scale_factor = 0.5, autovacuum_analyze_threshold = 5,"
        + " autovacuum_analyze_scale_factor = 0.25, autovacuum_vacuum_insert_threshold = -1);"
        + " INSERT INTO scaled SELECT g FROM generate_series(1, 1000) g");
    // the inserts counted first, as above
    Stats.settle(pg, db, "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'scaled'", 1000);
    pg.execute(db, "VACUUM ANALYZE scaled");
    pg.execute(db, "DELETE FROM scaled WHERE id <= 100");
    // an integer storage parameter as PostgreSQL also takes it, with a fraction: the statement must not fail on it
    pg.execute(db, "CREATE TABLE filled (id int) WITH (fillfactor = 80.0)");
    // a threshold of 0: the first dead row makes the table due
    pg.execute(db, "CREATE TABLE eager (id int) WITH (autovacuum_enabled = false, autovacuum_vacuum_threshold = 0,"
        + " autovacuum_vacuum_scale_factor = 0" + (pg18 ? ", autovacuum_vacuum_max_threshold = -1)" : ")")
        + "; INSERT INTO eager VALUES (1), (2); DELETE FROM eager WHERE id = 1");
    String view = "SELECT %s FROM pg_stat_user_tables WHERE relname = '%s'";
    Stats.settle(pg, db, view.formatted("n_dead_tup", "tuned"), 30);
    Stats.settle(pg, db, view.formatted("n_dead_tup", "plain"), 5);
    Stats.settle(pg, db, view.formatted("n_ins_since_vacuum", "frozen"), 100);
    Stats.settle(pg, db, view.formatted("n_dead_tup", "scaled"), 100);
    Stats.settle(pg, db, view.formatted("n_dead_tup", "eager"), 1);
    double vacuumBase = Stats.read(pg, db, "SELECT current_setting('autovacuum_vacuum_threshold')::float8");
    double analyzeBase = Stats.read(pg, db, "SELECT current_setting('autovacuum_analyze_threshold')::float8");
    double insertBase = Stats.read(pg, db, "SELECT current_setting('autovacuum_vacuum_insert_threshold')::float8");
    double insertScale = Stats.read(pg, db,
        "SELECT current_setting('autovacuum_vacuum_insert_scale_factor')::float8");
    double frozenRows = Stats.read(pg, db, "SELECT reltuples FROM pg_class WHERE relname = 'frozen'");
    double unfrozen = pg18 ? Stats.read(pg, db, "SELECT CASE WHEN relpages > 0 AND relallfrozen > 0"
        + " THEN 1 - least(relallfrozen, relpages)::float8 / relpages ELSE 1 END"
        + " FROM pg_class WHERE relname = 'frozen'") : 1;
    double scaledRows = Stats.read(pg, db, "SELECT reltuples FROM pg_class WHERE relname = 'scaled'");
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = on(pg, db, otel, "tables")) {
      p.collectNow();
      Map<String, Object> tuned = Map.of("db.namespace", db, "db.collection.name", "public.tuned");
      assertEquals(pg18 ? 30 / 5.0 : 30 / 10.0, otel.value("postgresql.table.vacuum.due", tuned).orElseThrow());
      assertEquals(100 / 40.0, otel.value("postgresql.table.insert_vacuum.due", tuned).orElseThrow());
      assertEquals(130 / 20.0, otel.value("postgresql.table.analyze.due", tuned).orElseThrow());
      assertEquals(1.0, otel.value("postgresql.table.autovacuum.disabled", tuned).orElseThrow());
      // never vacuumed nor analyzed: reltuples counts as 0, so the thresholds are the settings' base counts
      Map<String, Object> plain = Map.of("db.namespace", db, "db.collection.name", "public.plain");
      assertEquals(5 / vacuumBase, otel.value("postgresql.table.vacuum.due", plain).orElseThrow(), 1e-9);
      assertEquals(10 / insertBase, otel.value("postgresql.table.insert_vacuum.due", plain).orElseThrow(), 1e-9);
      assertEquals(15 / analyzeBase, otel.value("postgresql.table.analyze.due", plain).orElseThrow(), 1e-9);
      assertTrue(otel.value("postgresql.table.autovacuum.disabled", plain).isEmpty(), "only tables with it off");
      Map<String, Object> frozen = Map.of("db.namespace", db, "db.collection.name", "public.frozen");
      assertEquals(100 / (insertBase + insertScale * frozenRows * unfrozen),
          otel.value("postgresql.table.insert_vacuum.due", frozen).orElseThrow(), 1e-9);
      Map<String, Object> scaled = Map.of("db.namespace", db, "db.collection.name", "public.scaled");
      assertEquals(1000.0, scaledRows);
      assertEquals(100 / (5 + 0.5 * 1000), otel.value("postgresql.table.vacuum.due", scaled).orElseThrow(), 1e-9);
      assertEquals(100 / (5 + 0.25 * 1000), otel.value("postgresql.table.analyze.due", scaled).orElseThrow(), 1e-9);
      assertTrue(otel.value("postgresql.table.insert_vacuum.due", scaled).isEmpty(), "insert vacuums are off");
      assertTrue(otel.value("postgresql.table.vacuum.due", Map.of("db.namespace", db, "db.collection.name",
          "public.filled")).isPresent(), "fillfactor 80.0 read");
      Map<String, Object> eager = Map.of("db.namespace", db, "db.collection.name", "public.eager");
      double due = otel.value("postgresql.table.vacuum.due", eager).orElseThrow();
      assertTrue(due > 1, "one dead row passes a threshold of 0: " + due);
    }
  }

  @PgTest
  void aFreshBTreeHasNoBloatAndOneEmptiedByDeletesHasMost(PgServer pg) throws Exception {
    String db = pg.createDatabase("ibloat");
    pg.execute(db, "CREATE TABLE b (id int, v int, note text);"
        + " INSERT INTO b SELECT g, g, 'n' FROM generate_series(1, 100000) g;"
        + " CREATE INDEX b_v ON b (v); CREATE INDEX b_expr ON b ((v + 1)); CREATE INDEX b_hash ON b USING hash (v)");
    pg.execute(db, "ANALYZE b");
    Map<String, Object> bv = Map.of("db.namespace", db, "postgresql.index.name", "b_v");
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = on(pg, db, otel, "tables")) {
      p.collectNow();
      double size = otel.value("postgresql.index.size", bv).orElseThrow();
      double fresh = otel.value("postgresql.index.bloat", bv).orElseThrow();
      // built at its fill factor: only the inner pages the estimate leaves out
      assertTrue(fresh < 0.05 * size, "fresh index: " + fresh + " of " + size);
      assertTrue(otel.value("postgresql.index.bloat", Map.of("postgresql.index.name", "b_expr")).isEmpty(),
          "an expression has no column statistics to estimate from");
      assertTrue(otel.value("postgresql.index.bloat", Map.of("postgresql.index.name", "b_hash")).isEmpty(),
          "only B-trees are estimated");
    }
    // nine rows in ten gone: a B-tree keeps its pages, mostly empty
    pg.execute(db, "DELETE FROM b WHERE id % 10 <> 0");
    pg.execute(db, "VACUUM ANALYZE b");
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = on(pg, db, otel, "tables")) {
      p.collectNow();
      double size = otel.value("postgresql.index.size", bv).orElseThrow();
      double bloat = otel.value("postgresql.index.bloat", bv).orElseThrow();
      assertTrue(bloat > 0.8 * size && bloat < size, "emptied index: " + bloat + " of " + size);
    }
  }

  @PgTest
  void waitsForARowCountOnTheirTableAndTheEverydayLocksDoNot(PgServer pg) throws Exception {
    String db = pg.createDatabase("rowlocks");
    pg.execute(db, "CREATE TABLE queue (id int PRIMARY KEY, n int); INSERT INTO queue VALUES (1, 0);"
        + " CREATE TABLE busy (id int)");
    ExecutorService bg = Executors.newFixedThreadPool(2);
    try (Connection holder = pg.connect(db); Connection first = pg.connect(db); Connection second = pg.connect(db);
        Statement h = holder.createStatement(); TestTelemetry otel = new TestTelemetry();
        PgIntel p = on(pg, db, otel, "locks")) {
      holder.setAutoCommit(false);
      h.execute("UPDATE queue SET n = n + 1 WHERE id = 1");
      // everyday locks: a write holds ROW EXCLUSIVE on the table all through its transaction
      h.execute("INSERT INTO busy VALUES (1)");
      List<Future<?>> waiting = new java.util.ArrayList<>();
      for (Connection c : List.of(first, second)) {
        waiting.add(bg.submit(() -> {
          try (Statement w = c.createStatement()) {
            w.execute("UPDATE queue SET n = n + 1 WHERE id = 1");
          }
          return null;
        }));
        // the first waits on the holder's transaction ID, holding the row's tuple lock; the second waits for that
        Thread.sleep(300);
      }
      Map<String, Object> rowWait = Map.of("db.collection.name", "public.queue", "lock_type", "tuple",
          "postgresql.lock.granted", false);
      double waits = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (waits == 0 && System.nanoTime() < deadline) {
        p.collectNow();
        waits = otel.value("postgresql.table.locks", rowWait).orElse(0.0);
        Thread.sleep(50);
      }
      assertEquals(1.0, waits, "the second waiter queues for the row");
      assertTrue(otel.value("postgresql.table.locks", Map.of("db.collection.name", "public.queue", "lock_type",
          "tuple", "postgresql.lock.granted", true)).isEmpty(), "the first waiter's granted row lock is no wait");
      assertTrue(otel.points("postgresql.table.locks", Map.of("db.collection.name", "public.busy")).isEmpty(),
          "ROW EXCLUSIVE while writing is no lock of note");
      holder.rollback();
      for (Future<?> w : waiting) {
        w.get();
      }
    } finally {
      bg.shutdownNow();
    }
  }

  @PgTest
  void tableUnderAccessExclusiveLockIsReportedWithoutSizeAndDoesNotBlock(PgServer pg) throws Exception {
    String db = pg.createDatabase("locked");
    pg.execute(db, "CREATE TABLE hot (id int); CREATE TABLE calm (id int); INSERT INTO calm VALUES (1)");
    try (Connection holder = pg.connect(db); Statement s = holder.createStatement();
        TestTelemetry otel = new TestTelemetry(); PgIntel p = on(pg, db, otel, "tables", "locks")) {
      holder.setAutoCommit(false);
      s.execute("LOCK TABLE hot IN ACCESS EXCLUSIVE MODE");
      long start = System.nanoTime();
      p.collectNow();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "took " + took);
      assertNotNull(status(p, "tables").lastSuccess(), String.valueOf(status(p, "tables")));
      assertEquals(1.0, otel.value("postgresql.table.size.skipped", Map.of("db.namespace", db)).orElseThrow());
      assertTrue(otel.value("postgresql.table.size", Map.of("db.collection.name", "public.hot")).isEmpty());
      assertTrue(otel.value("postgresql.table.size", Map.of("db.collection.name", "public.calm")).isPresent());
      assertEquals(1.0, otel.value("postgresql.database.locks", Map.of("db.namespace", db, "lock_type", "relation",
          "mode", "AccessExclusiveLock", "postgresql.lock.granted", true)).orElseThrow());
      assertEquals(1.0, otel.value("postgresql.table.locks", Map.of("db.namespace", db, "db.collection.name",
          "public.hot", "mode", "AccessExclusiveLock", "postgresql.lock.granted", true)).orElseThrow());
      ExecutorService bg = Executors.newSingleThreadExecutor();
      try (Connection waiter = pg.connect(db)) {
        Future<?> waiting = bg.submit(() -> {
          try (Statement w = waiter.createStatement()) {
            w.executeQuery("SELECT count(*) FROM hot").close();
          }
          return null;
        });
        double waits = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (waits == 0 && System.nanoTime() < deadline) {
          Thread.sleep(100);
          p.collectNow();
          waits = otel.value("postgresql.database.locks", Map.of("db.namespace", db, "lock_type", "relation",
              "mode", "AccessShareLock", "postgresql.lock.granted", false)).orElse(0.0);
        }
        assertEquals(1.0, waits, "the waiting reader is counted as not granted");
        assertEquals(1.0, otel.value("postgresql.table.locks", Map.of("db.collection.name", "public.hot", "mode",
            "AccessShareLock", "postgresql.lock.granted", false)).orElseThrow(), "and its wait on the table");
        holder.rollback();
        waiting.get();
      } finally {
        bg.shutdownNow();
      }
    }
  }

  @PgTest
  void wraparoundAgesAndARunningVacuumShowUp(PgServer pg) throws Exception {
    String db = pg.createDatabase("vacuum");
    pg.execute(db, "CREATE TABLE big (id int, pad text); INSERT INTO big SELECT g, repeat('x', 200) FROM"
        + " generate_series(1, 20000) g; DELETE FROM big WHERE id % 2 = 0");
    ExecutorService bg = Executors.newSingleThreadExecutor();
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = on(pg, db, otel, "vacuum");
        Connection vacuuming = pg.connect(db)) {
      String nextXid = "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint";
      double nextBefore = Stats.read(pg, db, nextXid);
      double before = Stats.read(pg, db, "SELECT age(datfrozenxid) FROM pg_database WHERE datname = current_database()");
      p.collectNow();
      double after = Stats.read(pg, db, "SELECT age(datfrozenxid) FROM pg_database WHERE datname = current_database()");
      double nextAfter = Stats.read(pg, db, nextXid);
      double age = otel.value("postgresql.database.frozen_xid.age", Map.of("db.namespace", db)).orElseThrow();
      assertTrue(before <= age && age <= after, age + " not in " + before + ".." + after);
      // the server refuses new transaction IDs this many short of 2^31 - 1
      double kept = pg.majorVersion() >= 14 ? 3_000_000 : 1_000_000;
      assertEquals(2147483647.0 - kept - age,
          otel.value("postgresql.database.wraparound.remaining", Map.of("db.namespace", db)).orElseThrow());
      double next = otel.value("postgresql.transaction.ids", Map.of()).orElseThrow();
      assertTrue(nextBefore <= next && next <= nextAfter, next + " not in " + nextBefore + ".." + nextAfter);
      assertEquals(Stats.read(pg, db, "SELECT current_setting('autovacuum_multixact_freeze_max_age')::bigint"),
          otel.value("postgresql.autovacuum.multixact_freeze_max_age", Map.of("db.namespace", db)).orElseThrow());
      assertEquals(Stats.read(pg, db, "SELECT mxid_age(datminmxid) FROM pg_database WHERE datname = current_database()"),
          otel.value("postgresql.database.frozen_mxid.age", Map.of("db.namespace", db)).orElseThrow());
      assertEquals(Stats.read(pg, db, "SELECT current_setting('autovacuum_freeze_max_age')::bigint"),
          otel.value("postgresql.autovacuum.freeze_max_age", Map.of("db.namespace", db)).orElseThrow());

      // a vacuum slowed down on purpose, so that it is still running when pgintel looks
      try (Statement s = vacuuming.createStatement()) {
        s.execute("SET vacuum_cost_delay = '100ms'; SET vacuum_cost_limit = 1");
      }
      Future<?> vacuum = bg.submit(() -> {
        try (Statement s = vacuuming.createStatement()) {
          s.execute("VACUUM big");
        }
        return null;
      });
      // slowed down as it is, it scans the heap for a minute: its share of the blocks
      Map<String, Object> scanning = Map.of("postgresql.maintenance.kind", "vacuum", "db.collection.name", "big",
          "postgresql.maintenance.phase", "scanning heap", "postgresql.maintenance.started_by", "manual");
      boolean seen = false;
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!seen && System.nanoTime() < deadline) {
        Thread.sleep(200);
        p.collectNow();
        seen = !otel.points("postgresql.maintenance.duration", scanning).isEmpty();
      }
      assertTrue(seen, "the running vacuum was reported");
      double fraction = otel.value("postgresql.maintenance.progress", scanning).orElseThrow();
      assertTrue(fraction >= 0 && fraction < 1, "scanned share " + fraction);
      assertTrue(otel.value("postgresql.maintenance.duration", scanning).orElseThrow() >= 0);
      assertEquals(0.0, otel.value("postgresql.maintenance.index_passes", scanning).orElseThrow(),
          "no pass over the indexes while the heap is scanned the first time");
      double memory = otel.value("postgresql.maintenance.dead_tuple_memory", scanning).orElseThrow();
      assertTrue(memory >= 0 && memory < 1, "dead tuple memory " + memory);
      assertEquals(Stats.read(pg, db, "SELECT current_setting('autovacuum_max_workers')::int"),
          otel.value("postgresql.autovacuum.max_workers", Map.of()).orElseThrow());
      pg.execute("postgres", "SELECT pg_cancel_backend(pid) FROM pg_stat_progress_vacuum WHERE datname = '" + db + "'");
      try {
        vacuum.get();
      } catch (java.util.concurrent.ExecutionException expected) {
        // cancelled above: the test is done with it
      }
    } finally {
      bg.shutdownNow();
    }
  }

  @PgTest
  void ioSlruAndFunctionsFollowTheServer(PgServer pg) throws Exception {
    String db = pg.createDatabase("io");
    pg.execute(db, """
        CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 1000);
        CREATE FUNCTION add_one(i int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN i + 1; END $$""");
    try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
      for (int i = 0; i < 5; i++) {
        s.executeQuery("SELECT add_one(" + i + "), count(*) FROM t").close();
      }
    }
    double calls = Stats.settle(pg, db,
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE funcname = 'add_one'", 5);
    String slruRead = "SELECT sum(blks_zeroed) FROM pg_stat_slru";
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = on(pg, db, otel, "io", "functions")) {
      double before = Stats.read(pg, db, slruRead);
      p.collectNow();
      double after = Stats.read(pg, db, slruRead);
      assertEquals(calls, otel.value("postgresql.function.calls", Map.of("db.namespace", db,
          "function", "public.add_one")).orElseThrow());
      assertEquals(Stats.read(pg, db, "SELECT total_time / 1000 FROM pg_stat_user_functions WHERE funcname = 'add_one'"),
          otel.value("postgresql.function.total_time", Map.of("function", "public.add_one")).orElseThrow(), 1e-9);
      assertEquals(Stats.read(pg, db, "SELECT self_time / 1000 FROM pg_stat_user_functions WHERE funcname = 'add_one'"),
          otel.value("postgresql.function.self_time", Map.of("function", "public.add_one")).orElseThrow(), 1e-9);
      double zeroed = TestTelemetry.sum(otel.collect(), "postgresql.slru.operations",
          Map.of("postgresql.slru.operation", "zeroed"));
      assertTrue(before <= zeroed && zeroed <= after, zeroed + " not in " + before + ".." + after);
      Map<String, Object> hits = Map.of("postgresql.backend_type", "client backend", "postgresql.io.object",
          "relation", "postgresql.io.context", "normal", "postgresql.io.operation", "hit");
      if (pg.majorVersion() >= 16) {
        assertTrue(otel.value("postgresql.io.operations", hits).orElseThrow() > 0, "client backends hit buffers");
        assertTrue(otel.value("postgresql.io.bytes", Map.of("postgresql.io.operation", "read",
            "postgresql.backend_type", "client backend", "postgresql.io.object", "relation",
            "postgresql.io.context", "normal")).isPresent());
      } else {
        assertTrue(otel.points("postgresql.io.operations", Map.of()).isEmpty(), "no pg_stat_io before 16");
      }
    }
  }

  private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
    Map<String, Object> m = new java.util.HashMap<>(base);
    m.put(key, value);
    return m;
  }
}
