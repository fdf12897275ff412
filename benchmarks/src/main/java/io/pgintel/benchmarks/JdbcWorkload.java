package io.pgintel.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * The application {@link AgentOverheadBenchmark} starts, with and without the agent: a HikariCP pool and a few
 * threads running short primary-key selects (4 in 5) and updates (1 in 5), each on a connection borrowed for it,
 * as a web request would. Its class path holds only this class, HikariCP, the driver and SLF4J, like an
 * application the agent meets. It prints how long the JVM took from launch to {@code main}.
 *
 * <p>Arguments: launch time (epoch ms, taken by the parent just before it started this JVM), then either
 * {@code start-only}, or JDBC URL, user, threads, rows and optionally the pool's size (default: as many connections
 * as threads). In the second form the threads wait; each line
 * {@code run MILLIS} on standard input lets them work for that long and prints one {@code window} line with the
 * operations done and the CPU spent, so that the benchmark can alternate two JVMs window by window; {@code quit}
 * ends the JVM.
 */
public final class JdbcWorkload {

  private static final Object GATE = new Object();
  /** Other threads' CPU when last seen, by thread id, and their running total: see {@link #cpu()}. */
  private static final Map<Long, Long> OTHER_SEEN = new HashMap<>();
  private static long otherTotal;
  private static volatile boolean running;

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
    int connections = args.length > 5 ? Integer.parseInt(args[5]) : threads;
    LongAdder ops = new LongAdder();
    // an application that does other work before it builds its pool (-Dworkload.pool-delay-ms, default none)
    Thread.sleep(Long.getLong("workload.pool-delay-ms", 0));
    try (HikariDataSource pool = pool(args[1], args[2], connections)) {
      for (int i = 0; i < threads; i++) {
        Thread worker = new Thread(() -> work(pool, rows, ops), "workload-" + i);
        worker.setDaemon(true);
        worker.start();
      }
      System.out.println("ready agent.active=" + System.getProperty("pgintel.agent.active"));
      System.out.flush();
      BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = commands.readLine(); line != null && line.startsWith("run "); line = commands.readLine()) {
        window(Long.parseLong(line.substring(4)), ops);
      }
    }
    System.exit(0);
  }

  /** Lets the threads work for {@code millis} and prints what they did, and what the JVM's other threads spent. */
  private static void window(long millis, LongAdder ops) throws InterruptedException {
    long[] cpuBefore = cpu();
    long compileBefore = compileMillis();
    long before = ops.sum();
    long start = System.nanoTime();
    synchronized (GATE) {
      running = true;
      GATE.notifyAll();
    }
    Thread.sleep(millis);
    running = false;
    long done = ops.sum() - before;
    long nanos = System.nanoTime() - start;
    long[] cpuAfter = cpu();
    // CPU is less at the mercy of a busy machine than throughput: what the application's threads spent (the
    // statement hooks run there); the JVM's other threads (the agent's) as a running total, since they also
    // work while this JVM waits for its next window
    System.out.println("window ops=" + done + " nanos=" + nanos + " app.cpu.ns=" + (cpuAfter[0] - cpuBefore[0])
        + " other.cpu.total.ns=" + cpuAfter[1] + " compile.ms=" + (compileMillis() - compileBefore)
        + " at.ns=" + System.nanoTime());
    System.out.flush();
  }

  /**
   * CPU nanoseconds of the workload's threads, and of every other Java thread of this JVM as a running total that
   * never goes down: a thread that ends takes its CPU time out of a plain sum, so the total adds each thread's
   * growth since it was last seen (a thread that ended keeps what was counted; only its last few moments are lost).
   */
  private static long[] cpu() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long[] sums = new long[2];
    Set<Long> alive = new HashSet<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long nanos = threads.getThreadCpuTime(info.getThreadId());
      if (nanos <= 0) {
        continue;
      }
      if (info.getThreadName().startsWith("workload-")) {
        sums[0] += nanos;
      } else {
        alive.add(info.getThreadId());
        Long last = OTHER_SEEN.put(info.getThreadId(), nanos);
        otherTotal += nanos - (last == null ? 0 : last);
      }
    }
    OTHER_SEEN.keySet().retainAll(alive);
    sums[1] = otherTotal;
    return sums;
  }

  /** Time the JIT compilers have spent so far: a window that compiles much is not the steady state yet. */
  private static long compileMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
  }

  private static void work(HikariDataSource pool, int rows, LongAdder ops) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (true) {
      if (!running) {
        synchronized (GATE) {
          while (!running) {
            try {
              GATE.wait();
            } catch (InterruptedException e) {
              return;
            }
          }
        }
      }
      try {
        operation(pool, random, rows);
        ops.increment();
      } catch (SQLException e) {
        // the pool closing at the end; anything else shows up as lower throughput
        if (pool.isClosed()) {
          return;
        }
      }
    }
  }

  /** The application's pool: {@code connections} connections (the benchmarks' default: one per thread), all open. */
  static HikariDataSource pool(String url, String user, int connections) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setMaximumPoolSize(connections);
    config.setMinimumIdle(connections);
    return new HikariDataSource(config);
  }

  /** Makes the table the operations work on, {@code rows} rows with ids 1 to {@code rows}, analyzed. */
  static void createAccounts(DataSource ds, int rows) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL); "
          + "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, " + rows + ") g");
      s.execute("VACUUM ANALYZE accounts");
    }
  }

  /**
   * One operation as a web request would make it: a connection borrowed, a primary-key select (4 in 5) or update
   * (1 in 5) on it, the connection returned.
   */
  static void operation(DataSource pool, ThreadLocalRandom random, int rows) throws SQLException {
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
    }
  }
}
