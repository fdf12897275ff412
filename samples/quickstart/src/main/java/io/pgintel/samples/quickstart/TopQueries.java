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

  /** One statement; {@code code} is the application's line seen running it most ({@code Class.method:line}). */
  record Row(long rank, String summary, String text, long calls, double meanMs, double totalMs, String code) {}

  private static final AttributeKey<Long> RANK = AttributeKey.longKey("pgintel.query.rank");
  private static final AttributeKey<String> SUMMARY = AttributeKey.stringKey("db.query.summary");
  private static final AttributeKey<String> TEXT = AttributeKey.stringKey("db.query.text");
  private static final AttributeKey<Long> CALLS = AttributeKey.longKey("postgresql.calls");
  private static final AttributeKey<Double> MEAN = AttributeKey.doubleKey("postgresql.mean_exec_time");
  private static final AttributeKey<Double> TOTAL = AttributeKey.doubleKey("postgresql.total_exec_time");
  private static final AttributeKey<String> CODE_NAMESPACE = AttributeKey.stringKey("code.namespace");
  private static final AttributeKey<String> CODE_FUNCTION = AttributeKey.stringKey("code.function");
  private static final AttributeKey<Long> CODE_LINENO = AttributeKey.longKey("code.lineno");

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

  /** {@code ShopWorkload.browse:93}: the simple class name is enough on a console. */
  private static String code(Attributes a) {
    String namespace = a.get(CODE_NAMESPACE);
    if (namespace == null) {
      return null;
    }
    Long line = a.get(CODE_LINENO);
    return namespace.substring(namespace.lastIndexOf('.') + 1) + "." + a.get(CODE_FUNCTION)
        + (line == null ? "" : ":" + line);
  }

  private static long value(Long v) {
    return v == null ? 0 : v;
  }

  private static double value(Double v) {
    return v == null ? 0 : v;
  }
}
