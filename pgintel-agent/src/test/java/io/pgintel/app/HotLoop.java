package io.pgintel.app;

/**
 * Application code that happens to live under {@code io.pgintel} (as pgintel's samples and benchmarks do): the
 * agent's compiler directives must leave it to C2 like any other application code.
 */
public final class HotLoop {

  private HotLoop() {}

  /** A method hot enough for C2: called in a loop until {@code millis} have passed. */
  public static long run(long millis) {
    long end = System.nanoTime() + millis * 1_000_000L;
    long sum = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 1_000; i++) {
        sum += mix(sum, i);
      }
    }
    return sum;
  }

  static long mix(long sum, int i) {
    return (sum ^ i) * 0x9E3779B97F4A7C15L >>> 7;
  }
}
