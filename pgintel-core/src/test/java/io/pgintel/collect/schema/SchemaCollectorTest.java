package io.pgintel.collect.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.pgintel.PgIntel;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.Stats;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SchemaCollectorTest {

  private static Set<String> told(TestTelemetry otel) {
    Set<String> out = new TreeSet<>();
    for (LogRecordData e : otel.events("db.server.schema_change")) {
      out.add(e.getBodyValue().asString());
    }
    return out;
  }

  @PgTest
  void tablesAndIndexesCreatedDroppedAlteredAndRenamedAreToldOnceWithoutWaitingForLocks(PgServer pg)
      throws Exception {
    String db = pg.createDatabase("schema");
    pg.execute(db, "CREATE TABLE orders (id int, total int); CREATE INDEX orders_total ON orders (total);"
        + " CREATE TABLE old_name (x int); CREATE TABLE locked (x int); CREATE TABLE kept (x int)");
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel).dataSource(pg.dataSource(db)), "schema").build();
        Connection other = pg.connect(db); Statement o = other.createStatement()) {
      p.collectNow();
      assertEquals(Set.of(), told(otel), "the first reading is the baseline");
      assertEquals(Stats.read(pg, db, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE c.relkind IN ('r', 'p', 'm', 'f', 'i', 'I') AND c.relpersistence <> 't'"
          + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'"),
          otel.value("postgresql.schema.relations", Map.of("db.namespace", db)).orElseThrow());

      pg.execute(db, "DROP INDEX orders_total; CREATE INDEX orders_id ON orders (id);"
          + " ALTER TABLE orders ALTER COLUMN total TYPE bigint; ALTER TABLE old_name RENAME TO new_name;"
          + " ALTER TABLE kept ADD COLUMN y int; ALTER TABLE kept DROP COLUMN y");
      // a migration under way: ACCESS EXCLUSIVE held, its change not committed yet
      other.setAutoCommit(false);
      o.execute("ALTER TABLE locked ADD COLUMN y int");
      long start = System.nanoTime();
      p.collectNow();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "took " + took);
      assertEquals(Set.of("index orders_id created on public.orders", "index orders_total dropped on public.orders",
          "table public.new_name renamed from public.old_name", "table public.orders altered (its columns)"),
          told(otel), "a column added and dropped again is no change; an uncommitted one not yet");
      LogRecordData created = otel.events("db.server.schema_change").stream()
          .filter(e -> e.getBodyValue().asString().startsWith("index orders_id")).findFirst().orElseThrow();
      assertEquals("public.orders", created.getAttributes().get(AttributeKey.stringKey("db.collection.name")));
      assertEquals("orders_id", created.getAttributes().get(AttributeKey.stringKey("postgresql.index.name")));
      assertEquals("created", created.getAttributes().get(AttributeKey.stringKey("postgresql.schema.change")));

      other.commit();
      otel.clearEvents();
      p.collectNow();
      assertEquals(Set.of("table public.locked altered (its columns)"), told(otel));
      p.collectNow();
      assertEquals(1, otel.events("db.server.schema_change").size(), "told once");
    }
  }
}
