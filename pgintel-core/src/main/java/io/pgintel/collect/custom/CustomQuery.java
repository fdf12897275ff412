package io.pgintel.collect.custom;

import java.time.Duration;
import java.util.List;

/**
 * A query of the application's own ({@code pgintel.queries.<name>.*}), reported as metrics
 * {@code postgresql.custom.<name>.<column>}: a gauge per column in {@code gauges}, a counter per column in
 * {@code counters}, every other column an attribute of them.
 *
 * @param name lower-case letters, digits and {@code _}
 * @param maxRows rows beyond this are not reported, only counted
 */
public record CustomQuery(String name, String sql, List<String> gauges, List<String> counters, Duration interval,
    int maxRows) {

  /** Prefix of the metric names of this query's columns. */
  public static final String METRIC_PREFIX = "postgresql.custom.";

  public CustomQuery {
    gauges = List.copyOf(gauges);
    counters = List.copyOf(counters);
  }

  /** The name of the metric of one of its value columns. */
  public String metricName(String column) {
    return METRIC_PREFIX + name + "." + column;
  }

  /** The name its collector goes by in status, circuit breakers and pgintel's own telemetry. */
  public String collectorName() {
    return "query." + name;
  }
}
