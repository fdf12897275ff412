package io.pgintel.emit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every metric definition, from each group's own list. */
final class MetricCatalog {

  static final List<MetricDef<?>> ALL = concat(PostgresMetrics.ALL, ReplicationMetrics.ALL, HealthMetrics.ALL);

  /** The definitions fed by each record type, in catalog order. */
  static final Map<Class<?>, List<MetricDef<?>>> BY_TYPE = byType();

  private MetricCatalog() {}

  private static Map<Class<?>, List<MetricDef<?>>> byType() {
    Map<Class<?>, List<MetricDef<?>>> out = new LinkedHashMap<>();
    for (MetricDef<?> def : ALL) {
      out.computeIfAbsent(def.recordType(), t -> new ArrayList<>()).add(def);
    }
    out.replaceAll((t, defs) -> List.copyOf(defs));
    return java.util.Collections.unmodifiableMap(out);
  }

  @SafeVarargs
  private static List<MetricDef<?>> concat(List<MetricDef<?>>... groups) {
    List<MetricDef<?>> all = new ArrayList<>();
    for (List<MetricDef<?>> g : groups) {
      all.addAll(g);
    }
    return List.copyOf(all);
  }
}
