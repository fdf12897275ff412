package io.pgintel.emit;

import static io.pgintel.emit.MetricDef.counter;
import static io.pgintel.emit.MetricDef.gauge;

import io.pgintel.collect.custom.CustomQuery;
import io.pgintel.collect.custom.CustomQueryRun;
import io.pgintel.collect.custom.CustomRow;
import java.util.ArrayList;
import java.util.List;

/** The metrics of custom queries: one per value column of each, named by the query's settings. */
final class CustomMetrics {

  /** How many rows each custom query reported and dropped: in the catalog, whatever queries there are. */
  static final List<MetricDef<?>> ALL = List.of(
      gauge("pgintel.custom.rows", "{row}", CustomQueryRun.class,
          "Rows of a custom query's last run, reported or dropped beyond its max-rows.")
          .attributes((r, b) -> b.put(Attrs.CUSTOM_QUERY, r.query()))
          .point(Attrs.OUTCOME, "reported", CustomQueryRun::reported)
          .point(Attrs.OUTCOME, "dropped", CustomQueryRun::dropped).build());

  private CustomMetrics() {}

  /** A gauge or counter per value column of each query; a row feeds only its own query's metrics. */
  static List<MetricDef<?>> of(List<CustomQuery> queries) {
    List<MetricDef<?>> defs = new ArrayList<>();
    for (CustomQuery q : queries) {
      for (String column : q.gauges()) {
        defs.add(gauge(q.metricName(column), "1", CustomRow.class,
            "Column " + column + " of custom query " + q.name() + ".")
            .attributes(CustomMetrics::attributes).doubleValue(r -> value(q, column, r)));
      }
      for (String column : q.counters()) {
        defs.add(counter(q.metricName(column), "1", CustomRow.class,
            "Column " + column + " of custom query " + q.name() + " (a running total).")
            .attributes(CustomMetrics::attributes).doubleValue(r -> value(q, column, r)));
      }
    }
    return defs;
  }

  private static Double value(CustomQuery q, String column, CustomRow r) {
    return r.query().equals(q.name()) ? r.values().get(column) : null;
  }

  private static void attributes(CustomRow r, io.opentelemetry.api.common.AttributesBuilder b) {
    b.put(Attrs.DB_NAMESPACE, r.database());
    r.attributes().forEach(b::put);
  }
}
