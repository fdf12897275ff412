package io.pgintel.collect.activity;

import java.util.List;

/**
 * Sessions waiting on locks, traced back to the one that holds everyone up: a {@code db.server.blocking_chain}
 * event. An idle-in-transaction root blocker is the classic outage.
 *
 * @param root the session no one in the chain waits for (it may itself be idle in transaction)
 * @param waiters every session waiting, directly or through others, on the root
 * @param longestWaitSeconds the longest lock wait in the chain
 */
public record BlockingChain(ActivitySample root, List<Waiter> waiters, double longestWaitSeconds) {

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
