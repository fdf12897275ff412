package io.pgintel.emit;

import java.util.ArrayList;
import java.util.List;

/** Every metric definition, from each group's own list. */
final class MetricCatalog {

  static final List<MetricDef<?>> ALL = concat(PostgresMetrics.ALL, ReplicationMetrics.ALL, HealthMetrics.ALL);

  private MetricCatalog() {}

  @SafeVarargs
  private static List<MetricDef<?>> concat(List<MetricDef<?>>... groups) {
    List<MetricDef<?>> all = new ArrayList<>();
    for (List<MetricDef<?>> g : groups) {
      all.addAll(g);
    }
    return List.copyOf(all);
  }
}
