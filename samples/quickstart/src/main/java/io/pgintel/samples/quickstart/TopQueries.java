package io.pgintel.samples.quickstart;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the {@code db.server.top_query} events of pgintel's latest statements interval, as any log pipeline of
 * the application would receive them, for the console summary.
 */
final class TopQueries implements LogRecordProcessor {

  /**
   * One statement; {@code code} is the application's line seen running it most with its caller
   * ({@code Class.method:line from Class.method:line}), or null.
   */
  record Row(long rank, String summary, String text, long calls, double meanMs, double totalMs, String code) {}

  private static final AttributeKey<Long> RANK = AttributeKey.longKey("pgintel.query.rank");
  private static final AttributeKey<String> SUMMARY = AttributeKey.stringKey("db.query.summary");
  private static final AttributeKey<String> TEXT = AttributeKey.stringKey("db.query.text");
  private static final AttributeKey<Long> CALLS = AttributeKey.longKey("postgresql.calls");
  private static final AttributeKey<Double> MEAN = AttributeKey.doubleKey("postgresql.mean_exec_time");
  private static final AttributeKey<Double> TOTAL = AttributeKey.doubleKey("postgresql.total_exec_time");
  private static final AttributeKey<List<String>> LOCATIONS =
      AttributeKey.stringArrayKey("pgintel.code.locations");

  private List<Row> filling = new ArrayList<>();
  private volatile List<Row> latest = List.of();

  @Override
  public synchronized void onEmit(Context context, ReadWriteLogRecord record) {
    if (!"db.server.top_query".equals(record.toLogRecordData().getEventName())) {
      return;
    }
    Attributes a = record.toLogRecordData().getAttributes();
    Long rank = a.get(RANK);
    if (rank == null) {
      return;
    }
    if (rank == 1) {
      filling = new ArrayList<>();
    }
    filling.add(new Row(rank, a.get(SUMMARY), a.get(TEXT), value(a.get(CALLS)), value(a.get(MEAN)),
        value(a.get(TOTAL)), code(a)));
    latest = List.copyOf(filling);
  }

  /** The latest interval's statements, busiest first, {@code other} last. */
  List<Row> latest() {
    return latest;
  }

  /**
   * The line seen running the statement most, as {@code ShopWorkload.drain:157 from ShopWorkload.browse:101}: the
   * simple class names are enough on a console.
   */
  private static String code(Attributes a) {
    List<String> locations = a.get(LOCATIONS);
    return locations == null || locations.isEmpty() ? null
        : locations.get(0).replaceAll("\\b(?:[a-z_][a-z0-9_]*\\.)+(?=[A-Z])", "");
  }

  private static long value(Long v) {
    return v == null ? 0 : v;
  }

  private static double value(Double v) {
    return v == null ? 0 : v;
  }
}
