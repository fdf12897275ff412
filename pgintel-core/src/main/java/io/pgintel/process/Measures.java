package io.pgintel.process;

import java.util.List;

/**
 * What a record becomes as metric points, told by the emitter (the only place that knows metric definitions) so
 * that processing stages can check and bound metrics without knowing OpenTelemetry.
 */
public interface Measures {

  /** The metric points of a record; empty for a record that is not a metric (an event). */
  List<Measure> of(Record record);

  /**
   * The series a record's points belong to, without the attributes that tell its points apart: what the
   * cardinality limit counts. Null for a record that is not a metric.
   */
  String series(Record record);

  /**
   * One point.
   *
   * @param metric the metric's name
   * @param counter a cumulative counter, which must not go backwards
   * @param nonNegative a count or size, which cannot be below zero
   * @param series the point's attributes as text: its identity within the metric
   * @param value null when the point is left out (a column the server lacks)
   * @param missingAttributes attributes the definition sets that the record had no value for
   */
  record Measure(String metric, boolean counter, boolean nonNegative, String series, Number value,
      int missingAttributes) {}
}
