package io.pgintel.emit;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One metric and how its points come out of one record type: a point per {@link Point}, each with its own
 * extra attributes and a value that may be null (then that point is left out, e.g. a column the server
 * version lacks). Several definitions may share a metric name when its points come from different records.
 */
record MetricDef<R>(String name, Kind kind, boolean doubles, String unit, String description, Class<R> recordType,
    BiConsumer<R, AttributesBuilder> attributes, List<Point<R>> points) {

  /** OpenTelemetry instrument of a metric. */
  enum Kind {
    /** Monotonic cumulative sum: a counter the server keeps. */
    COUNTER,
    /** Non-monotonic sum: a count that goes up and down. */
    UP_DOWN,
    /** A value sampled as it is. */
    GAUGE
  }

  /** One point: attributes beyond the record's own, and the value. */
  record Point<R>(Attributes extra, Function<R, ? extends Number> value) {}

  static <R> Builder<R> counter(String name, String unit, Class<R> type, String description) {
    return new Builder<>(name, Kind.COUNTER, unit, type, description);
  }

  static <R> Builder<R> upDown(String name, String unit, Class<R> type, String description) {
    return new Builder<>(name, Kind.UP_DOWN, unit, type, description);
  }

  static <R> Builder<R> gauge(String name, String unit, Class<R> type, String description) {
    return new Builder<>(name, Kind.GAUGE, unit, type, description);
  }

  /** Attribute keys this metric's points carry beyond the common ones, for the README table. */
  List<String> attributeKeys(R sample) {
    AttributesBuilder b = Attributes.builder();
    attributes.accept(sample, b);
    List<String> keys = new ArrayList<>();
    b.build().forEach((k, v) -> keys.add(k.getKey()));
    for (Point<R> p : points) {
      p.extra().forEach((k, v) -> {
        if (!keys.contains(k.getKey())) {
          keys.add(k.getKey());
        }
      });
    }
    return keys;
  }

  static final class Builder<R> {
    private final String name;
    private final Kind kind;
    private final String unit;
    private final Class<R> type;
    private final String description;
    private boolean doubles;
    private BiConsumer<R, AttributesBuilder> attributes = (r, b) -> {};
    private final List<Point<R>> points = new ArrayList<>();

    private Builder(String name, Kind kind, String unit, Class<R> type, String description) {
      this.name = name;
      this.kind = kind;
      this.unit = unit;
      this.type = type;
      this.description = description;
    }

    Builder<R> attributes(BiConsumer<R, AttributesBuilder> attributes) {
      this.attributes = attributes;
      return this;
    }

    /** The metric has one point per record with this value. */
    MetricDef<R> longValue(Function<R, ? extends Number> value) {
      points.add(new Point<>(Attributes.empty(), value));
      return build();
    }

    MetricDef<R> doubleValue(Function<R, ? extends Number> value) {
      doubles = true;
      return longValue(value);
    }

    /** Adds a point whose extra attribute {@code key=label} tells it from the metric's other points. */
    Builder<R> point(AttributeKey<String> key, String label, Function<R, ? extends Number> value) {
      points.add(new Point<>(Attributes.of(key, label), value));
      return this;
    }

    Builder<R> ofDoubles() {
      doubles = true;
      return this;
    }

    MetricDef<R> build() {
      return new MetricDef<>(name, kind, doubles, unit, description, type, attributes, List.copyOf(points));
    }
  }
}
