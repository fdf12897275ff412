package io.pgintel.process;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bounds how many series each metric family (the metrics of one record type: tables, indexes, functions,
 * connection groups...) can have. A series is tracked from the first time it is seen; when the family is full, a
 * new series takes the place of the least recently seen one only if that one has not been seen for three
 * intervals (it is gone: a dropped table); otherwise the new record goes on as an {@link Overflow}, which the
 * emitter reports with its attributes set to {@code other}, counters and sums added up so that totals stay true.
 * Which series are tracked is stable from one collection to the next. Counted as {@code overflow:<record type>}.
 */
public final class CardinalityLimiter implements Processor {

  private static final int STALE_INTERVALS = 3;

  private final Measures measures;
  private final int maxSeries;
  private final Map<Class<?>, LinkedHashMap<String, Long>> tracked = new HashMap<>();

  /** A metric record beyond its family's limit, reported as part of the {@code other} series. */
  public record Overflow(Record record) {}

  /** @param maxSeries most series per metric family */
  public CardinalityLimiter(Measures measures, int maxSeries) {
    this.measures = measures;
    this.maxSeries = maxSeries;
  }

  @Override
  public String name() {
    return "cardinality";
  }

  @Override
  public List<? extends Record> process(Batch batch) {
    long now = batch.at().toEpochMilli();
    long staleBefore = now - STALE_INTERVALS * Math.max(1, batch.interval().toMillis());
    List<Record> out = null;
    List<? extends Record> in = batch.records();
    for (int i = 0; i < in.size(); i++) {
      Record r = in.get(i);
      Record result = admit(r, now, staleBefore) ? r : new Overflow(r);
      if (result != r) {
        batch.count("overflow:" + r.getClass().getSimpleName(), 1);
        if (out == null) {
          out = new ArrayList<>(in.subList(0, i));
        }
      }
      if (out != null) {
        out.add(result);
      }
    }
    return out == null ? in : out;
  }

  /** Tracked series per record type, for tests. */
  int tracked(Class<?> type) {
    LinkedHashMap<String, Long> m = tracked.get(type);
    return m == null ? 0 : m.size();
  }

  private boolean admit(Record r, long now, long staleBefore) {
    String series = measures.series(r);
    if (series == null) {
      return true;
    }
    LinkedHashMap<String, Long> family = tracked.computeIfAbsent(r.getClass(),
        t -> new LinkedHashMap<>(64, 0.75f, true));
    if (family.containsKey(series)) {
      family.put(series, now);
      return true;
    }
    if (family.size() >= maxSeries) {
      Iterator<Map.Entry<String, Long>> eldest = family.entrySet().iterator();
      if (eldest.next().getValue() >= staleBefore) {
        return false;
      }
      eldest.remove();
    }
    family.put(series, now);
    return true;
  }
}
