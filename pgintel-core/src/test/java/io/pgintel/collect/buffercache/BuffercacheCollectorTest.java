package io.pgintel.collect.buffercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.PgIntel;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import io.pgintel.test.Stats;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.util.Map;

/** What shared buffers hold, against pg_buffercache's own answers; off by default, unavailable without it. */
class BuffercacheCollectorTest {

  private static String text(PgServer pg, String db, String sql) throws Exception {
    try (java.sql.Connection c = pg.connect(db); java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** pgintel with the buffercache collector alone, reading as {@code role}. */
  private static PgIntel buffercacheAs(PgServer pg, String role, String db, TestTelemetry otel) {
    return TestPgIntel.only(PgIntel.builder().dataSource(pg.dataSourceAs(role, db))
        .openTelemetry(otel.openTelemetry()), "buffercache").collectorEnabled("buffercache", true).build();
  }

  private static CollectorStatus status(PgIntel p) {
    return p.status().stream().filter(s -> s.name().equals("buffercache")).findFirst().orElseThrow();
  }

  @PgTest
  void sharedBuffersAndTheRelationsInThemAreReportedOnceTheExtensionIsThere(PgServer pg) throws Exception {
    String db = pg.createDatabase("buffers");
    pg.execute(db, "CREATE TABLE cached (id int PRIMARY KEY, pad text);"
        + " INSERT INTO cached SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g;"
        + " CREATE TABLE documents (id int, body text); ALTER TABLE documents ALTER COLUMN body SET STORAGE EXTERNAL;"
        + " INSERT INTO documents SELECT g, repeat(md5(g::text), 300) FROM generate_series(1, 50) g");
    pg.execute(db, "VACUUM cached");
    pg.execute(db, "SELECT count(*) FROM cached");
    try (TestTelemetry otel = new TestTelemetry()) {
      try (PgIntel p = TestPgIntel.builder(pg, otel).dataSource(pg.dataSource(db)).build()) {
        assertEquals(CollectorStatus.State.DISABLED, status(p).state(), "off by default");
      }
      try (PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel).dataSource(pg.dataSource(db)), "buffercache")
          .collectorEnabled("buffercache", true).build()) {
        p.collectNow();
        CollectorStatus missing = status(p);
        assertEquals(CollectorStatus.State.UNAVAILABLE, missing.state(), missing.toString());
        assertTrue(missing.detail().contains("CREATE EXTENSION pg_buffercache"), missing.detail());
      }
      // in a schema of its own, not on the search path
      pg.execute(db, "CREATE SCHEMA ext; CREATE EXTENSION pg_buffercache SCHEMA ext");
      try (PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel).dataSource(pg.dataSource(db)), "buffercache")
          .collectorEnabled("buffercache", true).build()) {
        pg.execute(db, "SELECT count(*) FROM cached");
        p.collectNow();
        assertEquals(CollectorStatus.State.ACTIVE, status(p).state(), status(p).toString());
        double all = Stats.read(pg, db, "SELECT setting::bigint FROM pg_settings WHERE name = 'shared_buffers'");
        double used = otel.value("postgresql.buffercache.buffers", Map.of("postgresql.buffercache.state", "used"))
            .orElseThrow();
        double unused = otel.value("postgresql.buffercache.buffers",
            Map.of("postgresql.buffercache.state", "unused")).orElseThrow();
        assertEquals(all, used + unused, "used and unused are all the shared buffers");
        assertTrue(used > 0);
        double average = otel.value("postgresql.buffercache.usage_count.average", Map.of()).orElseThrow();
        assertTrue(average > 0 && average <= 5, "usage count " + average);
        assertTrue(otel.value("postgresql.buffercache.dirty", Map.of()).orElseThrow() <= used);
        assertTrue(otel.value("postgresql.buffercache.pinned", Map.of()).orElseThrow() <= used);
        String forks = "SELECT (pg_relation_size('%1$s', 'main') + pg_relation_size('%1$s', 'fsm')"
            + " + pg_relation_size('%1$s', 'vm')) / current_setting('block_size')::int";
        double pages = Stats.read(pg, db, forks.formatted("cached"));
        assertEquals(pages, otel.value("postgresql.relation.buffers", Map.of("db.namespace", db,
            "postgresql.relation.name", "public.cached", "postgresql.relation.kind", "table")).orElseThrow(),
            "a table just read whole, well within shared_buffers: every page of it, its free space and visibility"
                + " maps too");
        double indexPages = Stats.read(pg, db, forks.formatted("cached_pkey"));
        assertEquals(indexPages, otel.value("postgresql.relation.buffers", Map.of("db.namespace", db,
            "postgresql.relation.name", "public.cached_pkey", "postgresql.relation.kind", "index")).orElseThrow(),
            "its index, written and vacuumed a moment ago");
        String toast = text(pg, db, "SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'documents'");
        double toastPages = Stats.read(pg, db, "SELECT pg_relation_size('" + toast + "', 'main')"
            + " / current_setting('block_size')::int");
        double toastAll = Stats.read(pg, db, forks.formatted(toast));
        assertTrue(toastPages > 0);
        double toastBuffers = otel.value("postgresql.relation.buffers", Map.of("db.namespace", db,
            "postgresql.relation.name", "public.documents", "postgresql.relation.kind", "toast table")).orElseThrow();
        assertTrue(toastPages <= toastBuffers && toastBuffers <= toastAll, "its TOAST data, under the table's name:"
            + " every page just written, and its maps as far as they were read: " + toastPages + " <= "
            + toastBuffers + " <= " + toastAll);
        assertTrue(otel.points("postgresql.relation.buffers", Map.of("db.namespace", db)).stream()
            .noneMatch(pt -> pt.getAttributes().toString().contains("pg_toast")), "no pg_toast names, no catalogs");
        pg.execute(db, "DROP EXTENSION pg_buffercache");
        p.collectNow();
        p.collectNow();
        CollectorStatus gone = status(p);
        assertEquals(CollectorStatus.State.UNAVAILABLE, gone.state(), gone.toString());
        assertTrue(gone.detail().contains("CREATE EXTENSION pg_buffercache"), gone.detail());
      }
    }
  }

  @PgTest
  void aRoleWithoutPgMonitorIsToldToGrantIt(PgServer pg) throws Exception {
    String db = pg.createDatabase("buffersplain");
    pg.execute(db, "CREATE EXTENSION pg_buffercache");
    pg.execute("postgres", "DO $$ BEGIN CREATE ROLE plain_buffers LOGIN; EXCEPTION WHEN duplicate_object THEN NULL;"
        + " END $$");
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = buffercacheAs(pg, "plain_buffers", db, otel)) {
      p.collectNow();
      CollectorStatus s = status(p);
      assertEquals(CollectorStatus.State.UNAVAILABLE, s.state(), s.toString());
      assertTrue(s.detail().contains("pg_monitor"), s.detail());
      assertEquals(0, s.consecutiveFailures(), "not a failure to back off from");
    }
  }

  @PgTest
  void aRoleWithoutUsageOnTheExtensionsSchemaIsToldToGrantIt(PgServer pg) throws Exception {
    String db = pg.createDatabase("buffersschema");
    pg.execute(db, "CREATE SCHEMA ext; CREATE EXTENSION pg_buffercache SCHEMA ext");
    pg.execute("postgres", "DO $$ BEGIN CREATE ROLE monitor_buffers LOGIN IN ROLE pg_monitor;"
        + " EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = buffercacheAs(pg, "monitor_buffers", db, otel)) {
      p.collectNow();
      CollectorStatus s = status(p);
      assertEquals(CollectorStatus.State.UNAVAILABLE, s.state(), s.toString());
      assertTrue(s.detail().contains("USAGE"), s.detail());
      pg.execute(db, "GRANT USAGE ON SCHEMA ext TO monitor_buffers");
    }
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = buffercacheAs(pg, "monitor_buffers", db, otel)) {
      p.collectNow();
      assertEquals(CollectorStatus.State.ACTIVE, status(p).state(), "with USAGE and pg_monitor: " + status(p));
    }
  }

  @org.junit.jupiter.api.Test
  void theSummaryFunctionIsUsedFromExtensionVersion14() {
    assertTrue(BuffercacheCollector.atLeast("1.4", 1, 4));
    assertTrue(BuffercacheCollector.atLeast("1.5", 1, 4));
    assertTrue(BuffercacheCollector.atLeast("2.0", 1, 4));
    assertTrue(!BuffercacheCollector.atLeast("1.3", 1, 4), "a database upgraded without ALTER EXTENSION UPDATE");
    assertTrue(!BuffercacheCollector.atLeast(null, 1, 4));
    assertTrue(!BuffercacheCollector.atLeast("1.4beta", 1, 4), "not a version it can read: the view, always there");
  }
}
