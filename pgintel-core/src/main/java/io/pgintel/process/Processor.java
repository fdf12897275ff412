package io.pgintel.process;

import java.util.List;

/**
 * One stage of the processing chain between collectors and the emitter: takes one collection's records and
 * returns the records to pass on. A processor never does I/O and never blocks; it may keep bounded state from one
 * batch to the next (a sampler's per-minute counts, the last plan hash of a query).
 *
 * <p>What a stage did is read from what it returns, by identity: an input instance returned as is was kept, an
 * input left out was dropped, a new instance is a change or an addition. The chain counts these per stage in
 * {@code pgintel.processor.records}; a stage adds its reasons (the sampling rule that decided, the check that
 * failed) with {@link Batch#count(String, long)}.
 *
 * <p>A stage that throws is skipped for that batch (its input goes on unchanged) and counted as an error: a
 * processor of the application's own cannot stop collection.
 */
public interface Processor {

  /** Low-cardinality name, used in pgintel's own telemetry ({@code pgintel.processor}). */
  String name();

  /** Returns the records to pass on; may be {@code batch.records()} itself. Called by one thread at a time. */
  List<? extends Record> process(Batch batch);
}
