package io.pgintel.collect.activity;

import io.pgintel.collect.EventRecord;
import java.util.List;

/**
 * Sessions waiting on locks, traced back to the one that holds everyone up: a {@code db.server.blocking_chain}
 * event. An idle-in-transaction root blocker is the classic outage.
 *
 * @param root the session no one in the chain waits for (it may itself be idle in transaction)
 * @param waiters every session waiting, directly or through others, on the root
 * @param longestWaitSeconds the longest lock wait in the chain
 */
public record BlockingChain(ActivitySample root, List<Waiter> waiters, double longestWaitSeconds)
    implements SessionEvent {

  /** Fields for sampling rules besides the root session's own ({@link ActivitySample#FIELDS}) and its query's. */
  public static final List<String> FIELDS = List.of("waiters", "longest_wait_ms");

  /** The root blocker: the session the chain is about. */
  @Override
  public ActivitySample session() {
    return root;
  }

  @Override
  public String kind() {
    return "blocking_chain";
  }

  @Override
  public Severity severity() {
    return Severity.WARN;
  }

  /**
   * The same root holding up the same sessions for the same (whole-second) longest wait: the activity collector
   * reports a chain again each aggregation interval while it lasts, with a longer wait, and those are not
   * duplicates.
   */
  @Override
  public long occurrence() {
    List<Integer> pids = new java.util.ArrayList<>();
    for (Waiter w : waiters) {
      pids.add(w.session().pid());
    }
    java.util.Collections.sort(pids);
    return EventRecord.hash(kind(), root.pid(), root.queryStartMicros(), pids, (long) longestWaitSeconds);
  }

  @Override
  public Object field(String name) {
    return switch (name) {
      case "waiters" -> waiters.size();
      case "longest_wait_ms" -> longestWaitSeconds * 1000;
      default -> SessionEvent.super.field(name);
    };
  }

  /**
   * One waiting session and the lock it wants.
   *
   * @param blockedBy the sessions it waits for directly
   * @param lockType {@code relation}, {@code transactionid}, {@code tuple}, ...
   * @param mode the lock mode it asked for, e.g. {@code ShareLock}
   * @param relation the relation's name, when the lock is on one
   * @param waitSeconds how long it has waited
   */
  public record Waiter(ActivitySample session, List<Integer> blockedBy, String lockType, String mode,
      String relation, double waitSeconds) {}
}
