package io.pgintel.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * The application {@link AgentOverheadBenchmark} starts, with and without the agent: a HikariCP pool and a few
 * threads running short primary-key selects (4 in 5) and updates (1 in 5), each on a connection borrowed for it,
 * as a web request would. Its class path holds only this class, HikariCP, the driver and SLF4J, like an
 * application the agent meets. It prints how long the JVM took from launch to {@code main}, then operations per
 * second over the measured window after a warm-up.
 *
 * <p>Arguments: launch time (epoch ms, taken by the parent just before it started this JVM), then either
 * {@code start-only}, or JDBC URL, user, threads, rows, warm-up seconds, measured seconds.
 */
public final class JdbcWorkload {

  private JdbcWorkload() {}

  public static void main(String[] args) throws Exception {
    long toMain = System.currentTimeMillis() - Long.parseLong(args[0]);
    System.out.println("startup.ms=" + toMain);
    if (args[1].equals("start-only")) {
      System.out.flush();
      System.exit(0);
    }
    int threads = Integer.parseInt(args[3]);
    int rows = Integer.parseInt(args[4]);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(args[1]);
    config.setUsername(args[2]);
    config.setMaximumPoolSize(threads);
    config.setMinimumIdle(threads);
    LongAdder ops = new LongAdder();
    try (HikariDataSource pool = new HikariDataSource(config)) {
      Thread[] workers = new Thread[threads];
      for (int i = 0; i < threads; i++) {
        workers[i] = new Thread(() -> work(pool, rows, ops), "workload-" + i);
        workers[i].setDaemon(true);
        workers[i].start();
      }
      Thread.sleep(Long.parseLong(args[5]) * 1000);
      long[] cpuBefore = cpu();
      long before = ops.sum();
      long start = System.nanoTime();
      Thread.sleep(Long.parseLong(args[6]) * 1000);
      long done = ops.sum() - before;
      double seconds = (System.nanoTime() - start) / 1e9;
      long[] cpuAfter = cpu();
      System.out.println("ops.per.second=" + Math.round(done / seconds));
      // CPU is less at the mercy of a busy machine than throughput: what each operation costs the application's
      // threads (the statement hooks run there), and what the JVM's other threads spend per second (the agent's)
      System.out.println("app.cpu.us.per.op=" + (cpuAfter[0] - cpuBefore[0]) / 1000.0 / Math.max(1, done));
      System.out.println("other.cpu.ms.per.s=" + (cpuAfter[1] - cpuBefore[1]) / 1e6 / seconds);
      System.out.println("agent.active=" + System.getProperty("pgintel.agent.active"));
      System.out.flush();
    }
    System.exit(0);
  }

  /** CPU nanoseconds of the workload's threads, and of every other Java thread of this JVM. */
  private static long[] cpu() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long[] sums = new long[2];
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long nanos = threads.getThreadCpuTime(info.getThreadId());
      if (nanos > 0) {
        sums[info.getThreadName().startsWith("workload-") ? 0 : 1] += nanos;
      }
    }
    return sums;
  }

  private static void work(HikariDataSource pool, int rows, LongAdder ops) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (true) {
      int id = 1 + random.nextInt(rows);
      boolean update = random.nextInt(5) == 0;
      try (Connection c = pool.getConnection();
          PreparedStatement s = c.prepareStatement(update
              ? "UPDATE accounts SET balance = balance + 1 WHERE id = ?"
              : "SELECT balance FROM accounts WHERE id = ?")) {
        s.setInt(1, id);
        if (update) {
          s.executeUpdate();
        } else {
          try (ResultSet rs = s.executeQuery()) {
            rs.next();
          }
        }
        ops.increment();
      } catch (SQLException e) {
        // the pool closing at the end; anything else shows up as lower throughput
        if (pool.isClosed()) {
          return;
        }
      }
    }
  }
}
