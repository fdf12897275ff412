package io.pgintel.test;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An OpenTelemetry SDK whose metrics a test reads back in memory, as an exporter would receive them. */
public final class TestTelemetry implements AutoCloseable {

  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final InMemoryLogRecordExporter logs = InMemoryLogRecordExporter.create();
  private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
      .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
      .setLoggerProvider(SdkLoggerProvider.builder()
          .addLogRecordProcessor(SimpleLogRecordProcessor.create(logs)).build())
      .build();

  /** Every event (log record with an event name) emitted so far with this name. */
  public List<LogRecordData> events(String eventName) {
    List<LogRecordData> out = new ArrayList<>();
    for (LogRecordData r : logs.getFinishedLogRecordItems()) {
      if (eventName.equals(r.getEventName())) {
        out.add(r);
      }
    }
    return out;
  }

  /** Forgets the events emitted so far. */
  public void clearEvents() {
    logs.reset();
  }

  public OpenTelemetry openTelemetry() {
    return sdk;
  }

  public Collection<MetricData> collect() {
    return reader.collectAllMetrics();
  }

  /** Points of one metric whose attributes include every given key/value. */
  public List<PointData> points(String metric, Map<String, Object> attributes) {
    return points(collect(), metric, attributes);
  }

  public static List<PointData> points(Collection<MetricData> data, String metric, Map<String, Object> attributes) {
    List<PointData> out = new ArrayList<>();
    for (MetricData m : data) {
      if (!m.getName().equals(metric)) {
        continue;
      }
      for (PointData p : m.getData().getPoints()) {
        if (matches(p.getAttributes(), attributes)) {
          out.add(p);
        }
      }
    }
    return out;
  }

  /** The one point of a metric with these attributes, as a number; empty when there is none. */
  public Optional<Double> value(String metric, Map<String, Object> attributes) {
    return value(collect(), metric, attributes);
  }

  public static Optional<Double> value(Collection<MetricData> data, String metric, Map<String, Object> attributes) {
    List<PointData> points = points(data, metric, attributes);
    if (points.isEmpty()) {
      return Optional.empty();
    }
    if (points.size() > 1) {
      throw new AssertionError(metric + " has " + points.size() + " points matching " + attributes + ": " + points);
    }
    PointData p = points.get(0);
    if (p instanceof LongPointData l) {
      return Optional.of((double) l.getValue());
    }
    if (p instanceof DoublePointData d) {
      return Optional.of(d.getValue());
    }
    throw new AssertionError(metric + " is not a sum or gauge: " + p);
  }

  /** Sum of every point of a metric with these attributes. */
  public static double sum(Collection<MetricData> data, String metric, Map<String, Object> attributes) {
    double total = 0;
    for (PointData p : points(data, metric, attributes)) {
      total += p instanceof LongPointData l ? l.getValue() : ((DoublePointData) p).getValue();
    }
    return total;
  }

  private static boolean matches(Attributes actual, Map<String, Object> expected) {
    for (Map.Entry<String, Object> e : expected.entrySet()) {
      Object v = e.getValue() instanceof Integer i ? Long.valueOf(i) : e.getValue();
      Object a = v instanceof Long ? actual.get(AttributeKey.longKey(e.getKey()))
          : v instanceof Boolean ? actual.get(AttributeKey.booleanKey(e.getKey()))
          : actual.get(AttributeKey.stringKey(e.getKey()));
      if (!v.equals(a)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    sdk.close();
  }
}
