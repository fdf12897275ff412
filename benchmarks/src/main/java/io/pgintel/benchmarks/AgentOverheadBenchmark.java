package io.pgintel.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * What the agent costs a JDBC application: {@link JdbcWorkload}'s throughput in child JVMs started alternately
 * with and without {@code -javaagent:pgintel-agent.jar}, in one run against one embedded PostgreSQL, and the time
 * from launching a JVM to its {@code main} with and without the agent. Medians of the rounds; the order within a
 * round alternates (an even number of rounds by default, so each side goes first equally often) so that a machine
 * getting busier or quieter does not favour one side, and every run starts on a vacuumed, checkpointed table.
 *
 * <p>Both sides get the same {@code -Dotel.*} flags, pointing at a sink in this JVM that accepts OTLP/HTTP and
 * throws it away, so that the agent's side pays for collecting and exporting (every ten seconds) as it would in
 * production; the side without the agent ignores them.
 *
 * <p>Run from the repository root, after {@code mvn -B -q -DskipTests -pl pgintel-agent,benchmarks -am package}:
 * {@code java -cp benchmarks/target/benchmarks.jar io.pgintel.benchmarks.AgentOverheadBenchmark}
 * [--agent JAR] [--agent-args key=value,...] [--rounds N] [--warmup S] [--seconds S] [--threads T] [--starts N].
 * The warm-up covers the agent's own start (its OpenTelemetry SDK, the first collection of every collector,
 * class loading and compilation), which competes with the application for the CPU for a few seconds; the
 * measured window is the steady state.
 */
public final class AgentOverheadBenchmark {

  private static final int ROWS = 10_000;

  private AgentOverheadBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path agent = Path.of("pgintel-agent/target/pgintel-agent-0.1.0-SNAPSHOT.jar");
    int rounds = 6;
    String agentArguments = "";
    int warmup = 7;
    int seconds = 5;
    int threads = 4;
    int starts = 10;
    List<String> jvmArgs = new ArrayList<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--agent" -> agent = Path.of(args[i + 1]);
        case "--agent-args" -> agentArguments = "=" + args[i + 1];
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--starts" -> starts = Integer.parseInt(args[i + 1]);
        case "--jvm-arg" -> jvmArgs.add(args[i + 1]);
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
      Sql.exec(ds, "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL); "
          + "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, " + ROWS + ") g");
      Sql.exec(ds, "VACUUM ANALYZE accounts");
      String url = pg.getJdbcUrl("postgres", "postgres");
      List<String> otel = List.of("-Dotel.exporter.otlp.endpoint=http://127.0.0.1:" + sink.getAddress().getPort(),
          "-Dotel.exporter.otlp.protocol=http/protobuf", "-Dotel.metric.export.interval=10000",
          "-Dotel.service.name=agent-overhead");
      List<String> withAgent = new ArrayList<>(List.of("-javaagent:" + agent + agentArguments));
      withAgent.addAll(otel);

      System.out.printf(Locale.ROOT, "JDBC workload: %d threads, HikariCP, %d-row table, 4 selects : 1 update by "
          + "primary key; %d rounds of %d s (after %d s warm-up) each side%n", threads, ROWS, rounds, seconds, warmup);
      double[] without = new double[rounds];
      double[] with = new double[rounds];
      double[][] appCpu = new double[2][rounds];
      double[][] otherCpu = new double[2][rounds];
      List<String> workload = List.of(url, "postgres", String.valueOf(threads), String.valueOf(ROWS),
          String.valueOf(warmup), String.valueOf(seconds));
      for (int r = 0; r < rounds; r++) {
        boolean agentFirst = r % 2 == 1;
        for (boolean agentSide : agentFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
          // the same server state for every run: the updates of the run before leave dead rows and dirty pages
          Sql.exec(ds, "VACUUM accounts");
          Sql.exec(ds, "CHECKPOINT");
          List<String> options = new ArrayList<>(agentSide ? withAgent : otel);
          String name = (agentSide ? "with-" : "without-") + (r + 1);
          jvmArgs.forEach(a -> options.add(a.replace("{run}", name)));
          String out = run(classPath, options, workload);
          int side = agentSide ? 1 : 0;
          (agentSide ? with : without)[r] = value(out, "ops.per.second");
          appCpu[side][r] = value(out, "app.cpu.us.per.op");
          otherCpu[side][r] = value(out, "other.cpu.ms.per.s");
        }
        System.out.printf(Locale.ROOT, "round %d: without %,.0f ops/s, with %,.0f ops/s (%.3f); application threads "
            + "%.1f / %.1f us CPU per op; other threads %.0f / %.0f ms CPU per s%n", r + 1, without[r], with[r],
            with[r] / without[r], appCpu[0][r], appCpu[1][r], otherCpu[0][r], otherCpu[1][r]);
      }
      double[] startWithout = new double[starts];
      double[] startWith = new double[starts];
      for (int s = 0; s < starts; s++) {
        startWithout[s] = value(run(classPath, otel, List.of("start-only")), "startup.ms");
        startWith[s] = value(run(classPath, withAgent, List.of("start-only")), "startup.ms");
      }
      double a = median(without);
      double b = median(with);
      System.out.printf(Locale.ROOT, "throughput (median): without %,.0f ops/s, with %,.0f ops/s, ratio %.3f "
          + "(target >= 0.99)%n", a, b, b / a);
      System.out.printf(Locale.ROOT, "application threads' CPU per operation (median): without %.2f us, with %.2f us"
          + "%n", median(appCpu[0]), median(appCpu[1]));
      System.out.printf(Locale.ROOT, "other Java threads' CPU (median): without %.0f ms/s, with %.0f ms/s%n",
          median(otherCpu[0]), median(otherCpu[1]));
      double sa = median(startWithout);
      double sb = median(startWith);
      System.out.printf(Locale.ROOT, "launch to main (median of %d): without %.0f ms, with %.0f ms, added %.0f ms "
          + "(target <= 250 ms)%n", starts, sa, sb, sb - sa);
    } finally {
      sink.stop(0);
    }
  }

  /** Starts the workload JVM and returns what it printed; fails when it did not end well. */
  private static String run(String classPath, List<String> jvmOptions, List<String> workload) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classPath, JdbcWorkload.class.getName()));
    command.add(String.valueOf(System.currentTimeMillis()));
    command.addAll(workload);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("the workload failed:\n" + out);
    }
    if (jvmOptions.stream().anyMatch(o -> o.startsWith("-javaagent")) && out.contains("agent.active=null")) {
      throw new IllegalStateException("the agent did not start:\n" + out);
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
