package io.pgintel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.OpenTelemetry;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.internal.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.ds.PGSimpleDataSource;

class SettingsTest {

  private static PgIntelBuilder builder() {
    // build() never connects, so a DataSource pointing nowhere is enough
    return PgIntel.builder().dataSource(new PGSimpleDataSource()).openTelemetry(OpenTelemetry.noop());
  }

  private static String failure(PgIntelBuilder b) {
    return assertThrows(IllegalArgumentException.class, b::build).getMessage();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "pgintel.collectors.database.interval | -5s    | out of range; allowed from 100ms to 24h",
      "pgintel.collectors.database.interval | 0s     | out of range; allowed from 100ms to 24h",
      "pgintel.collectors.wal.interval      | 30     | write it with a unit",
      "pgintel.collectors.wal.interval      | soon   | is not a duration",
      "pgintel.collectors.nosuch.interval   | 5s     | unknown collector 'nosuch'; known collectors: database, connections, bgwriter, wal, replication, statements, activity, tables, vacuum, locks, io, functions, settings, schema, plans",
      "pgintel.collectors.nosuch.enabled    | true   | unknown collector 'nosuch'",
      "pgintel.collectors.database.color    | red    | unknown collector setting",
      "pgintel.session.statement-timeout    | 1h     | out of range; allowed from 10ms to 10m",
      "pgintel.session.lock-timeout         | 0ms    | out of range; allowed from 1ms to 1m",
      "pgintel.enabled                      | maybe  | is not a boolean",
      "pgintel.no-such-thing                | 1      | unknown setting; known settings:",
      "pgintel.collectors.statements.top-n  | 0      | out of range; allowed from 1 to 1000",
      "pgintel.pii.detectors                | email,dna | 'dna' is not allowed; choose one of email, card, ssn, phone, iban, ip, jwt, bearer, cloud_key",
      "pgintel.collectors.statements.top-n  | many   | is not a whole number",
      "pgintel.collectors.statements.rank-by | cost  | is not allowed; choose one of total_exec_time, calls, rows, shared_blks_read, wal_bytes",
      "pgintel.collectors.statements.group-by | role | choose one of queryid, fingerprint",
      "pgintel.collectors.plans.helper-function | x(); DROP TABLE t | is not a plain SQL name",
      "pgintel.collectors.plans.helper-function | \"Explain\" | is not a plain SQL name",
      "pgintel.collectors.plans.max-per-interval | 0 | out of range; allowed from 1 to 100",
      "pgintel.collectors.plans.re-explain-after | 2d | out of range; allowed from 1s to 24h",
  })
  void badSettingFailsBuildNamingTheKeyAndWhatIsAllowed(String key, String value, String expected) {
    String message = failure(builder().setting(key, value));
    assertTrue(message.startsWith(key + ": "), message);
    assertTrue(message.contains(expected), message);
  }

  @Test
  void zeroAndNegativeDurationObjectsFailLikeText() {
    assertTrue(failure(builder().collectorInterval("database", Duration.ZERO))
        .startsWith("pgintel.collectors.database.interval: 0ms is out of range"));
    assertTrue(failure(builder().collectorInterval("connections", Duration.ofSeconds(-1)))
        .startsWith("pgintel.collectors.connections.interval: -1s is out of range"));
  }

  @Test
  void missingDataSourceFailsBuild() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> PgIntel.builder().openTelemetry(OpenTelemetry.noop()).build());
    assertTrue(e.getMessage().contains("dataSource"));
  }

  @Test
  void environmentVariablesAndLooseSpellingsReachTheSameKeys() {
    Map<String, String> env = Settings.fromEnvironment(Map.of(
        "PGINTEL_COLLECTORS_WAL_INTERVAL", "45s",
        "PGINTEL_SESSION_LOCK_TIMEOUT", "250ms",
        "PGINTEL_COLLECTORS_BGWRITER_ENABLED", "false",
        "OTEL_SERVICE_NAME", "shop",
        "PATH", "/usr/bin"));
    try (PgIntel p = builder().settings(env).setting("pgintel.session.statementTimeout", "3s").build()) {
      Settings s = p.settings();
      assertEquals(Duration.ofSeconds(45), s.interval("wal"));
      assertEquals(Duration.ofMillis(250), s.lockTimeout());
      assertEquals(Duration.ofSeconds(3), s.statementTimeout());
      assertEquals(List.of("database", "connections", "wal", "replication", "statements", "activity", "tables",
          "vacuum", "locks", "io", "functions", "settings", "schema"), s.enabledCollectors());
      assertEquals(Map.of("otel.service.name", "shop"), s.openTelemetryProperties());
      CollectorStatus bgwriter = p.status().stream().filter(c -> c.name().equals("bgwriter")).findFirst()
          .orElseThrow();
      assertEquals(CollectorStatus.State.DISABLED, bgwriter.state());
    }
  }

  @Test
  void aBadValueFromTheEnvironmentIsReportedUnderItsDocumentedKey() {
    Map<String, String> env = Settings.fromEnvironment(Map.of("PGINTEL_SESSION_LOCK_TIMEOUT", "abc"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder().settings(env).build());
    assertTrue(e.getMessage().startsWith("pgintel.session.lock-timeout: 'abc'"), e.getMessage());
    IllegalArgumentException topN = assertThrows(IllegalArgumentException.class, () -> builder().settings(
        Settings.fromEnvironment(Map.of("PGINTEL_COLLECTORS_STATEMENTS_TOP_N", "0"))).build());
    assertTrue(topN.getMessage().startsWith("pgintel.collectors.statements.top-n: "), topN.getMessage());
    IllegalArgumentException rule = assertThrows(IllegalArgumentException.class, () -> builder().settings(
        Settings.fromEnvironment(Map.of("PGINTEL_SAMPLER_RULES_SLOW_QUERIES_MAX_PER_MINUTE", "-1"))).build());
    assertTrue(rule.getMessage().startsWith("pgintel.sampler.rules.slow_queries.max-per-minute: "),
        rule.getMessage());
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    try (PgIntel p = builder().build()) {
      Settings s = p.settings();
      assertTrue(s.enabled());
      assertEquals(Duration.ofSeconds(15), s.interval("database"));
      assertEquals(Duration.ofSeconds(15), s.interval("connections"));
      assertEquals(Duration.ofSeconds(60), s.interval("bgwriter"));
      assertEquals(Duration.ofSeconds(30), s.interval("wal"));
      assertEquals(Durations.parse(Setting.STATEMENT_TIMEOUT.defaultValue()), s.statementTimeout());
      assertEquals(Duration.ofMillis(100), s.lockTimeout());
      assertEquals(Duration.ofSeconds(1), s.borrowTimeout());
      assertEquals(Duration.ofMinutes(5), s.maxBackoff());
    }
  }

  @Test
  void lenientParsingReportsEveryBadKeyAndKeepsItsDefault() {
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("pgintel.collectors.database.interval", "-1s");
    raw.put("pgintel.collectors.nope.enabled", "true");
    raw.put("pgintel.session.lock-timeout", "200ms");
    List<String> problems = new ArrayList<>();
    Settings s = Settings.parse(raw, Map.of("database", Duration.ofSeconds(15)), problems::add);
    assertEquals(2, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("pgintel.collectors.database.interval"));
    assertTrue(problems.get(1).startsWith("pgintel.collectors.nope.enabled"));
    assertEquals(Duration.ofSeconds(15), s.interval("database"));
    assertEquals(Duration.ofMillis(200), s.lockTimeout());
  }

  @ParameterizedTest
  @CsvSource({"500ms,500", "1.5s,1500", "30s,30000", "5m,300000", "1h,3600000", "PT2S,2000", "2 s,2000"})
  void durationsParseWithTheirUnit(String text, long millis) {
    assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    assertEquals(Duration.ofMillis(millis), Durations.parse(Durations.format(Duration.ofMillis(millis))));
  }

  @Test
  void readmeListsEverySettingWithItsDefaultAndRange() throws Exception {
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
    for (Setting s : Setting.ALL) {
      String row = "| `" + s.key() + "` | ";
      assertTrue(readme.contains(row), "README.md has no row for " + s.key());
      String line = readme.substring(readme.indexOf(row)).lines().findFirst().orElseThrow();
      if (s.type() == Setting.Type.CHOICE || s.type() == Setting.Type.CHOICES) {
        for (String allowed : s.min().split("\\|")) {
          assertTrue(line.contains("`" + allowed + "`"), "README choices of " + s.key() + ": " + line);
        }
      } else if (s.min() != null) {
        assertTrue(line.contains(s.min() + " to " + s.max()), "README range of " + s.key() + ": " + line);
      }
      if (s.defaultValue().isEmpty()) {
        assertTrue(line.startsWith(row + "none |"), "README default of " + s.key() + ": " + line);
      } else if (!s.defaultValue().equals("per collector")) {
        assertTrue(line.contains("`" + s.defaultValue() + "`"), "README default of " + s.key() + ": " + line);
      }
    }
  }

  @Test
  void plansAreOffUntilSwitchedOnAndThenAddTheirProcessorLast() {
    try (PgIntel p = builder().build()) {
      assertFalse(p.settings().enabledCollectors().contains("plans"));
      assertEquals(CollectorStatus.State.DISABLED, p.status().stream().filter(c -> c.name().equals("plans"))
          .findFirst().orElseThrow().state());
      assertFalse(p.processors().contains("plans"));
    }
    try (PgIntel p = builder().collectorEnabled("plans", true)
        .setting("pgintel.collectors.plans.helper-function", "monitoring.explain_dml").build()) {
      assertTrue(p.settings().enabledCollectors().contains("plans"));
      assertEquals("plans", p.processors().get(p.processors().size() - 1));
      assertEquals("monitoring.explain_dml", p.settings().sqlName(Setting.PLANS_HELPER_FUNCTION));
    }
  }

  @Test
  void disabledInstanceNeverStarts() {
    try (PgIntel p = builder().setting("pgintel.enabled", "false").build()) {
      p.start();
      assertFalse(p.settings().enabled());
      assertTrue(p.status().stream().allMatch(c -> c.state() == CollectorStatus.State.STOPPED
          || c.state() == CollectorStatus.State.DISABLED));
    }
  }
}
