package io.pgintel.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.pgintel.collect.functions.FunctionStats;
import io.pgintel.emit.MetricMeasures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CardinalityLimiterTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final Duration INTERVAL = Duration.ofSeconds(60);

  private final ProcessorStats stats = new ProcessorStats();
  private final CardinalityLimiter limiter = new CardinalityLimiter(new MetricMeasures(), 10);

  private List<? extends Record> run(Instant at, List<Record> records) {
    return limiter.process(new Batch("functions", List.copyOf(records), at, INTERVAL, stats.stage("cardinality")));
  }

  private static List<Record> functions(int from, int to) {
    List<Record> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(new FunctionStats("shop", "public.f" + i, i, i, i));
    }
    return out;
  }

  private static long overflowed(List<? extends Record> records) {
    return records.stream().filter(r -> r instanceof CardinalityLimiter.Overflow).count();
  }

  @Test
  void seriesBeyondTheLimitOverflowAndTheTrackedOnesStayTheSame() {
    List<Record> fifteen = functions(0, 15);
    List<? extends Record> first = run(T0, fifteen);
    assertEquals(15, first.size());
    for (int i = 0; i < 10; i++) {
      assertSame(fifteen.get(i), first.get(i));
    }
    for (int i = 10; i < 15; i++) {
      assertSame(fifteen.get(i), assertInstanceOf(CardinalityLimiter.Overflow.class, first.get(i)).record());
    }
    // the next collection, in another order: the same ten are tracked
    List<Record> reversed = new ArrayList<>(functions(0, 15));
    java.util.Collections.reverse(reversed);
    List<? extends Record> second = run(T0.plus(INTERVAL), reversed);
    assertEquals(5, overflowed(second));
    for (Record r : second) {
      if (r instanceof CardinalityLimiter.Overflow o) {
        assertEquals(true, ((FunctionStats) o.record()).calls() >= 10, o.toString());
      }
    }
    assertEquals(10, limiter.tracked(FunctionStats.class));
    assertEquals(10L, stats.decisions().get(0).value());
    assertEquals("overflow:FunctionStats", stats.decisions().get(0).detail());
  }

  @Test
  void aSeriesUnseenForThreeIntervalsGivesUpItsPlace() {
    run(T0, functions(0, 10));
    // f0 is gone (a dropped function); the others are still seen
    run(T0.plus(INTERVAL), functions(1, 10));
    run(T0.plus(INTERVAL.multipliedBy(2)), functions(1, 10));
    assertEquals(1, overflowed(run(T0.plus(INTERVAL.multipliedBy(3)), functions(1, 11))),
        "f0 was seen three intervals ago: not yet stale");
    assertEquals(0, overflowed(run(T0.plus(INTERVAL.multipliedBy(4)), functions(1, 11))), "now f10 takes its place");
    assertEquals(10, limiter.tracked(FunctionStats.class));
  }

  @Test
  void recordsThatAreNotMetricsAreNotCounted() {
    record Event(String text) {}
    Event e = new Event("x");
    assertSame(e, run(T0, List.of(e)).get(0));
    assertEquals(List.of(), stats.decisions());
  }
}
