package io.pgintel.benchmarks;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one call-site sample costs: reading the stack of another thread ({@code Thread.getStackTrace()}), which
 * pgintel's activity sampler does for at most {@code call-site-samples} running statements a sample. The target
 * thread sits {@code depth} frames deep, either parked (as a thread waiting for the server's answer is, in a
 * socket read) or running Java code, which the walk must first bring to a stop.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class StackWalkBenchmark {

  @Param({"50", "200"})
  public int depth;

  @Param({"parked", "running"})
  public String target;

  private Thread thread;
  /** The target and three more like it, for the reads of several threads. */
  private final Thread[] four = new Thread[4];
  private final long[] fourIds = new long[4];
  private volatile boolean stop;
  /** Written by the running target, so that its loop is not optimised away. */
  public volatile long sink;

  @Setup(Level.Trial)
  public void start() throws InterruptedException {
    CountDownLatch deep = new CountDownLatch(four.length);
    for (int i = 0; i < four.length; i++) {
      four[i] = new Thread(() -> descend(depth, deep), "target-" + i);
      four[i].setDaemon(true);
      four[i].start();
      fourIds[i] = four[i].getId();
    }
    thread = four[0];
    deep.await();
  }

  @TearDown(Level.Trial)
  public void end() throws InterruptedException {
    stop = true;
    for (Thread t : four) {
      LockSupport.unpark(t);
      t.join();
    }
  }

  @Benchmark
  public StackTraceElement[] walk() {
    return thread.getStackTrace();
  }

  /** The top 32 frames only, through the management interface. */
  @Benchmark
  public StackTraceElement[] walkTop32() {
    return THREADS.getThreadInfo(thread.getId(), 32).getStackTrace();
  }

  /** Four threads' stacks one after the other: four stops (on Java 17 and 18, four safepoints of the JVM). */
  @Benchmark
  public int fourApart() {
    int frames = 0;
    for (Thread t : four) {
      frames += t.getStackTrace().length;
    }
    return frames;
  }

  /** The same four in one read (what pgintel does on Java 17 and 18): one safepoint. */
  @Benchmark
  public int fourTogether() {
    int frames = 0;
    for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(fourIds, Integer.MAX_VALUE)) {
      frames += info.getStackTrace().length;
    }
    return frames;
  }

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private void descend(int frames, CountDownLatch deep) {
    if (frames > 0) {
      descend(frames - 1, deep);
      return;
    }
    deep.countDown();
    long n = 0;
    while (!stop) {
      if (target.equals("parked")) {
        LockSupport.park(this);
      } else {
        n++;
        if ((n & 0xFFFF) == 0) {
          sink = n;
        }
      }
    }
  }
}
