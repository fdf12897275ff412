package io.pgintel.benchmarks;

import static io.pgintel.benchmarks.AgentOverheadBenchmark.quantile;

import com.zaxxer.hikari.HikariDataSource;
import io.opentelemetry.api.OpenTelemetry;
import io.pgintel.PgIntel;
import io.pgintel.PgIntelBuilder;
import io.pgintel.collect.BuiltInCollectors;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * What pgintel's collections cost an application through its connection pool, in two measurements on the
 * {@link JdbcWorkload} operation (HikariCP with as many connections as busy threads, 4 and 4, embedded PostgreSQL,
 * one JVM): the worst case for a fifth user of the pool, where every connection it takes leaves an application
 * thread waiting.
 *
 * <ul>
 *   <li>{@code --mode hold}: what holding one of the pool's connections costs. A background thread borrows a
 *       connection about {@code --per-second} times a second (it sleeps {@code 1000 / per-second} ms between
 *       borrows) and keeps it {@code --hold-ms} (sleeping), in alternate
 *       2-s windows (on, off, off, on, ...); each pair of adjacent windows gives a ratio of throughput and of the
 *       application threads' CPU per operation, on / off; reported as their geometric mean with its standard
 *       error.</li>
 *   <li>{@code --mode pgintel}: how long pgintel holds the pool's connections. pgintel (the library, with a no-op
 *       OpenTelemetry) reads through the pool at its default settings ({@code --collectors activity} for the
 *       activity sampler alone); a DataSource between them times each borrow from {@code getConnection}'s return to
 *       {@code close} and counts the statements executed. Reported per second of the measured time, after
 *       {@code --warmup} seconds in which every collector has run.</li>
 * </ul>
 *
 * <p>Run from the repository root, after {@code mvn -B -q -DskipTests -pl benchmarks -am package}:
 * {@code java -cp benchmarks/target/benchmarks.jar io.pgintel.benchmarks.PoolHoldBenchmark --mode hold
 * --per-second 10 --hold-ms 1} or {@code ... --mode pgintel [--collectors activity] [--seconds 120]}.
 */
public final class PoolHoldBenchmark {

  private static final int ROWS = 10_000;
  private static final int THREADS = 4;

  private static volatile boolean holding;
  /** In pgintel mode: inside the measured seconds. */
  private static volatile boolean measuring;
  private static volatile boolean stopped;

  private PoolHoldBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchmarkOptions options = new BenchmarkOptions(args,
        Set.of("mode", "per-second", "hold-ms", "windows", "warmup", "collectors", "seconds"));
    String mode = options.string("mode", "hold");
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setServerConfig("shared_preload_libraries", "pg_stat_statements").start()) {
      DataSource ds = pg.getPostgresDatabase();
      Sql.exec(ds, "CREATE EXTENSION pg_stat_statements");
      JdbcWorkload.createAccounts(ds, ROWS);
      try (HikariDataSource pool = JdbcWorkload.pool(pg.getJdbcUrl("postgres", "postgres"), "postgres", THREADS)) {
        LongAdder ops = new LongAdder();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          Thread worker = new Thread(() -> work(pool, ops), "workload-" + t);
          worker.setDaemon(true);
          worker.start();
          workers.add(worker);
        }
        switch (mode) {
          case "hold" -> hold(pool, ops, workers, options.intValue("per-second", 10), options.intValue("hold-ms", 1),
              options.intValue("windows", 60), options.intValue("warmup", 20));
          case "pgintel" -> pgintel(pool, ops, options.string("collectors", "all"), options.intValue("warmup", 65),
              options.intValue("seconds", 120));
          default -> throw new IllegalArgumentException("--mode is hold or pgintel, not " + mode);
        }
        stopped = true;
      }
    }
  }

  private static void work(DataSource pool, LongAdder ops) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (!stopped) {
      try {
        JdbcWorkload.operation(pool, random, ROWS);
        ops.increment();
      } catch (SQLException e) {
        if (!stopped) {
          throw new IllegalStateException("an operation failed; the figures would not be comparable", e);
        }
      }
    }
  }

  private static void hold(HikariDataSource pool, LongAdder ops, List<Thread> workers, int perSecond, int holdMillis,
      int windows, int warmup) throws InterruptedException {
    Thread holder = new Thread(() -> {
      while (!stopped) {
        try {
          Thread.sleep(1000 / perSecond);
          if (holding) {
            try (Connection c = pool.getConnection()) {
              Thread.sleep(holdMillis);
            }
          }
        } catch (InterruptedException | SQLException e) {
          return;
        }
      }
    }, "holder");
    holder.setDaemon(true);
    holder.start();
    System.out.printf(Locale.ROOT, "JDBC workload: %d threads, HikariCP with %d connections; a thread holds one of "
        + "them %d times a second for %d ms in alternate windows; %d s of warm-up, then %d windows of 2 s%n",
        THREADS, THREADS, perSecond, holdMillis, warmup, windows);
    for (long end = System.nanoTime() + warmup * 1_000_000_000L; System.nanoTime() < end; ) {
      holding = !holding;
      Thread.sleep(2000);
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[] throughput = new double[windows];
    double[] cpuPerOp = new double[windows];
    for (int w = 0; w < windows; w++) {
      holding = w % 4 == 0 || w % 4 == 3;
      Thread.sleep(300);
      long ops0 = ops.sum();
      long cpu0 = cpu(threads, workers);
      long t0 = System.nanoTime();
      Thread.sleep(1700);
      long done = ops.sum() - ops0;
      throughput[w] = done * 1e9 / (System.nanoTime() - t0);
      cpuPerOp[w] = (cpu(threads, workers) - cpu0) / (double) done;
    }
    holding = false;
    List<Double> throughputRatios = new ArrayList<>();
    List<Double> cpuRatios = new ArrayList<>();
    for (int w = 0; w + 1 < windows; w += 2) {
      // windows 0, 3, 4, 7, ... held
      int on = w % 4 == 0 ? w : w + 1;
      int off = on == w ? w + 1 : w;
      throughputRatios.add(throughput[on] / throughput[off]);
      cpuRatios.add(cpuPerOp[on] / cpuPerOp[off]);
    }
    System.out.printf(Locale.ROOT, "held / not held, %d pairs of windows: throughput %s; application threads' CPU "
        + "per operation %s%n", throughputRatios.size(), geometricMean(throughputRatios), geometricMean(cpuRatios));
  }

  private static void pgintel(HikariDataSource pool, LongAdder ops, String collectors, int warmup, int seconds)
      throws Exception {
    LongAdder heldNanos = new LongAdder();
    LongAdder holds = new LongAdder();
    LongAdder executes = new LongAdder();
    AtomicLong longest = new AtomicLong();
    AtomicReference<String> longestCalls = new AtomicReference<>("");
    DataSource timed = proxy(DataSource.class, pool, (method, arguments, result, nanos) -> {
      if (!method.equals("getConnection")) {
        return result;
      }
      long lent = System.nanoTime();
      // what this hold spent its time on: each statement's text (its start) and how long its execution took
      StringBuilder calls = new StringBuilder();
      return proxy(Connection.class, (Connection) result, (connectionMethod, connectionArguments, made, took) -> {
        if (connectionMethod.equals("close")) {
          long held = System.nanoTime() - lent;
          heldNanos.add(held);
          holds.increment();
          synchronized (longestCalls) {
            if (measuring && held > longest.get()) {
              longest.set(held);
              longestCalls.set(calls.toString());
            }
          }
        }
        if (made instanceof PreparedStatement ps) {
          String sql = (String) connectionArguments[0];
          return proxy(PreparedStatement.class, ps, (m, a, r, t) -> count(m, sql, t, calls, executes, r));
        }
        if (made instanceof Statement st) {
          return proxy(Statement.class, st, (m, a, r, t) -> count(m, a != null && a.length > 0 && a[0] instanceof String
              ? (String) a[0] : "", t, calls, executes, r));
        }
        return made;
      });
    });
    PgIntelBuilder builder = PgIntel.builder().dataSource(timed).openTelemetry(OpenTelemetry.noop());
    if (!collectors.equals("all")) {
      for (String name : BuiltInCollectors.defaultIntervals().keySet()) {
        builder.collectorEnabled(name, name.equals(collectors));
      }
    }
    System.out.printf(Locale.ROOT, "JDBC workload: %d threads, HikariCP with %d connections; pgintel reads through "
        + "the pool (%s collectors at their default intervals); %d s of warm-up, then %d s measured%n", THREADS,
        THREADS, collectors, warmup, seconds);
    try (PgIntel pgintel = builder.build()) {
      pgintel.start();
      Thread.sleep(warmup * 1000L);
      long held0 = heldNanos.sum();
      long holds0 = holds.sum();
      long executes0 = executes.sum();
      long ops0 = ops.sum();
      long t0 = System.nanoTime();
      measuring = true;
      Thread.sleep(seconds * 1000L);
      measuring = false;
      double elapsed = (System.nanoTime() - t0) / 1e9;
      double held = (heldNanos.sum() - held0) / 1e6;
      long n = holds.sum() - holds0;
      System.out.printf(Locale.ROOT, "pgintel held the pool's connections %.2f ms a second: %.2f borrows a second, "
          + "%.2f ms each, %.2f JDBC executions a second; the application %,.0f operations a second%n"
          + "the longest hold: %.1f ms, executing%s%n", held / elapsed, n / elapsed, held / Math.max(1, n),
          (executes.sum() - executes0) / elapsed, (ops.sum() - ops0) / elapsed, longest.get() / 1e6,
          longestCalls.get());
    }
  }

  /**
   * Counts an execution and notes its statement (the start of the text after pgintel's last marker: the settings
   * statement a query carries in its own text has one too) and time.
   */
  private static Object count(String method, String sql, long nanos, StringBuilder calls, LongAdder executes,
      Object result) {
    if (method.startsWith("execute")) {
      executes.increment();
      int marker = sql.lastIndexOf("/* pgintel */");
      String text = (marker < 0 ? sql : sql.substring(marker + "/* pgintel */".length())).replaceAll("\\s+", " ")
          .trim();
      calls.append(String.format(Locale.ROOT, "%n  %6.2f ms  %s", nanos / 1e6,
          text.substring(0, Math.min(110, text.length()))));
    }
    return result;
  }

  /** Calls on {@code target} through an interface, each result passed through {@code after} with the call's time. */
  private static <T> T proxy(Class<T> type, T target, After after) {
    return type.cast(Proxy.newProxyInstance(PoolHoldBenchmark.class.getClassLoader(), new Class<?>[] {type},
        (p, method, arguments) -> {
          try {
            long start = System.nanoTime();
            Object result = method.invoke(target, arguments);
            return after.apply(method.getName(), arguments, result, System.nanoTime() - start);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        }));
  }

  @FunctionalInterface
  private interface After {
    Object apply(String method, Object[] arguments, Object result, long nanos) throws Exception;
  }

  private static long cpu(ThreadMXBean threads, List<Thread> workers) {
    long sum = 0;
    for (Thread t : workers) {
      sum += threads.getThreadCpuTime(t.getId());
    }
    return sum;
  }

  private static String geometricMean(List<Double> ratios) {
    double mean = 0;
    for (double r : ratios) {
      mean += Math.log(r);
    }
    mean /= ratios.size();
    double variance = 0;
    for (double r : ratios) {
      variance += (Math.log(r) - mean) * (Math.log(r) - mean);
    }
    variance /= ratios.size() - 1;
    return String.format(Locale.ROOT, "%.4f +- %.4f (median %.4f)", Math.exp(mean),
        Math.exp(mean) * Math.sqrt(variance / ratios.size()), quantile(ratios, 0.5));
  }
}
