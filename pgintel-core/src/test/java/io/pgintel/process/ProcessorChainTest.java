package io.pgintel.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.pgintel.collect.CollectionListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProcessorChainTest {

  record Item(String name, long value) {}

  record Note(String text) {}

  private final List<List<? extends Record>> emitted = new ArrayList<>();
  private final CollectionListener sink = new CollectionListener() {
    @Override
    public void collected(String c, List<? extends Record> records, Instant at, Duration interval, Duration took) {
      emitted.add(records);
    }

    @Override
    public void failed(String c, String errorType, Duration took) {}

    @Override
    public void skipped(String c, String reason) {}
  };

  private static Processor stage(String name, java.util.function.Function<Batch, List<? extends Record>> f) {
    return new Processor() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public List<? extends Record> process(Batch batch) {
        return f.apply(batch);
      }
    };
  }

  private void run(ProcessorChain chain, Record... records) {
    chain.collected("test", List.of(records), Instant.now(), Duration.ofSeconds(10), Duration.ZERO);
  }

  private static Map<String, Long> outcomes(ProcessorStats stats, String stage) {
    return stats.outcomes().stream().filter(c -> c.stage().equals(stage))
        .collect(Collectors.toMap(ProcessorStats.Count::detail, ProcessorStats.Count::value));
  }

  @Test
  void stagesRunInOrderAndTheLastOutputReachesTheEmitter() {
    List<String> calls = new ArrayList<>();
    ProcessorStats stats = new ProcessorStats();
    ProcessorChain chain = new ProcessorChain(List.of(
        stage("first", b -> {
          calls.add("first");
          return b.records().stream().filter(r -> ((Item) r).value() > 1).toList();
        }),
        stage("second", b -> {
          calls.add("second");
          assertEquals(1, b.records().size());
          return b.records();
        })), stats, sink);
    Item keep = new Item("a", 2);
    run(chain, new Item("b", 1), keep);
    assertEquals(List.of("first", "second"), calls);
    assertEquals(1, emitted.size());
    assertSame(keep, emitted.get(0).get(0));
    assertEquals(List.of("first", "second"), chain.stageNames());
  }

  @Test
  void outcomesAreCountedByIdentity() {
    ProcessorStats stats = new ProcessorStats();
    ProcessorChain chain = new ProcessorChain(List.of(stage("edit", b -> {
      List<Record> out = new ArrayList<>();
      for (Record r : b.records()) {
        Item i = (Item) r;
        if (i.value() == 0) {
          continue; // dropped
        }
        out.add(i.value() < 0 ? new Item(i.name(), -i.value()) : i); // changed or kept
      }
      out.add(new Note("derived")); // added
      b.count("negated", 1);
      return out;
    })), stats, sink);
    run(chain, new Item("kept", 1), new Item("kept too", 2), new Item("gone", 0), new Item("changed", -3));
    assertEquals(Map.of("kept", 2L, "changed", 1L, "dropped", 1L, "added", 1L), outcomes(stats, "edit"));
    assertEquals(List.of(new ProcessorStats.Count("edit", "negated", 1)), stats.decisions());
  }

  @Test
  void aFailingStageIsSkippedAndCounted() {
    ProcessorStats stats = new ProcessorStats();
    ProcessorChain chain = new ProcessorChain(List.of(
        stage("broken", b -> {
          throw new IllegalStateException("bug");
        }),
        stage("null", b -> null),
        stage("asserting", b -> {
          throw new AssertionError("an application's stage may throw an Error too");
        })), stats, sink);
    Item item = new Item("a", 1);
    run(chain, item);
    assertSame(item, emitted.get(0).get(0));
    assertEquals(Map.of("error", 1L), outcomes(stats, "broken"));
    assertEquals(Map.of("error", 1L), outcomes(stats, "null"));
    assertEquals(Map.of("error", 1L), outcomes(stats, "asserting"));
  }

  @Test
  void reasonsBeyondTheBoundAreFoldedIntoOther() {
    ProcessorStats stats = new ProcessorStats();
    ProcessorChain chain = new ProcessorChain(List.of(stage("chatty", b -> {
      for (int i = 0; i < ProcessorStats.MAX_REASONS + 50; i++) {
        b.count("reason-" + i, 1);
      }
      return b.records();
    })), stats, sink);
    run(chain, new Item("a", 1));
    assertEquals(ProcessorStats.MAX_REASONS + 1, stats.decisions().size());
    assertEquals(50, stats.decisions().stream().filter(c -> c.detail().equals("other")).mapToLong(
        ProcessorStats.Count::value).sum());
  }
}
