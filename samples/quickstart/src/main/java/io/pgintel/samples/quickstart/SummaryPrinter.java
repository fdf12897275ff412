package io.pgintel.samples.quickstart;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An exporter that prints what pgintel reports as a small, readable table: rates per database since the last
 * print, connections by state, checkpoints, WAL and pgintel's own health. It receives exactly what an OTLP
 * exporter would send.
 */
final class SummaryPrinter implements MetricExporter {

  private static final AttributeKey<String> DB = AttributeKey.stringKey("db.namespace");
  private static final AttributeKey<String> STATE = AttributeKey.stringKey("postgresql.state");
  private static final AttributeKey<String> TYPE = AttributeKey.stringKey("type");
  private static final AttributeKey<String> WAIT_TYPE = AttributeKey.stringKey("postgresql.wait_event_type");

  private final PrintStream out;
  private final String server;
  private final TopQueries topQueries;
  private final long startedNanos = System.nanoTime();
  private Map<String, Double> previous = Map.of();
  private long previousNanos;
  /** Whether a database section was printed once: an empty one after that is a pause, not a start. */
  private boolean readOnce;

  SummaryPrinter(PrintStream out, String server, TopQueries topQueries) {
    this.out = out;
    this.server = server;
    this.topQueries = topQueries;
  }

  @Override
  public synchronized CompletableResultCode export(Collection<MetricData> metrics) {
    try {
      print(metrics);
    } catch (RuntimeException e) {
      out.println("(could not print this summary: " + e + ")");
    }
    return CompletableResultCode.ofSuccess();
  }

  private void print(Collection<MetricData> metrics) {
    long now = System.nanoTime();
    if (previousNanos != 0 && now - previousNanos < 1_000_000_000L) {
      return; // the final flush at shutdown right after a periodic print: nothing new to show
    }
    double seconds = previousNanos == 0 ? 0 : (now - previousNanos) / 1e9;
    Map<String, Double> current = new HashMap<>();
    Map<String, Map<String, Double>> byDatabase = new TreeMap<>();
    Map<String, Double> connections = new TreeMap<>();
    Map<String, Double> waits = new TreeMap<>();
    double maxConnections = 0;
    double checkpointsScheduled = 0;
    double checkpointsRequested = 0;
    double wal = -1;
    int up = 0;
    int collectors = 0;
    double errors = 0;
    double skipped = 0;
    for (MetricData m : metrics) {
      for (PointData p : m.getData().getPoints()) {
        double v = value(p);
        String db = p.getAttributes().get(DB);
        switch (m.getName()) {
          case "postgresql.commits", "postgresql.rollbacks", "postgresql.tup_inserted", "postgresql.tup_updated",
              "postgresql.tup_fetched", "postgresql.blks_hit", "postgresql.blks_read", "postgresql.db_size" ->
              byDatabase.computeIfAbsent(db, k -> new HashMap<>()).put(m.getName(), v);
          case "postgresql.connection.count" -> {
            String state = p.getAttributes().get(STATE);
            if (state != null) {
              connections.merge(state, v, Double::sum);
            }
          }
          case "postgresql.connection.max" -> maxConnections = v;
          case "postgresql.activity.wait" -> waits.merge(p.getAttributes().get(WAIT_TYPE), v, Double::sum);
          case "postgresql.bgwriter.checkpoint.count" -> {
            if ("scheduled".equals(p.getAttributes().get(TYPE))) {
              checkpointsScheduled = v;
            } else {
              checkpointsRequested = v;
            }
          }
          case "postgresql.wal.lsn" -> wal = v;
          case "pgintel.collector.up" -> {
            collectors++;
            up += (int) v;
          }
          case "pgintel.collector.errors" -> errors += v;
          case "pgintel.collector.skipped" -> skipped += v;
          default -> { }
        }
      }
    }
    long elapsed = (now - startedNanos) / 1_000_000_000L;
    String header = String.format(Locale.ROOT, "%n── pgintel quickstart · %s · %02d:%02d %s%n", server, elapsed / 60,
        elapsed % 60, "─".repeat(20));
    if (byDatabase.isEmpty()) {
      if (errors > 0 || skipped > 0) {
        // pgintel runs but reads nothing (lately): say so rather than print nothing
        out.printf(Locale.ROOT, "%s%s (nothing read %s: pgintel's log says why)%n", header,
            status(up, collectors, errors, skipped), readOnce ? "lately" : "yet");
        out.flush();
      }
      return; // otherwise pgintel has not collected yet, or has stopped
    }
    readOnce = true;
    StringBuilder sb = new StringBuilder();
    sb.append(header);
    sb.append(String.format(Locale.ROOT, "%-14s %10s %12s %11s %10s %10s %10s %10s%n", "database", "commits/s",
        "rollbacks/s", "inserted/s", "updated/s", "fetched/s", "cache hit", "size"));
    byDatabase.forEach((db, values) -> {
      values.forEach((metric, v) -> current.put(db + "|" + metric, v));
      double hit = values.getOrDefault("postgresql.blks_hit", 0.0);
      double read = values.getOrDefault("postgresql.blks_read", 0.0);
      sb.append(String.format(Locale.ROOT, "%-14s %10s %12s %11s %10s %10s %10s %10s%n", shorten(db),
          rate(db, "postgresql.commits", values, seconds), rate(db, "postgresql.rollbacks", values, seconds),
          rate(db, "postgresql.tup_inserted", values, seconds), rate(db, "postgresql.tup_updated", values, seconds),
          rate(db, "postgresql.tup_fetched", values, seconds),
          hit + read == 0 ? "-" : String.format(Locale.ROOT, "%.1f %%", 100 * hit / (hit + read)),
          bytes(values.getOrDefault("postgresql.db_size", 0.0))));
    });
    List<String> states = new ArrayList<>();
    connections.forEach((state, n) -> states.add(state + " " + Math.round(n)));
    sb.append("connections    ").append(String.join(" · ", states)).append(" (max ").append(Math.round(maxConnections))
        .append(")\n");
    if (!waits.isEmpty()) {
      List<String> parts = new ArrayList<>();
      waits.forEach((type, n) -> parts.add(String.format(Locale.ROOT, "%s %.2f", type, n)));
      sb.append("active sessions ").append(String.join(" · ", parts)).append(" (average, by wait)\n");
    }
    String walRate = "-";
    if (wal >= 0) {
      current.put("wal", wal);
      Double before = previous.get("wal");
      if (before != null && seconds > 0) {
        walRate = bytes((wal - before) / seconds) + "/s";
      }
    }
    sb.append(String.format(Locale.ROOT, "checkpoints    scheduled %d · requested %d      WAL %s%n",
        Math.round(checkpointsScheduled), Math.round(checkpointsRequested), walRate));
    List<TopQueries.Row> top = topQueries.latest();
    if (!top.isEmpty()) {
      sb.append(String.format(Locale.ROOT, "%-28s %8s %9s %10s  %s%n", "top queries (last interval)", "calls",
          "mean ms", "total ms", "query"));
      for (TopQueries.Row row : top) {
        if (row.rank() > 5 && row.rank() != 0) {
          continue;
        }
        String text = row.rank() == 0 ? "(every other statement)" : row.text();
        sb.append(String.format(Locale.ROOT, "%-28s %8d %9.2f %10.1f  %s%n", shorten(row.summary(), 28),
            row.calls(), row.meanMs(), row.totalMs(), shorten(text, 70)));
        if (row.code() != null) {
          sb.append(String.format(Locale.ROOT, "%-59s  run from %s%n", "", row.code()));
        }
      }
    }
    if (collectors == 0) {
      sb.append("pgintel        stopped\n");
    } else {
      sb.append(status(up, collectors, errors, skipped)).append('\n');
    }
    out.print(sb);
    out.flush();
    previous = current;
    previousNanos = now;
  }

  private static String status(int up, int collectors, double errors, double skipped) {
    return String.format(Locale.ROOT, "pgintel        %d/%d collectors up · %d errors · %d ticks skipped", up,
        collectors, Math.round(errors), Math.round(skipped));
  }

  private String rate(String db, String metric, Map<String, Double> values, double seconds) {
    Double now = values.get(metric);
    Double before = previous.get(db + "|" + metric);
    if (now == null || before == null || seconds <= 0) {
      return "…";
    }
    return String.format(Locale.ROOT, "%.1f", (now - before) / seconds);
  }

  private static double value(PointData p) {
    if (p instanceof LongPointData l) {
      return l.getValue();
    }
    if (p instanceof DoublePointData d) {
      return d.getValue();
    }
    return 0;
  }

  private static String shorten(String s) {
    return shorten(s, 14);
  }

  private static String shorten(String s, int max) {
    return s == null ? "?" : s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  private static String bytes(double b) {
    String[] units = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (b >= 1024 && u < units.length - 1) {
      b /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
