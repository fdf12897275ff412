package io.pgintel.collect.custom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.PgIntel;
import io.pgintel.PgIntelBuilder;
import io.pgintel.Settings;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import io.pgintel.test.Stats;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Custom queries ({@code pgintel.queries.<query>.*}) against a real server: what they report, bound and refuse. */
class CustomQueryTest {

  private static PgServer pg;
  private static String db;

  @BeforeAll
  static void shop() throws Exception {
    pg = PostgresServers.newest();
    db = pg.createDatabase("custom");
    pg.execute(db, """
        CREATE TABLE orders (id int, status text, total numeric, owner text);
        INSERT INTO orders VALUES (1, 'paid', 10.5, 'alice@example.com'), (2, 'paid', 4.5, 'bob@example.com'),
          (3, 'open', 7, 'carol@example.com'), (4, 'void', 1, 'dave@example.com');
        CREATE SEQUENCE ticket""");
  }

  private static PgIntelBuilder builder(TestTelemetry otel) {
    return TestPgIntel.only(TestPgIntel.builder(pg, otel)).dataSource(pg.dataSource(db));
  }

  private static CollectorStatus status(PgIntel p, String name) {
    return p.status().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void columnsBecomeGaugesAndCountersWithTheOtherColumnsAsAttributes() throws Exception {
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = builder(otel)
        .setting("pgintel.queries.orders-by-status.sql",
            "SELECT status, count(*) AS orders, sum(total) AS revenue FROM orders GROUP BY status;")
        .setting("pgintel.queries.orders-by-status.gauges", "orders")
        .setting("pgintel.queries.orders-by-status.counters", "revenue").build()) {
      p.collectNow();
      assertEquals(CollectorStatus.State.ACTIVE, status(p, "query.orders_by_status").state());
      Map<String, Object> paid = Map.of("db.namespace", db, "status", "paid");
      assertEquals(2.0, otel.value("postgresql.custom.orders_by_status.orders", paid).orElseThrow());
      assertEquals(15.0, otel.value("postgresql.custom.orders_by_status.revenue", paid).orElseThrow());
      assertEquals(1.0, otel.value("postgresql.custom.orders_by_status.orders",
          Map.of("status", "void")).orElseThrow());
      assertEquals(3, otel.points("postgresql.custom.orders_by_status.orders", Map.of()).size());
      assertEquals(3.0, otel.value("pgintel.custom.rows", Map.of("pgintel.custom.query", "orders_by_status",
          "pgintel.outcome", "reported")).orElseThrow());
      assertEquals(0.0, otel.value("pgintel.custom.rows", Map.of("pgintel.custom.query", "orders_by_status",
          "pgintel.outcome", "dropped")).orElseThrow());
    }
  }

  @Test
  void rowsBeyondMaxRowsAreDroppedAndCountedAndAttributesAreCheckedForPersonalData() throws Exception {
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = builder(otel)
        .setting("pgintel.queries.owners.sql", "SELECT id, owner, total FROM orders ORDER BY id -- the first three")
        .setting("pgintel.queries.owners.gauges", "total")
        .setting("pgintel.queries.owners.max-rows", 3).build()) {
      p.collectNow();
      assertEquals(3, otel.points("postgresql.custom.owners.total", Map.of()).size());
      assertEquals(1.0, otel.value("pgintel.custom.rows", Map.of("pgintel.custom.query", "owners",
          "pgintel.outcome", "dropped")).orElseThrow());
      String exported = otel.collect().toString();
      assertTrue(!exported.contains("alice@example.com"), "an e-mail address left pgintel: " + exported);
      assertTrue(exported.contains("[REDACTED:email]"), exported);
    }
  }

  @Test
  void aQueryThatWritesOrLacksItsColumnFailsWithTheReasonAndTheRestGoesOn() throws Exception {
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = builder(otel)
        .setting("pgintel.queries.writer.sql", "SELECT nextval('ticket') AS n")
        .setting("pgintel.queries.writer.gauges", "n")
        .setting("pgintel.queries.misnamed.sql", "SELECT count(*) AS orders FROM orders")
        .setting("pgintel.queries.misnamed.gauges", "order_count")
        .setting("pgintel.queries.fine.sql", "SELECT count(*) AS orders FROM orders")
        .setting("pgintel.queries.fine.gauges", "orders").build()) {
      p.collectNow();
      CollectorStatus writer = status(p, "query.writer");
      assertEquals(CollectorStatus.State.BACKING_OFF, writer.state());
      assertTrue(writer.lastError().startsWith("read_only_violation"), writer.lastError());
      CollectorStatus misnamed = status(p, "query.misnamed");
      assertTrue(misnamed.lastError().contains("has no column 'order_count' (its columns: orders)"),
          misnamed.lastError());
      assertEquals(4.0, otel.value("postgresql.custom.fine.orders", Map.of()).orElseThrow());
    }
    assertEquals(0.0, Stats.read(pg, db, "SELECT is_called::int FROM ticket"), "the sequence never moved");
  }

  @Test
  void aTrailingSemicolonAndCommentAJsonbQuestionMarkAndAColumnNamedLikeTheWrappersAreFine() throws Exception {
    pg.execute(db, "CREATE TABLE IF NOT EXISTS docs (d jsonb); INSERT INTO docs VALUES ('{\"a\": 1}'), ('{\"b\": 2}')");
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = builder(otel)
        .setting("pgintel.queries.docs.sql", "SELECT count(*) FILTER (WHERE d ? 'a') AS with_a, "
            + "count(*) FILTER (WHERE d ?| array['a', 'b']) AS with_any, 7 AS pgintel_rows FROM docs; -- ; done")
        .setting("pgintel.queries.docs.gauges", "with_a, with_any").build()) {
      p.collectNow();
      assertEquals(CollectorStatus.State.ACTIVE, status(p, "query.docs").state(), p.status().toString());
      assertEquals(1.0, otel.value("postgresql.custom.docs.with_a", Map.of()).orElseThrow());
      assertEquals(2.0, otel.value("postgresql.custom.docs.with_any", Map.of()).orElseThrow());
      assertEquals(0.0, otel.value("pgintel.custom.rows", Map.of("pgintel.custom.query", "docs",
          "pgintel.outcome", "dropped")).orElseThrow(), "the wrapper's count, not the query's column");
    }
  }

  @Test
  void aFailingQuerysValuesStayOutOfTheStatusAndTheLog() throws Exception {
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = builder(otel)
        .setting("pgintel.queries.cast.sql", "SELECT owner::int AS n FROM orders")
        .setting("pgintel.queries.cast.gauges", "n")
        .setting("pgintel.queries.text.sql", "SELECT owner AS n FROM orders")
        .setting("pgintel.queries.text.gauges", "n").build()) {
      p.collectNow();
      for (String name : List.of("query.cast", "query.text")) {
        CollectorStatus s = status(p, name);
        assertEquals(CollectorStatus.State.BACKING_OFF, s.state());
        assertTrue(!s.lastError().contains("example.com"), "a value of the application's: " + s.lastError());
      }
      assertTrue(status(p, "query.cast").lastError().endsWith("invalid input syntax for type integer"),
          status(p, "query.cast").lastError());
      assertTrue(status(p, "query.text").lastError().contains("column 'n' is not a number"),
          status(p, "query.text").lastError());
    }
  }

  @Test
  void aServerMessageKeepsTheNamesItGivesButNotTheDataItQuotes() {
    assertEquals("ERROR: invalid input syntax for type integer", CustomQueryCollector.withoutValues(
        "ERROR: invalid input syntax for type integer: \"john\"doe@example.com\"\n  Position: 8", "22P02"));
    assertEquals("FEHLER: ungültige Eingabesyntax für Typ integer", CustomQueryCollector.withoutValues(
        "FEHLER: ungültige Eingabesyntax für Typ integer: »alice@example.com«", "22P02"));
    assertEquals("ERROR: value too long for type character varying(3)", CustomQueryCollector.withoutValues(
        "ERROR: value too long for type character varying(3)", "22001"));
    assertEquals("ERROR: column \"nme\" does not exist", CustomQueryCollector.withoutValues(
        "ERROR: column \"nme\" does not exist\n  Hint: Perhaps you meant to reference the column \"name\".",
        "42703"));
    assertEquals("ERROR: something about \"…\"", CustomQueryCollector.withoutValues(
        "ERROR: something about \"secret\"", "XX000"));
  }

  @Test
  void badQueriesFailBuildNamingTheKey() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    List<String[]> cases = List.of(
        new String[] {"pgintel.queries.q.gauges", "n", "pgintel.queries.q.sql: query 'q' has no SQL"},
        new String[] {"pgintel.queries.q.sql", "DELETE FROM orders",
            "pgintel.queries.q.sql: query 'q' is not one complete SELECT (it reads as DELETE)"},
        new String[] {"pgintel.queries.q.sql", "SELECT 'unterminated",
            "pgintel.queries.q.sql: query 'q' is not one complete SELECT (it is cut short)"},
        new String[] {"pgintel.queries.q.sql", "SELECT 1 AS n",
            "pgintel.queries.q.gauges: query 'q' names no column to report"},
        new String[] {"pgintel.queries.q.sql", "SELECT 1 AS n; SELECT 2 AS n",
            "pgintel.queries.q.sql: query 'q' is not one complete SELECT (a second statement follows a semicolon"},
        new String[] {"pgintel.queries.q.sql", "SELECT 1 AS n) x; COMMIT; DELETE FROM orders; SELECT * FROM (SELECT 1",
            "pgintel.queries.q.sql: query 'q' is not one complete SELECT (a second statement follows a semicolon"},
        new String[] {"pgintel.queries.q.sql", "SELECT 1 AS n)",
            "pgintel.queries.q.sql: query 'q' is not one complete SELECT (a second statement follows a semicolon, or"
                + " its parentheses do not match)"},
        new String[] {"pgintel.queries.q.gauges", "pgintel_rows",
            "pgintel.queries.q.gauges: 'pgintel_rows' is the name of pgintel's own count"},
        new String[] {"pgintel.queries.q.interval", "0s", "pgintel.queries.q.interval: 0ms is out of range; allowed from 1s to 24h"},
        new String[] {"pgintel.queries.q.colour", "red", "pgintel.queries.q.colour: unknown query setting"});
    for (String[] c : cases) {
      PgIntelBuilder b = PgIntel.builder().dataSource(ds).setting(c[0], c[1]);
      if (!c[0].endsWith(".sql") && !c[2].contains("has no SQL")) {
        b.setting("pgintel.queries.q.sql", "SELECT 1 AS n");
      }
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build, c[0] + "=" + c[1]);
      assertTrue(e.getMessage().startsWith(c[2]), e.getMessage());
    }
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> PgIntel.builder()
        .dataSource(ds).setting("pgintel.queries.q.sql", "SELECT 1 AS n").setting("pgintel.queries.q.gauges", "n")
        .setting("pgintel.queries.q.counters", "n").build());
    assertTrue(both.getMessage().contains("column 'n' of query 'q' is also a gauge"), both.getMessage());
    IllegalArgumentException column = assertThrows(IllegalArgumentException.class, () -> PgIntel.builder()
        .dataSource(ds).setting("pgintel.queries.q.sql", "SELECT 1 AS n").setting("pgintel.queries.q.gauges",
            "n, \"N\"").build());
    assertTrue(column.getMessage().startsWith("pgintel.queries.q.gauges: '\"N\"' is not a plain lower-case column"),
        column.getMessage());
  }

  @Test
  void theEnvironmentNamesAQueryAsSettingsDoAndTheAgentsWayReportsABadOneAndGoesOn() {
    List<String> problems = new ArrayList<>();
    Settings s = Settings.lenient(Settings.fromEnvironment(Map.of(
        "PGINTEL_QUERIES_ORDERS_BY_STATUS_SQL", "SELECT status, count(*) AS n FROM orders GROUP BY 1",
        "PGINTEL_QUERIES_ORDERS_BY_STATUS_GAUGES", "n",
        "PGINTEL_QUERIES_ORDERS_BY_STATUS_MAX_ROWS", "20",
        "PGINTEL_QUERIES_BROKEN_SQL", "UPDATE orders SET total = 0",
        "PGINTEL_QUERIES_BROKEN_GAUGES", "n")), problems::add);
    assertEquals(1, s.customQueries().size(), s.customQueries().toString());
    CustomQuery q = s.customQueries().get(0);
    assertEquals("orders_by_status", q.name());
    assertEquals(List.of("n"), q.gauges());
    assertEquals(20, q.maxRows());
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("pgintel.queries.broken.sql: query 'broken' is not one complete SELECT"),
        problems.toString());
  }
}
