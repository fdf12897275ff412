package io.pgintel.collect.statements;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.OpenTelemetry;
import io.pgintel.PgIntel;
import io.pgintel.Settings;
import io.pgintel.collect.ServerInfo;
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
      return new StatementsCollector(settings);
    }
  }

  private static ServerInfo server(Set<String> preload, Map<String, String> extensions) {
    return new ServerInfo(170004, "17.4", "db.example", 5432, "shop", false, false, true, extensions, preload);
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
  void unknownPreloadListDoesNotBlockWhenTheExtensionExists() {
    assertEquals(Optional.empty(), collector().unavailableReason(server(null, Map.of("pg_stat_statements", "1.11"))));
  }
}
