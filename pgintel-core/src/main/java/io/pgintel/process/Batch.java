package io.pgintel.process;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** One collection's records as one stage of the chain sees them. */
public final class Batch {

  private final String collector;
  private final List<? extends Record> records;
  private final Instant at;
  private final Duration interval;
  private final ProcessorStats.Stage stats;

  Batch(String collector, List<? extends Record> records, Instant at, Duration interval, ProcessorStats.Stage stats) {
    this.collector = collector;
    this.records = records;
    this.at = at;
    this.interval = interval;
    this.stats = stats;
  }

  /** For tests and processors that call other processors: a batch whose reasons are not counted anywhere. */
  public static Batch of(String collector, List<? extends Record> records, Instant at, Duration interval) {
    return new Batch(collector, List.copyOf(records), at, interval, null);
  }

  /** The collector that produced the records. */
  public String collector() {
    return collector;
  }

  /** The records, immutable. */
  public List<? extends Record> records() {
    return records;
  }

  /** When the collection ended. */
  public Instant at() {
    return at;
  }

  /** The collector's interval. */
  public Duration interval() {
    return interval;
  }

  /**
   * Counts why this stage decided what it did ({@code rule:slow_queries:kept}, {@code counter_decreased}); reported
   * as {@code pgintel.processor.decisions} by stage and reason. Reasons must be low-cardinality.
   */
  public void count(String reason, long n) {
    if (stats != null && n != 0) {
      stats.count(reason, n);
    }
  }
}
