package io.pgintel.test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Application code outside pgintel's packages (whose frames a stack walk skips as infrastructure): a thread that
 * holds a connection while it waits on something else.
 */
public final class WaitingApplication {

  private WaitingApplication() {}

  /** Waits for {@code reply}, at most 30 seconds. */
  public static void awaitReply(CountDownLatch reply) {
    try {
      reply.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
