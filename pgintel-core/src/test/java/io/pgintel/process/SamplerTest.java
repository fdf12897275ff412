package io.pgintel.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.collect.EventRecord;
import io.pgintel.collect.EventRecord.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SamplerTest {

  /** An event of one query (key) with a mean time and a wait event type. */
  record Event(long key, long occurrence, double meanMs, String waitEventType, Severity severity)
      implements EventRecord {
    @Override
    public String kind() {
      return "test";
    }

    @Override
    public long samplingKey() {
      return key;
    }

    @Override
    public Object field(String name) {
      return switch (name) {
        case "mean_exec_time_ms" -> meanMs;
        case "wait_event_type" -> waitEventType;
        case "severity" -> severity;
        default -> null;
      };
    }
  }

  record Metric(long value) {}

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  private static Sampler.Rule rule(String name, String when, double rate, int priority, int max) {
    return new Sampler.Rule(name, Condition.parse(when, Sampler.knownFields()), rate, priority, max);
  }

  private static Map<String, Long> decisions(ProcessorStats stats) {
    Map<String, Long> out = new java.util.TreeMap<>();
    for (ProcessorStats.Count c : stats.decisions()) {
      out.put(c.detail(), c.value());
    }
    return out;
  }

  private static List<? extends Record> run(Sampler sampler, ProcessorStats stats, Instant at, List<Record> records) {
    return sampler.process(new Batch("test", List.copyOf(records), at, Duration.ofSeconds(10), stats.stage("s")));
  }

  /** A long transaction's session fields, the one added for it included, reach a rule. */
  @Test
  void aRuleSelectsLongTransactionsByHowLongTheyHaveBeenIdle() {
    Condition idle = Condition.parse("kind == 'long_transaction' and state_age_ms > 30000", Sampler.knownFields());
    assertTrue(idle.test(longTransaction(45.0)));
    assertFalse(idle.test(longTransaction(10.0)));
  }

  private static io.pgintel.collect.activity.LongTransaction longTransaction(double idleSeconds) {
    return new io.pgintel.collect.activity.LongTransaction(new io.pgintel.collect.activity.ActivitySample(7, "shop",
        "app", "", null, "client backend", "idle in transaction", "Client", "ClientRead", null, 90.0, 50.0, 0L, 0L,
        idleSeconds, null, null, List.of(), null, null), null);
  }

  @Test
  void eachRuleKeepsItsShareOfOneHundredThousandRecords() {
    Sampler sampler = new Sampler(List.of(
        rule("slow", "mean_exec_time_ms > 1000", 50, 10, 0),
        rule("locks", "wait_event_type == 'Lock'", 20, 5, 0),
        rule("warnings", "severity >= WARN", 75, 1, 0)), 7.5, Duration.ZERO, 1);
    Random random = new Random(20261122);
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      records.add(new Event(random.nextLong(), i, random.nextDouble() * 2000,
          random.nextInt(4) == 0 ? "Lock" : "IO", random.nextInt(3) == 0 ? Severity.WARN : Severity.INFO));
    }
    ProcessorStats stats = new ProcessorStats();
    run(sampler, stats, T0, records);
    Map<String, Long> d = decisions(stats);
    for (Object[] expected : new Object[][] {{"slow", 50.0}, {"locks", 20.0}, {"warnings", 75.0},
        {"default", 7.5}}) {
      String name = (String) expected[0];
      long kept = d.getOrDefault(name + ":kept", 0L);
      long total = kept + d.getOrDefault(name + ":dropped", 0L);
      assertTrue(total > 5_000, name + " matched only " + total);
      double share = 100.0 * kept / total;
      assertEquals((Double) expected[1], share, 1.0, name + " kept " + share + "% of " + total);
    }
    assertEquals(100_000, d.values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void theFirstMatchingRuleByPriorityDecides() {
    Sampler sampler = new Sampler(List.of(
        rule("low", "mean_exec_time_ms > 0", 100, 1, 0),
        rule("high", "mean_exec_time_ms > 1000", 0, 9, 0)), 100, Duration.ZERO, 1);
    ProcessorStats stats = new ProcessorStats();
    List<? extends Record> out = run(sampler, stats, T0, List.of(
        new Event(1, 1, 5000, "IO", Severity.INFO), new Event(2, 2, 5, "IO", Severity.INFO)));
    assertEquals(List.of(new Event(2, 2, 5, "IO", Severity.INFO)), out);
    assertEquals(Map.of("high:dropped", 1L, "low:kept", 1L), decisions(stats));
    assertEquals(List.of("high", "low"), sampler.rules().stream().map(Sampler.Rule::name).toList());
  }

  @Test
  void aQueryIsConsistentlyInOrOutAndNestedAcrossRates() {
    Random random = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      long key = random.nextLong();
      boolean at10 = Sampler.sampled(key, 10);
      assertEquals(at10, Sampler.sampled(key, 10));
      if (at10) {
        assertTrue(Sampler.sampled(key, 50), "kept at 10% but not at 50%");
      }
      assertTrue(Sampler.sampled(key, 100));
      assertTrue(!Sampler.sampled(key, 0));
    }
  }

  @Test
  void capsHoldPerMinuteAndResetWithTheNextMinute() {
    Sampler sampler = new Sampler(List.of(rule("all", "severity >= INFO", 100, 0, 25)), 100, Duration.ZERO, 1);
    ProcessorStats stats = new ProcessorStats();
    long occurrence = 0;
    int keptFirstMinute = 0;
    for (int batch = 0; batch < 6; batch++) {
      List<Record> records = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        records.add(new Event(occurrence, occurrence++, 1, "IO", Severity.INFO));
      }
      keptFirstMinute += run(sampler, stats, T0.plusSeconds(batch * 10L), records).size();
    }
    assertEquals(25, keptFirstMinute);
    List<Record> next = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      next.add(new Event(occurrence, occurrence++, 1, "IO", Severity.INFO));
    }
    assertEquals(10, run(sampler, stats, T0.plusSeconds(60), next).size());
    assertEquals(Map.of("all:kept", 35L, "all:capped", 35L), decisions(stats));
  }

  @Test
  void duplicatesAreDroppedWithinTheWindowAndMetricsPassUntouched() {
    Sampler sampler = new Sampler(List.of(), 100, Duration.ofMinutes(10), 100);
    ProcessorStats stats = new ProcessorStats();
    Metric metric = new Metric(1);
    Event event = new Event(1, 42, 1, "IO", Severity.INFO);
    assertEquals(List.of(metric, event), run(sampler, stats, T0, List.of(metric, event)));
    assertEquals(List.of(metric), run(sampler, stats, T0.plusSeconds(60), List.of(metric, event)));
    assertEquals(List.of(event), run(sampler, stats, T0.plus(Duration.ofMinutes(20)), List.of(event)));
    assertEquals(Map.of("default:kept", 2L, "duplicate", 1L), decisions(stats));
  }

  @Test
  void anEventDroppedByItsCapIsNoDuplicateWhenItComesBack() {
    Sampler sampler = new Sampler(List.of(rule("one", "severity >= INFO", 100, 0, 1)), 100, Duration.ofMinutes(10),
        100);
    ProcessorStats stats = new ProcessorStats();
    Event first = new Event(1, 1, 1, "IO", Severity.INFO);
    Event capped = new Event(2, 2, 1, "IO", Severity.INFO);
    assertEquals(List.of(first), run(sampler, stats, T0, List.of(first, capped)));
    assertEquals(List.of(capped), run(sampler, stats, T0.plusSeconds(60), List.of(capped)));
    assertEquals(Map.of("one:kept", 2L, "one:capped", 1L), decisions(stats));
  }

  @Test
  void theWindowCountsFromWhenTheEventWasPassedOn() {
    Sampler sampler = new Sampler(List.of(), 100, Duration.ofMinutes(10), 100);
    ProcessorStats stats = new ProcessorStats();
    Event event = new Event(1, 42, 1, "IO", Severity.INFO);
    run(sampler, stats, T0, List.of(event));
    for (int minute = 5; minute < 10; minute++) {
      assertEquals(List.of(), run(sampler, stats, T0.plus(Duration.ofMinutes(minute)), List.of(event)));
    }
    assertEquals(List.of(event), run(sampler, stats, T0.plus(Duration.ofMinutes(11)), List.of(event)),
        "recurring duplicates do not keep it out for ever");
  }

  @Test
  void theDuplicateMemoryIsBounded() {
    Sampler sampler = new Sampler(List.of(), 100, Duration.ofHours(1), 100);
    ProcessorStats stats = new ProcessorStats();
    List<Record> first = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      first.add(new Event(i, i, 1, "IO", Severity.INFO));
    }
    run(sampler, stats, T0, first);
    // only the last 100 occurrences are remembered: the first ones come through again
    assertEquals(1, run(sampler, stats, T0, List.of(new Event(0, 0, 1, "IO", Severity.INFO))).size());
    assertEquals(0, run(sampler, stats, T0, List.of(new Event(999, 999, 1, "IO", Severity.INFO))).size());
  }
}
