package io.pgintel.benchmarks;

import static io.pgintel.benchmarks.AgentOverheadBenchmark.quantile;

import com.zaxxer.hikari.HikariDataSource;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.pgintel.trace.SessionRegistry;
import io.pgintel.trace.TracingDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * What the statement hooks of trace correlation cost an application's threads against a real server: the
 * {@link JdbcWorkload} operation (a connection borrowed from HikariCP, one primary-key select or update, returned)
 * run by the same threads, in the same JVM, alternately through the pool itself and through
 * {@code TracingDataSource} around it (what {@code pgintel.wrap(dataSource)} and the agent hand the application),
 * in blocks of a few operations.
 *
 * <p>Alternating by operation rather than by JVM or by window is what makes this precise: the two kinds of
 * operation share the JVM's compiled code, its heap and every moment of a shared machine, so the machine's swings
 * (20 % within a minute here) cancel out: within a run the windows agree to about half a percent, though whole runs
 * still differ by up to 100 ns per operation. {@link StatementHookBenchmark} measures the hook on JDBC objects that
 * answer at once, with every cache warm; here each operation waits for the server and its thread comes back to
 * caches the server's processes have used meanwhile, which is where an application's statements run.
 *
 * <p>Reported per window (the result is the median over the windows): the application threads' CPU per operation
 * (thread CPU time, read at the end of each block) and the time per operation, traced against plain.
 *
 * <p>Run from the repository root, after {@code mvn -B -q -DskipTests -pl pgintel-agent,benchmarks -am package}:
 * {@code java -cp benchmarks/target/benchmarks.jar io.pgintel.benchmarks.HookCostBenchmark} [--threads T]
 * [--warmup S] [--windows N] [--window-ms MS] [--block N] [--span true (each operation inside its own span, as a
 * traced web request would run it)].
 */
public final class HookCostBenchmark {

  private static final int ROWS = 10_000;
  /** Where each side's figures start in {@link Tally#reset()}: operations, then time, then CPU. */
  private static final int PLAIN = 0;
  private static final int TRACED = 3;
  private static final int NANOS = 1;
  private static final int CPU = 2;

  /** The first operation that failed (not counted: the run then reports it instead of its figures). */
  private static final AtomicReference<Throwable> FAILURE = new AtomicReference<>();

  private HookCostBenchmark() {}

  public static void main(String[] args) throws Exception {
    int threads = 4;
    int warmup = 60;
    int windows = 60;
    int windowMillis = 2000;
    int block = 32;
    boolean span = false;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--windows" -> windows = Integer.parseInt(args[i + 1]);
        case "--window-ms" -> windowMillis = Integer.parseInt(args[i + 1]);
        case "--block" -> block = Integer.parseInt(args[i + 1]);
        case "--span" -> span = Boolean.parseBoolean(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      DataSource ds = pg.getPostgresDatabase();
      JdbcWorkload.createAccounts(ds, ROWS);
      try (HikariDataSource pool = JdbcWorkload.pool(pg.getJdbcUrl("postgres", "postgres"), "postgres", threads)) {
        DataSource[] sides = {pool, TracingDataSource.wrap(pool, new SessionRegistry())};
        Tally tally = new Tally();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int offset = t;
          int blockSize = block;
          boolean inSpan = span;
          Thread worker = new Thread(() -> work(sides, offset, blockSize, inSpan, pool, tally), "workload-" + t);
          worker.setDaemon(true);
          worker.start();
          workers.add(worker);
        }
        System.out.printf(Locale.ROOT, "JDBC workload: %d threads, HikariCP, %d-row table, 4 selects : 1 update by "
            + "primary key; each thread alternates blocks of %d operations through the pool and through "
            + "TracingDataSource%s; %d s of warm-up, then %d windows of %d ms%n", threads, ROWS, block,
            span ? ", each operation in its own span" : "", warmup, windows, windowMillis);
        Thread.sleep(warmup * 1000L);
        tally.reset();
        List<Double> cpuRatios = new ArrayList<>();
        List<Double> timeRatios = new ArrayList<>();
        long[] total = new long[6];
        for (int w = 0; w < windows; w++) {
          Thread.sleep(windowMillis);
          long[] v = tally.reset();
          for (int i = 0; i < v.length; i++) {
            total[i] += v[i];
          }
          if (v[PLAIN] > 0 && v[TRACED] > 0) {
            cpuRatios.add(cpuPerOp(v, TRACED) / cpuPerOp(v, PLAIN));
            timeRatios.add(timePerOp(v, TRACED) / timePerOp(v, PLAIN));
          }
        }
        pool.close();
        for (Thread worker : workers) {
          worker.join(5000);
        }
        Throwable failed = FAILURE.get();
        if (failed != null) {
          throw new IllegalStateException("an operation failed; the figures would not be comparable", failed);
        }
        System.out.printf(Locale.ROOT, "plain:  %,d operations, %.0f ns CPU and %.0f ns per operation%n",
            total[PLAIN], cpuPerOp(total, PLAIN), timePerOp(total, PLAIN));
        System.out.printf(Locale.ROOT, "traced: %,d operations, %.0f ns CPU and %.0f ns per operation%n",
            total[TRACED], cpuPerOp(total, TRACED), timePerOp(total, TRACED));
        System.out.printf(Locale.ROOT, "traced / plain, median of %d windows: CPU per operation %.4f (quartiles "
            + "%.4f to %.4f), time per operation %.4f (quartiles %.4f to %.4f); the hooks' CPU: %.0f ns per "
            + "operation%n", cpuRatios.size(), quantile(cpuRatios, 0.5), quantile(cpuRatios, 0.25),
            quantile(cpuRatios, 0.75), quantile(timeRatios, 0.5), quantile(timeRatios, 0.25),
            quantile(timeRatios, 0.75), (quantile(cpuRatios, 0.5) - 1) * cpuPerOp(total, PLAIN));
      }
    }
  }

  private static void work(DataSource[] sides, int offset, int block, boolean span, HikariDataSource pool,
      Tally tally) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    // spans made up front: making one per operation would cost both sides more than the hooks do
    SpanContext[] spans = new SpanContext[span ? 1024 : 0];
    for (int i = 0; i < spans.length; i++) {
      spans[i] = SpanContext.create(String.format("%032x", random.nextLong() | 1), String.format("%016x",
          random.nextLong() | 1), TraceFlags.getSampled(), TraceState.getDefault());
    }
    long n = (long) offset * block / 2;
    long nanos = 0;
    long cpuBefore = mx.getCurrentThreadCpuTime();
    while (!pool.isClosed()) {
      int traced = (int) ((n / block) & 1);
      int side = traced == 1 ? TRACED : PLAIN;
      long start = System.nanoTime();
      try {
        if (span) {
          try (Scope ignored = Span.wrap(spans[(int) (n & (spans.length - 1))]).makeCurrent()) {
            JdbcWorkload.operation(sides[traced], random, ROWS);
          }
        } else {
          JdbcWorkload.operation(sides[traced], random, ROWS);
        }
      } catch (SQLException e) {
        if (!pool.isClosed()) {
          FAILURE.compareAndSet(null, e);
        }
        return;
      }
      nanos += System.nanoTime() - start;
      n++;
      if (n % block == 0) {
        long cpu = mx.getCurrentThreadCpuTime();
        tally.block(side, block, nanos, cpu - cpuBefore);
        cpuBefore = cpu;
        nanos = 0;
      }
    }
  }

  /** CPU per operation of one side, from {@link Tally#reset()}'s figures. */
  private static double cpuPerOp(long[] v, int side) {
    return (double) v[side + CPU] / v[side];
  }

  /** Time per operation of one side, from {@link Tally#reset()}'s figures. */
  private static double timePerOp(long[] v, int side) {
    return (double) v[side + NANOS] / v[side];
  }

  /**
   * Operations, their time and their threads' CPU, per side ({@link #PLAIN}, {@link #TRACED}), since the last
   * reset.
   */
  private static final class Tally {
    private final LongAdder[] values = new LongAdder[6];

    Tally() {
      for (int i = 0; i < values.length; i++) {
        values[i] = new LongAdder();
      }
    }

    /** A block of operations of one side ended: counted all at once, so that operations, time and CPU agree. */
    void block(int side, int operations, long nanos, long cpu) {
      values[side].add(operations);
      values[side + NANOS].add(nanos);
      values[side + CPU].add(cpu);
    }

    /** {ops, nanos, cpu} plain, then traced. */
    long[] reset() {
      long[] v = new long[values.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = values[i].sumThenReset();
      }
      return v;
    }
  }
}
