package io.pgintel.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.pgintel.collect.functions.FunctionStats;
import io.pgintel.emit.MetricMeasures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class VerifierTest {

  record NotAMetric(String text) {}

  private final ProcessorStats stats = new ProcessorStats();

  private List<? extends Record> run(Processor p, Record... records) {
    return p.process(new Batch("functions", List.of(records), Instant.now(), Duration.ofSeconds(60),
        stats.stage(p.name())));
  }

  private Map<String, Long> decisions() {
    Map<String, Long> out = new TreeMap<>();
    stats.decisions().forEach(c -> out.put(c.detail(), c.value()));
    return out;
  }

  @Test
  void goodRecordsAndEventsPassAsTheyAre() {
    Verifier v = new Verifier(new MetricMeasures(), 100);
    FunctionStats good = new FunctionStats("shop", "public.f", 3, 1.5, 1.0);
    NotAMetric event = new NotAMetric("x");
    List<? extends Record> out = run(v, good, event);
    assertEquals(2, out.size());
    assertSame(good, out.get(0));
    assertSame(event, out.get(1));
    assertEquals(Map.of(), decisions());
  }

  @Test
  void recordsThatWouldMisleadAreDroppedWithTheReason() {
    Verifier v = new Verifier(new MetricMeasures(), 100);
    FunctionStats good = new FunctionStats("shop", "public.f", 3, 1.5, 1.0);
    List<? extends Record> out = run(v,
        new FunctionStats(null, "public.f", 3, 1.5, 1.0),
        new FunctionStats("shop", "public.g", 3, Double.NaN, 1.0),
        new FunctionStats("shop", "public.h", 3, 1.0, Double.POSITIVE_INFINITY),
        new FunctionStats("shop", "public.i", -1, 1.0, 1.0),
        good);
    assertEquals(List.of(good), out);
    assertEquals(Map.of("missing_attribute", 1L, "not_finite", 2L, "negative", 1L), decisions());
  }

  @Test
  void aCounterGoingBackwardsIsFlaggedAndKept() {
    Verifier v = new Verifier(new MetricMeasures(), 100);
    run(v, new FunctionStats("shop", "public.f", 10, 5, 5));
    run(v, new FunctionStats("shop", "public.f", 12, 6, 6));
    FunctionStats reset = new FunctionStats("shop", "public.f", 1, 0.1, 0.1);
    assertEquals(List.of(reset), run(v, reset));
    // calls, total_time and self_time all went down
    assertEquals(Map.of("counter_decreased", 3L), decisions());
    run(v, new FunctionStats("shop", "public.g", 0, 0, 0));
    assertEquals(Map.of("counter_decreased", 3L), decisions(), "a new series is not a decrease");
  }

  @Test
  void rememberedCountersAreBounded() {
    Verifier v = new Verifier(new MetricMeasures(), 3);
    run(v, new FunctionStats("shop", "public.f", 10, 5, 5));
    // three series of g push f's three series out
    run(v, new FunctionStats("shop", "public.g", 10, 5, 5));
    run(v, new FunctionStats("shop", "public.f", 1, 1, 1));
    assertEquals(Map.of(), decisions(), "f was forgotten, so its lower values are not a decrease");
  }
}
