package io.pgintel.process;

import io.pgintel.runtime.RateLimitedLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-quality checks of every metric record before it is emitted. A record is dropped when one of its points
 * would mislead: a required attribute without a value (its point would silently merge into another series), a
 * value that is not a finite number, or a negative count or size. A cumulative counter lower than last time is
 * flagged and kept: that is how a statistics reset looks ({@code pg_stat_reset()}), and backends read a drop in a
 * cumulative sum as a reset. Reasons: {@code missing_attribute}, {@code not_finite}, {@code negative},
 * {@code counter_decreased}.
 *
 * <p>Personal data and secrets are checked later, at the emission boundary, on every string that leaves (metric
 * and event attributes and bodies alike), so that nothing a later stage or the emitter adds escapes the check.
 */
public final class Verifier implements Processor {

  private static final Logger log = LoggerFactory.getLogger(Verifier.class);

  private final Measures measures;
  private final int maxTrackedCounters;
  private final RateLimitedLog problemLog = new RateLimitedLog(log, Duration.ofMinutes(5));
  private final LinkedHashMap<String, Double> lastCounters;

  /** @param maxTrackedCounters counter series whose last value is remembered, least recently seen forgotten */
  public Verifier(Measures measures, int maxTrackedCounters) {
    this.measures = measures;
    this.maxTrackedCounters = maxTrackedCounters;
    this.lastCounters = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Double> eldest) {
        return size() > Verifier.this.maxTrackedCounters;
      }
    };
  }

  @Override
  public String name() {
    return "verifier";
  }

  @Override
  public List<? extends Record> process(Batch batch) {
    List<Record> out = new ArrayList<>(batch.records().size());
    for (Record r : batch.records()) {
      List<Measures.Measure> points = measures.of(r);
      String problem = null;
      Measures.Measure culprit = null;
      for (Measures.Measure m : points) {
        problem = problem(m);
        if (problem != null) {
          culprit = m;
          break;
        }
      }
      if (problem != null) {
        batch.count(problem, 1);
        // the metric, not the series: attribute values (application names, ...) are only checked for personal
        // data when they are emitted, and a log line is not
        problemLog.warn("pgintel dropped a {} record of collector '{}': {} in {}", r.getClass().getSimpleName(),
            batch.collector(), problem, culprit.metric());
        continue;
      }
      for (Measures.Measure m : points) {
        if (m.counter() && m.value() != null) {
          String key = m.metric() + m.series();
          double value = m.value().doubleValue();
          Double last = lastCounters.put(key, value);
          if (last != null && value < last) {
            batch.count("counter_decreased", 1);
          }
        }
      }
      out.add(r);
    }
    return out;
  }

  private static String problem(Measures.Measure m) {
    if (m.missingAttributes() > 0) {
      return "missing_attribute";
    }
    Number v = m.value();
    if (v == null) {
      return null;
    }
    double d = v.doubleValue();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return "not_finite";
    }
    if (m.nonNegative() && d < 0) {
      return "negative";
    }
    return null;
  }
}
