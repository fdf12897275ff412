package io.pgintel.process;

import io.pgintel.collect.CollectionListener;
import io.pgintel.runtime.RateLimitedLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a collection's records through the stages in order and hands the result to the next listener (the
 * emitter). Failures and skips pass straight through. Collections of different collectors may run at once, so a
 * stage is called under this chain's lock: stages are cheap, pure and never wait.
 *
 * <p>Outcomes are read by identity (see {@link Processor}). A stage that replaces a record returns a new instance
 * of the same type in its place; the chain counts, per record type, as many of those as it dropped as changed,
 * the rest as dropped or added.
 */
public final class ProcessorChain implements CollectionListener {

  private static final Logger log = LoggerFactory.getLogger(ProcessorChain.class);

  private final List<Processor> stages;
  private final List<String> names;
  private final CollectionListener next;
  private final ProcessorStats stats;
  private final RateLimitedLog failureLog = new RateLimitedLog(log, Duration.ofMinutes(1));

  public ProcessorChain(List<? extends Processor> stages, ProcessorStats stats, CollectionListener next) {
    this.stages = List.copyOf(stages);
    this.stats = Objects.requireNonNull(stats, "stats");
    List<String> n = new ArrayList<>();
    for (Processor p : this.stages) {
      n.add(p.name());
    }
    this.names = List.copyOf(n);
    this.next = Objects.requireNonNull(next, "next");
  }

  /** The stages' names, in order. */
  public List<String> stageNames() {
    return names;
  }

  public ProcessorStats stats() {
    return stats;
  }

  @Override
  public void collected(String collector, List<? extends Record> records, Instant at, Duration interval,
      Duration took) {
    List<? extends Record> current = records;
    synchronized (this) {
      for (int i = 0; i < stages.size(); i++) {
        current = run(stages.get(i), names.get(i), collector, current, at, interval);
      }
    }
    next.collected(collector, current, at, interval, took);
  }

  private List<? extends Record> run(Processor p, String name, String collector, List<? extends Record> in,
      Instant at, Duration interval) {
    ProcessorStats.Stage counts = stats.stage(name);
    try {
      List<? extends Record> out = p.process(new Batch(collector, in, at, interval, counts));
      if (out == null) {
        throw new NullPointerException(name + " returned null");
      }
      out = List.copyOf(out);
      tally(in, out, counts);
      return out;
    } catch (Throwable e) {
      if (e instanceof VirtualMachineError vm && !(e instanceof StackOverflowError)) {
        throw vm;
      }
      // an application's stage may throw anything (an AssertionError, a missing class): it never stops collection
      counts.add(ProcessorStats.Outcome.ERROR, 1);
      failureLog.warn("pgintel processor '{}' failed on a batch of {}; the batch goes on unprocessed: {}",
          name, collector, e.toString());
      return in;
    }
  }

  private static void tally(List<? extends Record> in, List<? extends Record> out, ProcessorStats.Stage counts) {
    if (in == out) {
      counts.add(ProcessorStats.Outcome.KEPT, in.size());
      return;
    }
    Set<Record> inputs = java.util.Collections.newSetFromMap(new IdentityHashMap<>(in.size() * 2));
    inputs.addAll(in);
    Map<Class<?>, int[]> byType = new HashMap<>();
    long kept = 0;
    for (Record r : out) {
      if (inputs.remove(r)) {
        kept++;
      } else {
        byType.computeIfAbsent(r.getClass(), t -> new int[2])[1]++;
      }
    }
    for (Record r : inputs) {
      byType.computeIfAbsent(r.getClass(), t -> new int[2])[0]++;
    }
    counts.add(ProcessorStats.Outcome.KEPT, kept);
    for (int[] dropAdd : byType.values()) {
      int changed = Math.min(dropAdd[0], dropAdd[1]);
      counts.add(ProcessorStats.Outcome.CHANGED, changed);
      counts.add(ProcessorStats.Outcome.DROPPED, dropAdd[0] - changed);
      counts.add(ProcessorStats.Outcome.ADDED, dropAdd[1] - changed);
    }
  }

  @Override
  public void failed(String collector, String errorType, Duration took) {
    next.failed(collector, errorType, took);
  }

  @Override
  public void skipped(String collector, String reason) {
    next.skipped(collector, reason);
  }
}
