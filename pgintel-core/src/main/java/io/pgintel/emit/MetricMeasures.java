package io.pgintel.emit;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.pgintel.collect.custom.CustomQuery;
import io.pgintel.process.Measures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@link Measures} from the metric catalog: the points the emitter would report for a record. */
public final class MetricMeasures implements Measures {

  private final Map<Class<?>, List<MetricDef<?>>> defsByType;

  public MetricMeasures() {
    this(List.of());
  }

  /** With the metrics of custom queries too, so that they are verified and bounded like the rest. */
  public MetricMeasures(List<CustomQuery> queries) {
    this.defsByType = MetricCatalog.withExtra(CustomMetrics.of(queries));
  }

  @Override
  public List<Measure> of(Record record) {
    List<MetricDef<?>> defs = defsByType.get(record.getClass());
    if (defs == null) {
      return List.of();
    }
    List<Measure> out = new ArrayList<>();
    for (MetricDef<?> def : defs) {
      add(def, record, out);
    }
    return out;
  }

  @Override
  public String series(Record record) {
    List<MetricDef<?>> defs = defsByType.get(record.getClass());
    if (defs == null) {
      return null;
    }
    return attributes(defs.get(0), record, new int[1]).toString();
  }

  @SuppressWarnings("unchecked")
  private static <R> void add(MetricDef<R> def, Record record, List<Measure> out) {
    int[] missing = new int[1];
    Attributes own = attributes(def, record, missing);
    boolean counter = def.kind() == MetricDef.Kind.COUNTER;
    boolean nonNegative = def.kind() != MetricDef.Kind.GAUGE;
    for (MetricDef.Point<R> p : def.points()) {
      Number value = p.value().apply((R) record);
      String series = p.extra().isEmpty() ? own.toString() : own.toBuilder().putAll(p.extra()).build().toString();
      out.add(new Measure(def.name(), counter, nonNegative, series, value, missing[0]));
    }
  }

  /** The record's own attributes; counts in {@code missing} the ones set without a value. */
  @SuppressWarnings("unchecked")
  static <R> Attributes attributes(MetricDef<R> def, Record record, int[] missing) {
    AttributesBuilder real = Attributes.builder();
    def.attributes().accept((R) record, new CountingBuilder(real, missing));
    return real.build();
  }

  /**
   * Passes attributes on and counts those put without a value, which OpenTelemetry would silently leave out.
   * Optional attributes are put only when present (see {@code putIfPresent}), so a null here is a missing
   * required one.
   */
  private record CountingBuilder(AttributesBuilder delegate, int[] missing) implements AttributesBuilder {
    @Override
    public Attributes build() {
      return delegate.build();
    }

    @Override
    public <T> AttributesBuilder put(AttributeKey<Long> key, int value) {
      delegate.put(key, value);
      return this;
    }

    @Override
    public <T> AttributesBuilder put(AttributeKey<T> key, T value) {
      if (value == null) {
        missing[0]++;
      } else {
        delegate.put(key, value);
      }
      return this;
    }

    @Override
    public AttributesBuilder putAll(Attributes attributes) {
      delegate.putAll(attributes);
      return this;
    }
  }
}
