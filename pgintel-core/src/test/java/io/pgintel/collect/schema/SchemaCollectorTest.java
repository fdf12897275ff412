package io.pgintel.collect.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
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
}
