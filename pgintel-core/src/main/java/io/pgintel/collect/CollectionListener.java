package io.pgintel.collect;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Receives what the scheduler's ticks produce: records on success, and pgintel's own health. */
public interface CollectionListener {

  /** A collection finished; {@code records} is the complete, current picture of that collector's views. */
  void collected(String collector, List<? extends Record> records, Instant at, Duration interval, Duration took);

  /** A collection failed; {@code errorType} is low-cardinality ({@code statement_timeout}, {@code connection}, ...). */
  void failed(String collector, String errorType, Duration took);

  /** A tick was skipped ({@code pool_busy}, {@code pool_exhausted}, {@code overrun}, {@code circuit_open}). */
  void skipped(String collector, String reason);
}
