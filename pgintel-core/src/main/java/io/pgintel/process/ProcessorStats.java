package io.pgintel.process;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** What the stages of one chain did, as cumulative counts for pgintel's own telemetry. */
public final class ProcessorStats {

  /** Distinct reasons kept per stage; a stage that invents more is folded into {@code other}. */
  static final int MAX_REASONS = 200;

  /** What a stage did to a record. */
  public enum Outcome {
    KEPT, CHANGED, DROPPED, ADDED, ERROR;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** One cumulative count. {@code detail} is an outcome label or a reason. */
  public record Count(String stage, String detail, long value) {}

  private final Map<String, Stage> stages = new ConcurrentHashMap<>();

  public ProcessorStats() {}

  Stage stage(String name) {
    return stages.computeIfAbsent(name, n -> new Stage());
  }

  /** Records per stage and outcome ({@link Outcome#label()}). */
  public List<Count> outcomes() {
    List<Count> out = new ArrayList<>();
    stages.forEach((name, s) -> {
      for (Outcome o : Outcome.values()) {
        long v = s.outcomes[o.ordinal()].sum();
        if (v > 0) {
          out.add(new Count(name, o.label(), v));
        }
      }
    });
    return out;
  }

  /** Decisions per stage and reason. */
  public List<Count> decisions() {
    List<Count> out = new ArrayList<>();
    stages.forEach((name, s) -> s.reasons.forEach((reason, n) -> out.add(new Count(name, reason, n.sum()))));
    return out;
  }

  /** The counts of one stage. */
  static final class Stage {
    private final LongAdder[] outcomes = new LongAdder[Outcome.values().length];
    private final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();

    Stage() {
      for (int i = 0; i < outcomes.length; i++) {
        outcomes[i] = new LongAdder();
      }
    }

    void add(Outcome outcome, long n) {
      if (n > 0) {
        outcomes[outcome.ordinal()].add(n);
      }
    }

    void count(String reason, long n) {
      LongAdder a = reasons.get(reason);
      if (a == null) {
        a = reasons.size() < MAX_REASONS ? reasons.computeIfAbsent(reason, r -> new LongAdder())
            : reasons.computeIfAbsent("other", r -> new LongAdder());
      }
      a.add(n);
    }

    long outcome(Outcome outcome) {
      return outcomes[outcome.ordinal()].sum();
    }

    long reason(String reason) {
      LongAdder a = reasons.get(reason);
      return a == null ? 0 : a.sum();
    }
  }
}
