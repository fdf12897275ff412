package io.pgintel.process;

import io.pgintel.collect.EventRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Thins out events (never metrics) by rules: the first rule whose condition matches, highest priority first,
 * decides with its rate and its cap per minute; events no rule matches are kept at the default rate.
 *
 * <p>The decision is a pure function of the event's {@link EventRecord#samplingKey()} (its query's fingerprint)
 * and the rate: a query is consistently in or out, so the events that are kept tell a whole story, and a query
 * kept at 10 % is also kept at 50 %. An event whose occurrence was already passed on within the duplicate window
 * (counted from when it was passed on) is dropped. Time is the batch's, so that decisions do not depend on when the chain runs.
 *
 * <p>Decisions are counted by rule: {@code <rule>:kept}, {@code <rule>:dropped} (rate), {@code <rule>:capped}
 * (cap per minute), and {@code duplicate}.
 */
public final class Sampler implements Processor {

  /** Name of the decision for events no rule matches. */
  public static final String DEFAULT_RULE = "default";

  private static final long BUCKETS = 1_000_000;

  private final List<Rule> rules;
  private final double defaultRate;
  private final long dedupWindowMillis;
  private final int dedupCapacity;
  private final LinkedHashMap<Long, Long> seen = new LinkedHashMap<>();
  private final Map<String, long[]> minuteCounts = new HashMap<>();

  /**
   * A sampling rule.
   *
   * @param rate percent of matching events kept, 0 to 100
   * @param priority rules with a higher priority are tried first; equal ones by name
   * @param maxPerMinute most events this rule keeps per minute, 0 for no cap
   */
  public record Rule(String name, Condition when, double rate, int priority, int maxPerMinute) {
    public Rule {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(when, "when");
      if (rate < 0 || rate > 100) {
        throw new IllegalArgumentException("rule " + name + ": rate must be between 0 and 100, not " + rate);
      }
      if (maxPerMinute < 0) {
        throw new IllegalArgumentException("rule " + name + ": max-per-minute must be 0 or more");
      }
    }
  }

  /**
   * @param defaultRate percent of events kept that no rule matches
   * @param dedupWindow how long an occurrence is remembered to drop its duplicates
   * @param dedupCapacity most occurrences remembered (the oldest are forgotten first)
   */
  public Sampler(List<Rule> rules, double defaultRate, Duration dedupWindow, int dedupCapacity) {
    List<Rule> sorted = new ArrayList<>(rules);
    // ties by name: settings come from maps whose order means nothing (system properties, the environment)
    sorted.sort(Comparator.comparingInt(Rule::priority).reversed().thenComparing(Rule::name));
    this.rules = List.copyOf(sorted);
    this.defaultRate = defaultRate;
    this.dedupWindowMillis = dedupWindow.toMillis();
    this.dedupCapacity = dedupCapacity;
  }

  @Override
  public String name() {
    return "sampler";
  }

  /** Every field the events of pgintel's own kinds answer: what a rule's condition may use. */
  public static java.util.Set<String> knownFields() {
    return Fields.KNOWN;
  }

  /** The rules in the order they are tried. */
  public List<Rule> rules() {
    return rules;
  }

  @Override
  public List<? extends Record> process(Batch batch) {
    long now = batch.at().toEpochMilli();
    forgetBefore(now - dedupWindowMillis);
    List<Record> out = new ArrayList<>(batch.records().size());
    for (Record r : batch.records()) {
      if (!(r instanceof EventRecord e)) {
        out.add(r);
        continue;
      }
      long occurrence = e.occurrence();
      if (passedOn(occurrence)) {
        batch.count("duplicate", 1);
        continue;
      }
      Rule rule = match(e);
      String name = rule == null ? DEFAULT_RULE : rule.name();
      if (!sampled(e.samplingKey(), rule == null ? defaultRate : rule.rate())) {
        batch.count(name + ":dropped", 1);
      } else if (rule != null && rule.maxPerMinute() > 0 && !withinCap(rule, now)) {
        batch.count(name + ":capped", 1);
      } else {
        batch.count(name + ":kept", 1);
        remember(occurrence, now);
        out.add(r);
      }
    }
    return out;
  }

  /** Whether an event with this key is kept at this rate: the same answer for the same key, every time. */
  static boolean sampled(long key, double ratePercent) {
    if (ratePercent >= 100) {
      return true;
    }
    long bucket = Long.remainderUnsigned(EventRecord.mix(key), BUCKETS);
    return bucket < ratePercent / 100 * BUCKETS;
  }

  private Rule match(EventRecord e) {
    for (Rule rule : rules) {
      if (rule.when().test(e)) {
        return rule;
      }
    }
    return null;
  }

  private boolean withinCap(Rule rule, long now) {
    long minute = now / 60_000;
    long[] c = minuteCounts.computeIfAbsent(rule.name(), n -> new long[2]);
    if (c[0] != minute) {
      c[0] = minute;
      c[1] = 0;
    }
    if (c[1] >= rule.maxPerMinute()) {
      return false;
    }
    c[1]++;
    return true;
  }

  /** Whether this occurrence was passed on within the window (a dropped or capped one was not). */
  private boolean passedOn(long occurrence) {
    return dedupWindowMillis > 0 && seen.containsKey(occurrence);
  }

  /** Remembers an occurrence passed on; the window counts from here, a duplicate does not extend it. */
  private void remember(long occurrence, long now) {
    if (dedupWindowMillis <= 0) {
      return;
    }
    seen.put(occurrence, now);
    if (seen.size() > dedupCapacity) {
      Iterator<Long> it = seen.keySet().iterator();
      it.next();
      it.remove();
    }
  }

  private void forgetBefore(long cutoff) {
    Iterator<Map.Entry<Long, Long>> it = seen.entrySet().iterator();
    while (it.hasNext() && it.next().getValue() < cutoff) {
      it.remove();
    }
  }

  private static final class Fields {
    static final java.util.Set<String> KNOWN;

    static {
      java.util.Set<String> all = new java.util.TreeSet<>();
      all.addAll(EventRecord.COMMON_FIELDS);
      all.addAll(EventRecord.QUERY_FIELDS);
      all.addAll(io.pgintel.collect.statements.TopQuery.FIELDS);
      all.addAll(io.pgintel.collect.activity.ActivitySample.FIELDS);
      all.addAll(io.pgintel.collect.activity.BlockingChain.FIELDS);
      KNOWN = java.util.Collections.unmodifiableSet(all);
    }
  }
}
