package io.pgintel.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgintel.Setting;
import io.pgintel.collect.BuiltInCollectors;
import io.pgintel.internal.Durations;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class PgIntelPropertiesTest {

  @Test
  void boundPropertiesBecomeCoresKeys() {
    PgIntelProperties p = bind(Map.of(
        "pgintel.collectors.statements.interval", "500ms",
        "pgintel.collectors.statements.top-n", "7",
        "pgintel.collectors.statements.rank-by", "calls",
        "pgintel.collectors.wal.enabled", "false",
        "pgintel.session.lock-timeout", "250ms",
        "pgintel.backoff.max", "1m",
        "pgintel.datasources.exclude", "reporting",
        "pgintel.correlation.enabled", "false"));
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("pgintel.enabled", true);
    expected.put("pgintel.collectors.statements.interval", "500ms");
    expected.put("pgintel.collectors.statements.top-n", "7");
    expected.put("pgintel.collectors.statements.rank-by", "calls");
    expected.put("pgintel.collectors.wal.enabled", "false");
    expected.put("pgintel.session.lock-timeout", Duration.ofMillis(250));
    expected.put("pgintel.backoff.max", Duration.ofMinutes(1));
    assertThat(p.toSettings()).isEqualTo(expected);
    assertThat(p.getDatasources().getExclude()).containsExactly("reporting");
    assertThat(bind(Map.of("pgintel.sampler.rules.slow.when", "mean_exec_time_ms > 1000",
        "pgintel.sampler.rules.slow.max-per-minute", "5", "pgintel.sampler.default-rate", "10",
        "pgintel.circuit.failure-threshold", "4", "pgintel.verify.enabled", "false",
        "pgintel.cardinality.max-series", "50")).toSettings()).containsOnly(
        Map.entry("pgintel.enabled", true),
        Map.entry("pgintel.sampler.rules.slow.when", "mean_exec_time_ms > 1000"),
        Map.entry("pgintel.sampler.rules.slow.max-per-minute", "5"),
        Map.entry("pgintel.sampler.default-rate", "10"),
        Map.entry("pgintel.circuit.failure-threshold", "4"),
        Map.entry("pgintel.verify.enabled", "false"),
        Map.entry("pgintel.cardinality.max-series", "50"));
    assertThat(bind(Map.of("pgintel.queries.orders-by-status.sql", "SELECT status, count(*) AS n FROM orders",
        "pgintel.queries.orders-by-status.gauges", "n")).toSettings()).containsOnly(
        Map.entry("pgintel.enabled", true),
        Map.entry("pgintel.queries.orders-by-status.sql", "SELECT status, count(*) AS n FROM orders"),
        Map.entry("pgintel.queries.orders-by-status.gauges", "n"));
    assertThat(p.getCorrelation().isEnabled()).isFalse();
  }

  @Test
  void unsetPropertiesLeaveCoresDefaults() {
    assertThat(bind(Map.of()).toSettings()).containsOnlyKeys("pgintel.enabled");
  }

  @Test
  void starterOnlyDefaults() {
    PgIntelProperties p = bind(Map.of());
    assertThat(p.getCorrelation().isEnabled()).isTrue();
    assertThat(p.getHealth().isFailOnError()).isFalse();
    assertThat(p.getDatasources().getInclude()).isEmpty();
  }

  /** IDEs complete every core setting, with core's default; a new core setting fails this until it is added. */
  @Test
  void metadataDescribesEveryCoreSettingWithCoresDefault() throws Exception {
    Map<String, JsonNode> metadata = new HashMap<>();
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      for (JsonNode property : new ObjectMapper().readTree(in).get("properties")) {
        metadata.put(property.get("name").asText(), property);
      }
    }
    for (Setting s : Setting.ALL) {
      if (s.key().contains("<collector>")) {
        BuiltInCollectors.defaultIntervals().forEach((collector, interval) -> {
          String key = s.key().replace("<collector>", collector);
          assertThat(metadata).containsKey(key);
          assertThat(metadata.get(key).has("description")).as(key).isTrue();
          if (key.endsWith(".interval")) {
            assertThat(Durations.parse(defaultOf(metadata.get(key)))).as(key).isEqualTo(interval);
          } else {
            assertThat(defaultOf(metadata.get(key))).as(key)
                .isEqualTo(String.valueOf(BuiltInCollectors.enabledByDefault(collector)));
          }
        });
      } else if (s.key().contains("<rule>") || s.key().contains("<query>")) {
        String property = s.key().substring(s.key().lastIndexOf('.') + 1);
        String group = s.key().contains("<rule>") ? "pgintel.sampler.rules" : "pgintel.queries";
        assertThat(metadata.get(group).get("description").asText()).as(s.key())
            .contains("." + property + " (");
      } else {
        assertThat(metadata).containsKey(s.key());
        assertThat(metadata.get(s.key()).has("description")).as(s.key()).isTrue();
        String actual = defaultOf(metadata.get(s.key()));
        if (s.defaultValue().isEmpty()) {
          assertThat(actual).as(s.key()).isNull();
        } else if (s.type() == Setting.Type.DURATION) {
          assertThat(Durations.parse(actual)).as(s.key()).isEqualTo(Durations.parse(s.defaultValue()));
        } else {
          assertThat(actual).as(s.key()).isEqualTo(s.defaultValue());
        }
      }
    }
    for (String starterOnly : List.of("pgintel.datasources.include", "pgintel.datasources.exclude",
        "pgintel.correlation.enabled", "pgintel.health.fail-on-error")) {
      assertThat(metadata).containsKey(starterOnly);
      assertThat(metadata.get(starterOnly).has("description")).as(starterOnly).isTrue();
    }
  }

  private static String defaultOf(JsonNode property) {
    JsonNode d = property.get("defaultValue");
    return d == null ? null : d.asText();
  }

  private static PgIntelProperties bind(Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("pgintel", PgIntelProperties.class);
  }
}
