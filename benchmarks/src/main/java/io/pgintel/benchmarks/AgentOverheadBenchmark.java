package io.pgintel.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * What the agent costs a JDBC application: {@link JdbcWorkload}'s throughput in two child JVMs, one started with
 * {@code -javaagent:pgintel-agent.jar} and one without, against one embedded PostgreSQL, and the time from launching
 * a JVM to its {@code main} with and without the agent.
 *
 * <p>The two JVMs live side by side and take turns: one works for a short window while the other's threads wait,
 * then the other, in the order A B B A, window after window. Adjacent windows see the same machine, so a shared
 * machine getting busier or quieter (this one moves by 20 % within a minute) touches both sides alike, and each
 * ratio of two adjacent windows is one measurement; the result is the median of them. Several pairs of JVMs run
 * one after the other, because one JVM's compiled code can be faster than the next one's. Each JVM first warms up
 * in windows of its own until the JIT compiler has settled, and the compile time inside the measured windows is
 * reported so that a reader can see whether it did. The agent's JVM has far more to compile (its OpenTelemetry SDK
 * and exporter, its collectors, the woven getConnection), and it recompiles the application's own hot path too:
 * pgintel's collections run through the application's pool and driver, and the first time they take a branch the
 * application never took (a query timeout, a connection returned with its autocommit changed, a thread waiting for
 * a connection) the JIT throws away the application's compiled methods that assumed it never happens. The slowest
 * collectors first run within a minute, so the default warm-up, 60 s of windows a side, is about two minutes of
 * each JVM's life.
 *
 * <p>Both sides get the same {@code -Dotel.*} flags, pointing at a sink in this JVM that accepts OTLP/HTTP and
 * throws it away, so that the agent's side pays for collecting and exporting as it would in production; the side
 * without the agent ignores them. The export runs every ten seconds, six times as often as OpenTelemetry's default
 * (60 s): harder than the default, and the measured windows of a pair (40 s of the JVM's life) hold several
 * exports instead of none or one. The agent's own threads keep working while its JVM waits for its turn, that is
 * during the other side's windows too: the throughput ratio therefore leaves out about half of their CPU, and the
 * report also gives the CPU per operation with the JVM's other threads counted in full.
 *
 * <p>Both JVMs working at once over the same interval was tried and left: their eight threads and eight server
 * sessions on two cores cut each JVM to a third of its throughput, the window ratios spread no less, and the
 * agent's background threads (and its JIT) would then take their CPU from both JVMs alike, which hides their cost
 * from the ratio altogether.
 *
 * <p>Run from the repository root, after {@code mvn -B -q -DskipTests -pl pgintel-agent,benchmarks -am package}:
 * {@code java -cp benchmarks/target/benchmarks.jar io.pgintel.benchmarks.AgentOverheadBenchmark}
 * [--agent JAR] [--agent-args key=value,...] [--pairs N] [--windows N] [--window-ms MS] [--warmup S]
 * [--threads T] [--pool CONNECTIONS] [--starts N] [--jvm-arg ARG (both sides; {run} is replaced by a name of the
 * JVM)] [--control true] [--warmup-together true] [--detail true (a line per measured window)].
 *
 * <p>{@code --pool} sizes the workload's pool; by default it has one connection per thread and none to spare, the
 * worst case for a monitor that borrows from it: while pgintel holds a connection, one of the application's threads
 * waits, and HikariCP's hand-over to it costs the others CPU ({@code PoolHoldBenchmark}). {@code --pool 10},
 * HikariCP's default size, is an application with connections to spare.
 *
 * <p>{@code --control true} starts the second JVM without the agent too: the same method measuring two identical
 * sides, so that its result shows how far from 1.000 the method itself lands (its noise floor).
 *
 * <p>{@code --warmup-together true} warms both JVMs up at the same time instead of in turns (each then works at
 * about half its speed); the measured windows still alternate. The agent's collectors and exporter run by the
 * clock, so its JIT settles after the same time of the JVM's life either way, and a JVM is {@code --warmup}
 * seconds old when its measured windows begin instead of twice that: a long warm-up ({@code --warmup 600}, the steady
 * state of a JVM that has run for ten minutes) then takes half the wall time.
 */
public final class AgentOverheadBenchmark {

  private static final int ROWS = 10_000;

  private AgentOverheadBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path agent = Path.of("pgintel-agent/target/pgintel-agent-0.1.0-SNAPSHOT.jar");
    String agentArguments = "";
    int pairs = 3;
    int windows = 10;
    int windowMillis = 2000;
    int warmup = 60;
    int threads = 4;
    int connections = -1;
    int starts = 10;
    boolean control = false;
    boolean warmupTogether = false;
    boolean detail = false;
    List<String> jvmArgs = new ArrayList<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--agent" -> agent = Path.of(args[i + 1]);
        case "--agent-args" -> agentArguments = "=" + args[i + 1];
        case "--pairs" -> pairs = Integer.parseInt(args[i + 1]);
        case "--windows" -> windows = Integer.parseInt(args[i + 1]);
        case "--window-ms" -> windowMillis = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--pool" -> connections = Integer.parseInt(args[i + 1]);
        case "--starts" -> starts = Integer.parseInt(args[i + 1]);
        case "--jvm-arg" -> jvmArgs.add(args[i + 1]);
        case "--control" -> control = Boolean.parseBoolean(args[i + 1]);
        case "--warmup-together" -> warmupTogether = Boolean.parseBoolean(args[i + 1]);
        case "--detail" -> detail = Boolean.parseBoolean(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (!Files.isRegularFile(agent)) {
      throw new IllegalArgumentException(agent + " not found: build it (mvn -pl pgintel-agent -am package) or "
          + "name it with --agent");
    }
    String classPath = workloadClassPath();
    HttpServer sink = otlpSink();
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setServerConfig("shared_preload_libraries", "pg_stat_statements")
        .setServerConfig("compute_query_id", "on")
        .start()) {
      DataSource ds = pg.getPostgresDatabase();
      Sql.exec(ds, "CREATE EXTENSION pg_stat_statements");
      JdbcWorkload.createAccounts(ds, ROWS);
      String url = pg.getJdbcUrl("postgres", "postgres");
      List<String> otel = List.of("-Dotel.exporter.otlp.endpoint=http://127.0.0.1:" + sink.getAddress().getPort(),
          "-Dotel.exporter.otlp.protocol=http/protobuf", "-Dotel.metric.export.interval=10000",
          "-Dotel.service.name=agent-overhead");
      List<String> withAgent = new ArrayList<>(control ? List.of() : List.of("-javaagent:" + agent + agentArguments));
      withAgent.addAll(otel);
      if (control) {
        System.out.println("CONTROL RUN: the second JVM runs without the agent as well; the ratio is the method's own");
      }

      int poolSize = connections > 0 ? connections : threads;
      System.out.printf(Locale.ROOT, "JDBC workload: %d threads, HikariCP with %d connections, %d-row table, "
          + "4 selects : 1 update by primary key; %d pairs of JVMs, each JVM %d s of warm-up, then %d windows of "
          + "%d ms each, alternating A B B A%n", threads, poolSize, ROWS, pairs, warmup, windows, windowMillis);
      List<Double> ratios = new ArrayList<>();
      Side without = new Side();
      Side with = new Side();
      List<String> workload = List.of(url, "postgres", String.valueOf(threads), String.valueOf(ROWS),
          String.valueOf(poolSize));
      for (int p = 1; p <= pairs; p++) {
        // the same server state for every pair: the updates of the pair before leave dead rows and dirty pages
        Sql.exec(ds, "VACUUM accounts");
        Sql.exec(ds, "CHECKPOINT");
        try (Child a = Child.start(classPath, options(otel, jvmArgs, "without-" + p), workload, false);
            Child b = Child.start(classPath, options(withAgent, jvmArgs, "with-" + p), workload, !control)) {
          int warmupWindows = Math.max(1, (int) Math.ceil(warmup * 1000.0 / windowMillis));
          Window lastA = null;
          Window lastB = null;
          for (int w = 0; w < warmupWindows; w++) {
            if (warmupTogether) {
              a.start(windowMillis);
              b.start(windowMillis);
              lastA = a.finish();
              lastB = b.finish();
            } else {
              lastA = a.window(windowMillis);
              lastB = b.window(windowMillis);
            }
          }
          if (detail) {
            // what the agent chose to read through, and anything it warned of, by the end of its warm-up
            b.lines("pgintel", "WARN", "Exception").forEach(l -> System.out.println("  agent: " + l));
          }
          Side pairWithout = new Side();
          Side pairWith = new Side();
          pairWithout.from(lastA);
          pairWith.from(lastB);
          List<Double> pairRatios = new ArrayList<>();
          for (int w = 0; w < windows; w++) {
            Window wa;
            Window wb;
            if (w % 2 == 0) {
              wa = a.window(windowMillis);
              wb = b.window(windowMillis);
            } else {
              wb = b.window(windowMillis);
              wa = a.window(windowMillis);
            }
            if (detail) {
              System.out.printf(Locale.ROOT, "  window %d: ratio %.3f; application threads %.2f / %.2f us CPU per op;"
                  + " other threads %.1f / %.1f ms; JIT %d / %d ms%n", w + 1, wb.opsPerSecond() / wa.opsPerSecond(),
                  wa.appCpuNanos() / 1000.0 / wa.ops(), wb.appCpuNanos() / 1000.0 / wb.ops(),
                  pairWithout.otherSince(wa) / 1e6, pairWith.otherSince(wb) / 1e6, wa.compileMillis(),
                  wb.compileMillis());
            }
            pairWithout.add(wa);
            pairWith.add(wb);
            pairRatios.add(wb.opsPerSecond() / wa.opsPerSecond());
          }
          ratios.addAll(pairRatios);
          without.add(pairWithout);
          with.add(pairWith);
          System.out.printf(Locale.ROOT, "pair %d: without %,.0f ops/s, with %,.0f ops/s, window ratio (median) %.3f;"
              + " application threads %.2f / %.2f us CPU per op; other threads %.1f / %.1f ms CPU per s; JIT %d / %d "
              + "ms in the measured windows%n", p, pairWithout.opsPerSecond(), pairWith.opsPerSecond(),
              median(pairRatios), pairWithout.appMicrosPerOp(), pairWith.appMicrosPerOp(),
              pairWithout.otherMillisPerSecond(), pairWith.otherMillisPerSecond(), pairWithout.compileMillis,
              pairWith.compileMillis);
        }
      }
      double[] startWithout = new double[starts];
      double[] startWith = new double[starts];
      for (int s = 0; s < starts; s++) {
        startWithout[s] = value(run(classPath, otel, List.of("start-only")), "startup.ms");
        startWith[s] = value(run(classPath, withAgent, List.of("start-only")), "startup.ms");
      }
      System.out.printf(Locale.ROOT, "throughput ratio with / without (median of %d adjacent windows): %.3f "
          + "(target >= 0.99); quartiles %.3f to %.3f%n", ratios.size(), median(ratios), quantile(ratios, 0.25),
          quantile(ratios, 0.75));
      System.out.printf(Locale.ROOT, "throughput (all measured windows): without %,.0f ops/s, with %,.0f ops/s%n",
          without.opsPerSecond(), with.opsPerSecond());
      System.out.printf(Locale.ROOT, "application threads' CPU per operation: without %.2f us, with %.2f us, "
          + "ratio %.3f%n", without.appMicrosPerOp(), with.appMicrosPerOp(),
          with.appMicrosPerOp() / without.appMicrosPerOp());
      System.out.printf(Locale.ROOT, "all Java threads' CPU per operation, the agent's threads counted in full: "
          + "without %.2f us, with %.2f us, ratio %.3f%n", without.allMicrosPerOp(), with.allMicrosPerOp(),
          with.allMicrosPerOp() / without.allMicrosPerOp());
      System.out.printf(Locale.ROOT, "other Java threads' CPU: without %.1f ms/s, with %.1f ms/s; JIT compilation "
          + "in the measured windows: without %d ms, with %d ms%n", without.otherMillisPerSecond(),
          with.otherMillisPerSecond(), without.compileMillis, with.compileMillis);
      double sa = median(startWithout);
      double sb = median(startWith);
      System.out.printf(Locale.ROOT, "launch to main (median of %d): without %.0f ms, with %.0f ms, added %.0f ms "
          + "(target <= 250 ms)%n", starts, sa, sb, sb - sa);
    } finally {
      sink.stop(0);
    }
  }

  private static List<String> options(List<String> side, List<String> jvmArgs, String name) {
    List<String> options = new ArrayList<>(side);
    jvmArgs.forEach(a -> options.add(a.replace("{run}", name)));
    return options;
  }

  /** What one window of a workload JVM printed. */
  private record Window(long ops, long nanos, long appCpuNanos, long otherCpuTotalNanos, long compileMillis,
      long atNanos) {

    static Window parse(String line) {
      Map<String, Long> values = new HashMap<>();
      for (String part : line.substring("window ".length()).split(" ")) {
        int eq = part.indexOf('=');
        values.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
      }
      return new Window(values.get("ops"), values.get("nanos"), values.get("app.cpu.ns"),
          values.get("other.cpu.total.ns"), values.get("compile.ms"), values.get("at.ns"));
    }

    double opsPerSecond() {
      return ops * 1e9 / nanos;
    }
  }

  /** Sums over the measured windows of one side; other threads' CPU over the wall time from start to last. */
  private static final class Side {
    long ops;
    long nanos;
    long appCpuNanos;
    long otherCpuNanos;
    long wallNanos;
    long compileMillis;
    private Window last;

    void from(Window start) {
      last = start;
    }

    /** The other threads' CPU from the last window added to {@code w}. */
    long otherSince(Window w) {
      return w.otherCpuTotalNanos() - last.otherCpuTotalNanos();
    }

    void add(Window w) {
      ops += w.ops();
      nanos += w.nanos();
      appCpuNanos += w.appCpuNanos();
      compileMillis += w.compileMillis();
      otherCpuNanos += w.otherCpuTotalNanos() - last.otherCpuTotalNanos();
      wallNanos += w.atNanos() - last.atNanos();
      last = w;
    }

    void add(Side pair) {
      ops += pair.ops;
      nanos += pair.nanos;
      appCpuNanos += pair.appCpuNanos;
      otherCpuNanos += pair.otherCpuNanos;
      wallNanos += pair.wallNanos;
      compileMillis += pair.compileMillis;
    }

    double opsPerSecond() {
      return ops * 1e9 / nanos;
    }

    double appMicrosPerOp() {
      return appCpuNanos / 1000.0 / ops;
    }

    /** The other threads' CPU of the whole measured span (their JVM's turns and the other's) on its operations. */
    double allMicrosPerOp() {
      return (appCpuNanos + otherCpuNanos) / 1000.0 / ops;
    }

    double otherMillisPerSecond() {
      return otherCpuNanos / 1e6 / (wallNanos / 1e9);
    }
  }

  /** A workload JVM waiting for its windows. */
  private static final class Child implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final List<String> recent = new ArrayList<>();

    private Child(Process process) {
      this.process = process;
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    static Child start(String classPath, List<String> jvmOptions, List<String> workload, boolean agent)
        throws IOException {
      Child child = new Child(new ProcessBuilder(command(classPath, jvmOptions, workload)).redirectErrorStream(true)
          .start());
      String ready = child.await("ready ");
      if (agent && ready.contains("agent.active=null")) {
        child.close();
        throw new IllegalStateException("the agent did not start:\n" + String.join("\n", child.recent));
      }
      return child;
    }

    /** What the JVM printed of late (its last 50 lines besides the workload's own) that contains one of {@code parts}. */
    List<String> lines(String... parts) {
      return recent.stream().filter(l -> Arrays.stream(parts).anyMatch(l::contains)).toList();
    }

    Window window(long millis) throws IOException {
      start(millis);
      return finish();
    }

    /** Lets the workload run for {@code millis}; {@link #finish} reads what it did. */
    void start(long millis) throws IOException {
      in.write("run " + millis + "\n");
      in.flush();
    }

    Window finish() throws IOException {
      return Window.parse(await("window "));
    }

    private String await(String prefix) throws IOException {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith(prefix)) {
          return line;
        }
        recent.add(line);
        if (recent.size() > 50) {
          recent.remove(0);
        }
      }
      throw new IllegalStateException("the workload ended:\n" + String.join("\n", recent));
    }

    @Override
    public void close() {
      try {
        in.write("quit\n");
        in.flush();
        out.transferTo(Writer.nullWriter());
        if (process.waitFor(30, TimeUnit.SECONDS)) {
          return;
        }
      } catch (IOException e) {
        // gone already
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process.destroyForcibly();
    }
  }

  private static List<String> command(String classPath, List<String> jvmOptions, List<String> workload) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classPath, JdbcWorkload.class.getName()));
    command.add(String.valueOf(System.currentTimeMillis()));
    command.addAll(workload);
    return command;
  }

  /** Starts a workload JVM to its end and returns what it printed; fails when it did not end well. */
  private static String run(String classPath, List<String> jvmOptions, List<String> workload) throws Exception {
    Process p = new ProcessBuilder(command(classPath, jvmOptions, workload)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("the workload failed:\n" + out);
    }
    return out;
  }

  private static double value(String output, String key) {
    return output.lines().filter(l -> l.startsWith(key + "=")).findFirst()
        .map(l -> Double.parseDouble(l.substring(key.length() + 1)))
        .orElseThrow(() -> new IllegalStateException("no " + key + " in:\n" + output));
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static double median(List<Double> values) {
    return median(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** The q-quantile, interpolated between the nearest ranks. */
  static double quantile(List<Double> values, double q) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double rank = q * (v.length - 1);
    int lo = (int) Math.floor(rank);
    int hi = Math.min(v.length - 1, lo + 1);
    return v[lo] + (v[hi] - v[lo]) * (rank - lo);
  }

  /**
   * What an application ships and nothing else: the workload's classes, HikariCP, the driver and SLF4J, as listed
   * at build time; not this benchmark jar, which holds pgintel itself and would shadow the agent's classes.
   */
  private static String workloadClassPath() throws Exception {
    Path target = Path.of(AgentOverheadBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .getParent();
    Path listed = target.resolve("workload.classpath");
    if (!Files.isRegularFile(listed)) {
      throw new IllegalStateException(listed + " not found: build the benchmarks with mvn -pl benchmarks package");
    }
    return target.resolve("classes") + File.pathSeparator + Files.readString(listed).trim();
  }

  /** Accepts OTLP/HTTP exports and discards them. */
  private static HttpServer otlpSink() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    return server;
  }
}
