package io.pgintel.collect.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.pgintel.PgIntel;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SchemaCollectorTest {

  private static Set<String> told(TestTelemetry otel) {
    List<String> out = new ArrayList<>();
    for (LogRecordData e : otel.events("db.server.schema_change")) {
      out.add(e.getBodyValue().asString());
    }
    Set<String> once = new TreeSet<>(out);
    assertEquals(once.size(), out.size(), "told twice: " + out);
    return once;
  }

  /** What each series of a metric in this database says: its attribute {@code key} mapped to {@code to}. */
  private static Map<String, String> series(TestTelemetry otel, String metric, String db, String key, String to) {
    Map<String, String> out = new TreeMap<>();
    for (PointData p : otel.points(metric, Map.of("db.namespace", db))) {
      String k = p.getAttributes().get(AttributeKey.stringKey(key));
      assertEquals(null, out.put(k, p.getAttributes().get(AttributeKey.stringKey(to))), metric + ": " + k + " twice");
    }
    return out;
  }

  @PgTest
  void foreignKeysWithoutAnIndexRedundantIndexesAndTablesWithoutAPrimaryKeyAreFound(PgServer pg) throws Exception {
    String db = pg.createDatabase("checks");
    pg.execute(db, """
        CREATE TABLE customers (id bigint PRIMARY KEY);
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers, placed date);
        CREATE TABLE items (order_id bigint REFERENCES orders, line int, PRIMARY KEY (order_id, line));
        CREATE TABLE notes (order_id bigint REFERENCES orders, body text);
        CREATE TABLE pairs (a int, b int, c int, UNIQUE (a, b));
        CREATE TABLE refs (x int, y int, FOREIGN KEY (y, x) REFERENCES pairs (a, b));
        CREATE INDEX refs_xy ON refs (x, y);
        CREATE TABLE flagged (order_id bigint REFERENCES orders, open boolean);
        CREATE INDEX flagged_open ON flagged (order_id) WHERE open;
        CREATE INDEX orders_customer ON orders (customer_id);
        CREATE INDEX orders_customer_placed ON orders (customer_id, placed);
        CREATE INDEX orders_customer_again ON orders (customer_id);
        CREATE INDEX orders_placed_desc ON orders (placed DESC);
        CREATE INDEX orders_placed ON orders (placed);
        CREATE INDEX orders_by_id ON orders (id);
        CREATE INDEX pairs_a ON pairs (a) WHERE c > 0;
        CREATE INDEX items_line ON items ((line + 1));
        CREATE INDEX items_line_again ON items ((line + 1));
        CREATE TABLE events (at date, order_id bigint REFERENCES orders) PARTITION BY RANGE (at);
        CREATE TABLE events_2020 PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')
          PARTITION BY RANGE (at);
        CREATE TABLE events_2020a PARTITION OF events_2020 FOR VALUES FROM ('2020-01-01') TO ('2020-07-01');
        CREATE TABLE events_2020b PARTITION OF events_2020 FOR VALUES FROM ('2020-07-01') TO ('2021-01-01');
        CREATE INDEX events_at ON events (at);
        CREATE INDEX events_at_again ON events (at);
        CREATE TABLE visits (at date, order_id bigint) PARTITION BY RANGE (at);
        CREATE TABLE visits_2020 PARTITION OF visits FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
        ALTER TABLE visits_2020 ADD CONSTRAINT visits_2020_order FOREIGN KEY (order_id) REFERENCES orders;
        CREATE TABLE regions (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
        CREATE TABLE regions_a PARTITION OF regions FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
        CREATE TABLE regions_b PARTITION OF regions FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
        CREATE TABLE routes (id int PRIMARY KEY, region_id int, region_at date,
          CONSTRAINT routes_region FOREIGN KEY (region_id, region_at) REFERENCES regions);
        CREATE TABLE coded (id int PRIMARY KEY, code text UNIQUE);
        CREATE TABLE by_code (code text REFERENCES coded (code));
        CREATE INDEX by_code_c ON by_code (code COLLATE "C");
        CREATE TABLE ranged (order_id bigint PRIMARY KEY REFERENCES orders (id) DEFERRABLE,
          customer_id bigint REFERENCES customers);
        CREATE INDEX ranged_brin ON ranged USING brin (customer_id);
        CREATE TABLE hashed (id int PRIMARY KEY, order_id bigint REFERENCES orders);
        CREATE INDEX hashed_order ON hashed USING hash (order_id);
        CREATE TABLE wide (id int PRIMARY KEY, x int, y int);
        CREATE INDEX wide_x ON wide (x);
        CREATE INDEX wide_x_with_y ON wide (x) INCLUDE (y);
        INSERT INTO customers SELECT g FROM generate_series(1, 100) g;
        INSERT INTO orders SELECT g, g % 100 + 1, date '2020-01-01' + g % 300 FROM generate_series(1, 500) g;
        INSERT INTO notes SELECT g % 500 + 1, 'n' FROM generate_series(1, 3000) g;
        INSERT INTO events SELECT date '2020-01-01' + g % 300, g % 500 + 1 FROM generate_series(1, 20000) g;
        -- autovacuum never analyzes a partitioned table: its leaves have the rows
        ANALYZE events_2020a; ANALYZE events_2020b; ANALYZE""");
    if (pg.majorVersion() >= 18) {
      // no trigger checks it: nothing to serve
      pg.execute(db, "CREATE TABLE unenforced (id int PRIMARY KEY, order_id bigint REFERENCES orders NOT ENFORCED)");
    }
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel).dataSource(pg.dataSource(db)), "schema").build()) {
      p.collectNow();
      assertEquals(Map.of("notes_order_id_fkey", "public.orders", "events_order_id_fkey", "public.orders",
          "flagged_order_id_fkey", "public.orders", "visits_2020_order", "public.orders", "by_code_code_fkey",
          "public.coded", "ranged_customer_id_fkey", "public.customers", "routes_region", "public.regions"),
          series(otel, "postgresql.foreign_key.unindexed", db, "postgresql.constraint.name",
              "postgresql.foreign_key.references"),
          "served: by the primary key's leading column, by an index of the same columns in another order, by a hash"
              + " index; not by a partial index, an index of another collation or a BRIN index; a partition's own"
              + " foreign key is checked; a key to a partitioned table once, not once more per partition");
      assertEquals(3000.0, otel.value("postgresql.foreign_key.unindexed",
          Map.of("db.namespace", db, "db.collection.name", "public.notes")).orElseThrow());
      assertEquals(20000.0, otel.value("postgresql.foreign_key.unindexed",
          Map.of("db.namespace", db, "db.collection.name", "public.events")).orElseThrow(),
          "the rows of its leaf partitions, two levels down");

      assertEquals(Map.of("orders_by_id", "orders_pkey", "orders_customer", "orders_customer_placed",
          "orders_customer_again", "orders_customer_placed", "events_at_again", "events_at", "wide_x",
          "wide_x_with_y"),
          series(otel, "postgresql.index.redundant", db, "postgresql.index.name", "postgresql.index.covered_by"),
          "not: another order, the covering index itself, a partial index, expressions; with included columns the"
              + " covering one");
      assertTrue(otel.value("postgresql.index.redundant", Map.of("db.namespace", db, "postgresql.index.name",
          "orders_customer")).orElseThrow() >= 8192, "its size");
      assertTrue(otel.value("postgresql.index.redundant", Map.of("db.namespace", db, "postgresql.index.name",
          "events_at_again")).orElseThrow() >= 2 * 8192, "a partitioned index: its leaves' size");
      assertEquals(7.0, otel.value("postgresql.table.no_primary_key", Map.of("db.namespace", db)).orElseThrow(),
          "notes, pairs (a unique constraint is not one), refs, flagged, events, visits, by_code (partitions left"
              + " out)");

      pg.execute(db, "CREATE INDEX notes_order ON notes (order_id); DROP INDEX orders_customer_placed;"
          + " ALTER TABLE refs ADD PRIMARY KEY (x, y)");
      p.collectNow();
      assertEquals(Set.of("events_order_id_fkey", "flagged_order_id_fkey", "visits_2020_order", "by_code_code_fkey",
          "ranged_customer_id_fkey", "routes_region"), series(otel, "postgresql.foreign_key.unindexed", db,
          "postgresql.constraint.name", "db.namespace").keySet());
      assertEquals(Map.of("orders_by_id", "orders_pkey", "orders_customer_again", "orders_customer", "refs_xy",
          "refs_pkey", "events_at_again", "events_at", "wide_x", "wide_x_with_y"), series(otel,
          "postgresql.index.redundant", db, "postgresql.index.name", "postgresql.index.covered_by"),
          "of two alike, the newer; an index the new primary key repeats");
      assertEquals(6.0, otel.value("postgresql.table.no_primary_key", Map.of("db.namespace", db)).orElseThrow());
    }
  }

  @PgTest
  void tablesAndIndexesCreatedDroppedAlteredAndRenamedAreToldOnceWithoutWaitingForLocks(PgServer pg)
      throws Exception {
    String db = pg.createDatabase("schema");
    pg.execute(db, "CREATE TABLE orders (id int, total int, note varchar(10)); CREATE INDEX orders_total ON orders"
        + " (total); CREATE INDEX orders_note ON orders (note); CREATE INDEX orders_expr ON orders ((total * 2))"
        + " WHERE total > 0; CREATE TABLE old_name (x int); CREATE TABLE locked (x int); CREATE TABLE kept (x int)");
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel).dataSource(pg.dataSource(db)), "schema").build();
        Connection other = pg.connect(db); Statement o = other.createStatement()) {
      p.collectNow();
      assertEquals(Set.of(), told(otel), "the first reading is the baseline");
      assertEquals(7.0, otel.value("postgresql.schema.relations", Map.of("db.namespace", db)).orElseThrow(),
          "4 tables and 3 indexes");

      pg.execute(db, "DROP INDEX orders_total; CREATE INDEX orders_id ON orders (id);"
          + " ALTER TABLE orders ALTER COLUMN note TYPE varchar(20); ALTER TABLE old_name RENAME TO new_name;"
          + " ALTER TABLE kept ADD COLUMN y int; ALTER TABLE kept DROP COLUMN y");
      // rebuilt under a new oid, the same index: by REINDEX, and from its printed definition by a rewrite
      pg.execute(db, "REINDEX INDEX CONCURRENTLY orders_expr");
      pg.execute(db, "ALTER TABLE orders ALTER COLUMN total TYPE int USING total");
      // a migration under way: ACCESS EXCLUSIVE held, its change not committed yet
      other.setAutoCommit(false);
      o.execute("ALTER TABLE locked ADD COLUMN y int");
      long start = System.nanoTime();
      p.collectNow();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "took " + took);
      assertEquals(Set.of("index orders_total dropped on public.orders", "table public.orders altered (its columns)",
          "table public.new_name renamed from public.old_name", "index orders_id created on public.orders"),
          told(otel), "a column added and dropped again is no change; an uncommitted one not yet; a reindex none");
      LogRecordData created = otel.events("db.server.schema_change").stream()
          .filter(e -> e.getBodyValue().asString().startsWith("index orders_id")).findFirst().orElseThrow();
      assertEquals("public.orders", created.getAttributes().get(AttributeKey.stringKey("db.collection.name")));
      assertEquals("orders_id", created.getAttributes().get(AttributeKey.stringKey("postgresql.index.name")));
      assertEquals("created", created.getAttributes().get(AttributeKey.stringKey("postgresql.schema.change")));

      other.commit();
      // a retyped key: its index is rebuilt with another operator class
      pg.execute(db, "ALTER TABLE orders ALTER COLUMN id TYPE bigint; CREATE MATERIALIZED VIEW totals AS"
          + " SELECT sum(total) FROM orders");
      otel.clearEvents();
      p.collectNow();
      assertEquals(Set.of("table public.locked altered (its columns)", "table public.orders altered (its columns)",
          "index orders_id altered (its definition) on public.orders", "materialized view public.totals created"),
          told(otel));
      otel.clearEvents();
      p.collectNow();
      assertEquals(Set.of(), told(otel), "told once");
    }
  }
  @PgTest
  void aTableAttachedAsAPartitionOrDetachedFromOneIsToldSoNotAsDroppedOrCreated(PgServer pg) throws Exception {
    String db = pg.createDatabase("partitions");
    pg.execute(db, "CREATE TABLE events (id int, at date) PARTITION BY RANGE (at); CREATE INDEX events_at ON events"
        + " (at); CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');"
        // loaded on its own, then attached: its index becomes a partition of the parent's
        + " CREATE TABLE events_2026 (id int, at date); CREATE INDEX events_2026_at ON events_2026 (at);"
        // attached without a matching index: the server builds one, a partition's index
        + " CREATE TABLE events_2027 (id int, at date);"
        // a partitioned table attached below another: partitions at two levels
        + " CREATE TABLE events_2028 (id int, at date) PARTITION BY RANGE (at)");
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel).dataSource(pg.dataSource(db)), "schema").build()) {
      p.collectNow();
      assertEquals(Set.of(), told(otel), "the first reading is the baseline");
      double relations = otel.value("postgresql.schema.relations", Map.of("db.namespace", db)).orElseThrow();

      pg.execute(db, "ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO"
          + " ('2027-01-01'); ALTER TABLE events ATTACH PARTITION events_2027 FOR VALUES FROM ('2027-01-01') TO"
          + " ('2028-01-01'); ALTER TABLE events ATTACH PARTITION events_2028 FOR VALUES FROM ('2028-01-01') TO"
          + " ('2029-01-01'); ALTER TABLE events DETACH PARTITION events_2025");
      otel.clearEvents();
      p.collectNow();
      assertEquals(Set.of("table public.events_2026 attached to public.events",
          "table public.events_2027 attached to public.events",
          "partitioned table public.events_2028 attached to public.events",
          "table public.events_2025 detached from public.events"), told(otel),
          "neither dropped nor created, and their indexes go with them unsaid");
      LogRecordData detached = otel.events("db.server.schema_change").stream()
          .filter(e -> e.getBodyValue().asString().contains("detached")).findFirst().orElseThrow();
      assertEquals("public.events_2025", detached.getAttributes().get(AttributeKey.stringKey("db.collection.name")));
      assertEquals("public.events", detached.getAttributes().get(AttributeKey.stringKey("postgresql.partition.parent")));
      assertEquals("detached", detached.getAttributes().get(AttributeKey.stringKey("postgresql.schema.change")));
      assertEquals(relations - 3 - 1 + 1 + 1,
          otel.value("postgresql.schema.relations", Map.of("db.namespace", db)).orElseThrow(),
          "three tables and an index became partitions; a table and its index stopped being ones");

      // now a table of its own: dropped like one; a partition created or dropped is routine
      pg.execute(db, "DROP TABLE events_2025; CREATE TABLE events_2029 PARTITION OF events FOR VALUES FROM"
          + " ('2029-01-01') TO ('2030-01-01'); DROP TABLE events_2027");
      otel.clearEvents();
      p.collectNow();
      assertEquals(Set.of("table public.events_2025 dropped"), told(otel));
    }
  }
}
