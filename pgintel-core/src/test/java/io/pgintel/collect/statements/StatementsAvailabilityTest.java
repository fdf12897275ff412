package io.pgintel.collect.statements;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.OpenTelemetry;
import io.pgintel.PgIntel;
import io.pgintel.Settings;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.collect.ServerInfo;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class StatementsAvailabilityTest {

  private static StatementsCollector collector() {
    try (PgIntel p = PgIntel.builder().dataSource(new PGSimpleDataSource()).openTelemetry(OpenTelemetry.noop())
        .build()) {
      Settings settings = p.settings();
      return new StatementsCollector(settings, null);
    }
  }

  private static ServerInfo server(Set<String> preload, Map<String, String> extensions) {
    return new ServerInfo(170004, "17.4", "db.example", 5432, "shop", false, false, true, extensions, preload, false);
  }

  @Test
  void notPreloadedSaysToAddItAndRestart() {
    Optional<String> reason = collector().unavailableReason(server(Set.of("auto_explain"),
        Map.of("pg_stat_statements", "1.11")));
    assertTrue(reason.orElseThrow().contains("shared_preload_libraries"), reason.toString());
    assertTrue(reason.orElseThrow().contains("restart"), reason.toString());
  }

  @Test
  void extensionNotCreatedSaysWhereToCreateIt() {
    Optional<String> reason = collector().unavailableReason(server(Set.of("pg_stat_statements"), Map.of()));
    assertTrue(reason.orElseThrow().contains("CREATE EXTENSION pg_stat_statements"), reason.toString());
    assertTrue(reason.orElseThrow().contains("'shop'"), reason.toString());
  }

  @Test
  void anExtensionDroppedAndCreatedInAnotherSchemaWhileRunningIsFoundAgainAtTheNextAttempt() throws Exception {
    PgServer pg = PostgresServers.newest();
    String db = pg.createDatabase("moved");
    try (TestTelemetry otel = new TestTelemetry(); PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel),
        "statements").dataSource(pg.dataSource(db)).build()) {
      p.collectNow();
      assertEquals(CollectorStatus.State.ACTIVE, statements(p).state(), statements(p).toString());
      pg.execute(db, "DROP EXTENSION pg_stat_statements");
      p.collectNow();
      p.collectNow();
      CollectorStatus dropped = statements(p);
      assertEquals(CollectorStatus.State.UNAVAILABLE, dropped.state(), dropped.toString());
      assertTrue(dropped.detail().contains("CREATE EXTENSION pg_stat_statements"), dropped.detail());
      pg.execute(db, "CREATE SCHEMA ext; CREATE EXTENSION pg_stat_statements SCHEMA ext");
      p.collectNow();
      assertEquals(CollectorStatus.State.ACTIVE, statements(p).state(), statements(p).toString());
    }
  }

  @Test
  void learningTheServerAgainKeepsTheStatementsBaselineSoNoIntervalIsLost() throws Exception {
    PgServer pg = PostgresServers.newest();
    String db = pg.createDatabase("relearn");
    pg.execute(db, "CREATE TABLE relearned_items (id int)");
    // a query of a missing table makes pgintel learn the server again after each collection; it runs after
    // statements, whose interval is shorter
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel), "statements").dataSource(pg.dataSource(db))
            .setting("pgintel.queries.missing.sql", "SELECT count(*) AS n FROM no_such_table")
            .setting("pgintel.queries.missing.gauges", "n").build()) {
      p.collectNow();
      assertTrue(otel.events("db.server.top_query").isEmpty(), "the first collection is only a baseline");
      try (java.sql.Connection c = pg.connect(db); java.sql.Statement s = c.createStatement()) {
        for (int i = 0; i < 5; i++) {
          s.executeQuery("SELECT count(*) FROM relearned_items").close();
        }
      }
      p.collectNow();
      long calls = otel.events("db.server.top_query").stream()
          .filter(e -> String.valueOf(e.getAttributes().get(
              io.opentelemetry.api.common.AttributeKey.stringKey("db.query.text"))).contains("relearned_items"))
          .mapToLong(e -> e.getAttributes().get(io.opentelemetry.api.common.AttributeKey.longKey("postgresql.calls")))
          .sum();
      assertEquals(5, calls, "the interval after the server was learnt again is reported");
    }
  }

  private static CollectorStatus statements(PgIntel p) {
    return p.status().stream().filter(s -> s.name().equals("statements")).findFirst().orElseThrow();
  }

  @Test
  void unknownPreloadListDoesNotBlockWhenTheExtensionExists() {
    assertEquals(Optional.empty(), collector().unavailableReason(server(null, Map.of("pg_stat_statements", "1.11"))));
  }
}
