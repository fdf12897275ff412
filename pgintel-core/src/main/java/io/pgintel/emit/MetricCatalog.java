package io.pgintel.emit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every metric definition, from each group's own list. */
final class MetricCatalog {

  static final List<MetricDef<?>> ALL = concat(PostgresMetrics.ALL, ReplicationMetrics.ALL, HealthMetrics.ALL,
      CustomMetrics.ALL);

  /** The definitions fed by each record type, in catalog order. */
  static final Map<Class<?>, List<MetricDef<?>>> BY_TYPE = byType();

  private MetricCatalog() {}

  private static Map<Class<?>, List<MetricDef<?>>> byType() {
    return byType(ALL);
  }

  /** The catalog's definitions by record type, with {@code extra} ones (custom queries') added. */
  static Map<Class<?>, List<MetricDef<?>>> withExtra(List<MetricDef<?>> extra) {
    return extra.isEmpty() ? BY_TYPE : byType(concat(ALL, extra));
  }

  private static Map<Class<?>, List<MetricDef<?>>> byType(List<MetricDef<?>> all) {
    Map<Class<?>, List<MetricDef<?>>> out = new LinkedHashMap<>();
    for (MetricDef<?> def : all) {
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
