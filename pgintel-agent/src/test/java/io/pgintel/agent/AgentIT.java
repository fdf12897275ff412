package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.internal.PoolConnect;
import io.pgintel.test.OtlpReceiver;
import io.pgintel.test.PgServer;
import io.pgintel.agent.ChildJvm.Run;
import io.pgintel.test.PostgresServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged agent jar on a real application: {@link QueryingApp} in its own JVM with {@code -javaagent},
 * the agent's OTLP export received by a real OTLP/HTTP receiver.
 */
class AgentIT {

  private static final Path JAR = ChildJvm.AGENT_JAR;

  @ParameterizedTest
  @ValueSource(strings = {"simple", "hikari", "drivermanager"})
  void exportsDatabaseMetricsOfAnApplicationDataSourceItWasNeverTold(String kind) throws Exception {
    PgServer pg = PostgresServers.newest();
    String database = pg.createDatabase("agent");
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      Run run = runApp(List.of("-javaagent:" + JAR + "=pgintel.collectors.database.interval=1s",
          "-Dotel.exporter.otlp.endpoint=" + receiver.endpoint(), "-Dotel.exporter.otlp.protocol=http/protobuf",
          "-Dotel.metric.export.interval=1000", "-Dotel.service.name=agent-it",
          "-Dotel.exporter.otlp.compression=gzip"), kind, pg.jdbcUrl(database), pg.user(), 8);

      assertEquals(0, run.exit(), run.output());
      // pgintel's own SDK, relocated with its exporter and HTTP client, still honours the standard settings
      assertTrue(run.output().contains("reporting through pgintel's own SDK"), run.output());
      assertEquals(List.of("gzip"), receiver.encodings().stream().distinct().toList());
      assertTrue(run.output().contains("agent.active=true"), run.output());
      assertTrue(run.output().contains("linked=true"), "statements are correlated: " + run.output());
      assertCompilerDirectives(true, run.output());
      assertCommitsReceived(receiver, database, run.output());
      if (kind.equals("hikari")) {
        List<String> monitoring = run.output().lines().filter(l -> l.contains("pgintel agent: monitoring")).toList();
        assertTrue(monitoring.stream().allMatch(l -> l.endsWith("through com.zaxxer.hikari.HikariDataSource")),
            "reads through the pool, never the driver DataSource the pool fills itself from: " + run.output());
        // connections the pool made after the agent knew the database are the driver's, not wrapped beneath it
        assertTrue(run.output().contains("physical=org.postgresql.jdbc.PgConnection"), run.output());
      }
      if (kind.equals("drivermanager")) {
        assertTrue(run.output().contains("monitoring " + PoolConnect.databaseKey(pg.jdbcUrl(database))
            + " through pgintel's own connection"), run.output());
        assertTrue(run.output().contains("otherSessions.max=1"),
            "pgintel opens exactly one connection of its own: " + run.output());
        assertFalse(run.output().contains(QueryingApp.PASSWORD), "the password never reaches the log");
      }
    }
  }

  @Test
  void ownConnectionReadsThroughACopyOfTheDriverBesideThePool() throws Exception {
    PgServer pg = PostgresServers.newest();
    String database = pg.createDatabase("own");
    Path classLog = Files.createTempFile("agent-it-classes", ".log");
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      Run run = runApp(List.of("-javaagent:" + JAR + "=pgintel.agent.own-connection=true,"
          + "pgintel.collectors.database.interval=1s", "-Dqueryingapp.pgintel-sessions=true",
          "-Xlog:class+load=info:file=" + classLog, "-Dotel.exporter.otlp.endpoint=" + receiver.endpoint(),
          "-Dotel.exporter.otlp.protocol=http/protobuf", "-Dotel.metric.export.interval=1000",
          "-Dotel.logs.exporter=none"), "hikari", pg.jdbcUrl(database), pg.user(), 8);

      assertEquals(0, run.exit(), run.output());
      assertTrue(run.output().contains("monitoring " + PoolConnect.databaseKey(pg.jdbcUrl(database))
          + " through pgintel's own connection to " + PoolConnect.databaseKey(pg.jdbcUrl(database))
          + " (its own copy of the driver)"), run.output());
      // the pool connected before the agent was ready: its configuration said how (never read through the pool)
      assertFalse(run.output().contains("through com.zaxxer.hikari.HikariDataSource"), run.output());
      // pgintel's own classes stay out of the instrumentation beside the copy's (its wrapper is never tracked)
      assertFalse(run.output().contains(WeakDataSource.class.getName()), run.output());
      // a session named pgintel was there, and no session whose last statement was pgintel's was one of the pool's
      // (pgintel's own shows its statements only now and then: a validity check's empty statement often comes last)
      String sessions = run.output().lines().filter(l -> l.startsWith("pgintel.sessions=")).findFirst().orElseThrow();
      assertTrue(sessions.equals("pgintel.sessions=[pgintel, session named pgintel]")
          || sessions.equals("pgintel.sessions=[session named pgintel]"), run.output());
      // the application's statements are still linked to their sessions by the hooks in its driver
      assertTrue(run.output().contains("linked=true"), run.output());
      assertCommitsReceived(receiver, database, run.output());
      // the driver's statement class read from its jar twice: the application's, and pgintel's copy (a third line,
      // source __VM_RedefineClasses__, is the agent's hooks woven into the application's)
      List<String> loads = Files.readAllLines(classLog).stream()
          .filter(l -> l.contains(" org.postgresql.jdbc.PgStatement source: file:")).toList();
      assertEquals(2, loads.size(), "PgStatement loaded by the application and by pgintel's copy: " + loads);
      assertFalse(run.output().contains(QueryingApp.PASSWORD), "the password never reaches the log");
    } finally {
      Files.deleteIfExists(classLog);
    }
  }

  /**
   * Through the hooks woven into the driver (no wrapper), the statement's text is the driver's own query object,
   * read only when a sample catches it running: the top query of that text names the application's line.
   */
  @Test
  void topQueriesNameTheApplicationsLineOfCodeThroughTheDriversHooks() throws Exception {
    PgServer pg = PostgresServers.newest();
    String database = pg.createDatabase("sites");
    Path app = Path.of("src/test/java/io/pgintel/agent/QueryingApp.java");
    int line = lineOf(app, "// REPORT_ORDERS_LINE");
    int batchLine = lineOf(app, "// LOG_ORDERS_LINE");
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      // samples every 200 ms: each of the two statements runs about a quarter of the time, so the 40 or more
      // samples of the run catch each about ten times (missing one altogether: about one run in 100,000); no
      // circuit breaker, which would count a sample slower than 160 ms on a busy machine as a failure
      Run run = runApp(List.of("-javaagent:" + JAR + "=pgintel.collectors.statements.interval=2s,"
          + "pgintel.collectors.activity.interval=200ms,pgintel.circuit.enabled=false",
          "-Dqueryingapp.report-orders=true", "-Dotel.exporter.otlp.endpoint=" + receiver.endpoint(),
          "-Dotel.exporter.otlp.protocol=http/protobuf", "-Dotel.metric.export.interval=1000",
          "-Dotel.blrp.schedule.delay=500"), "hikari", pg.jdbcUrl(database), pg.user(), 12);

      assertEquals(0, run.exit(), run.output());
      Map<String, String> last = lastTopQuery(receiver, "SELECT pg_sleep($1), $2::int AS orders", run);
      assertEquals(QueryingApp.class.getName(), last.get("code.namespace"), last.toString());
      assertEquals("reportOrders", last.get("code.function"), last.toString());
      assertEquals(Integer.toString(line), last.get("code.lineno"), last.toString());
      String name = QueryingApp.class.getName();
      assertTrue(last.get("pgintel.code.locations").matches("\\[" + Pattern.quote(name + ".reportOrders:" + line
          + " from " + name + ".main:") + "\\d+]"), last.toString());
      Map<String, String> batch = lastTopQuery(receiver, "INSERT INTO orders_log SELECT $1::int FROM pg_sleep($2)",
          run);
      assertTrue(batch.get("pgintel.code.locations").matches("\\[" + Pattern.quote(name + ".logOrders:"
          + batchLine + " from " + name + ".main:") + "\\d+]"), batch.toString());
    }
  }

  /** The attributes of the last {@code db.server.top_query} event of {@code text} the receiver decoded. */
  private static Map<String, String> lastTopQuery(OtlpReceiver receiver, String text, Run run) {
    List<Map<String, String>> events = receiver.receivedLogs().stream()
        .flatMap(r -> r.getResourceLogsList().stream())
        .flatMap(r -> r.getScopeLogsList().stream())
        .flatMap(s -> s.getLogRecordsList().stream())
        .filter(l -> l.getEventName().equals("db.server.top_query"))
        .map(AgentIT::attributes)
        .filter(a -> text.equals(a.get("db.query.text")))
        .toList();
    assertFalse(events.isEmpty(), "no top query of " + text + "\n" + run.output());
    return events.get(events.size() - 1);
  }

  /** A log record's attributes as text: strings as they are, numbers in decimal, arrays as {@code [a, b]}. */
  private static Map<String, String> attributes(io.opentelemetry.proto.logs.v1.LogRecord record) {
    Map<String, String> out = new java.util.HashMap<>();
    for (io.opentelemetry.proto.common.v1.KeyValue kv : record.getAttributesList()) {
      io.opentelemetry.proto.common.v1.AnyValue v = kv.getValue();
      out.put(kv.getKey(), v.hasArrayValue()
          ? v.getArrayValue().getValuesList().stream().map(e -> e.getStringValue()).toList().toString()
          : v.hasIntValue() ? Long.toString(v.getIntValue())
          : v.hasDoubleValue() ? Double.toString(v.getDoubleValue())
          : v.hasBoolValue() ? Boolean.toString(v.getBoolValue()) : v.getStringValue());
    }
    return out;
  }

  /** The 1-based number of the line of {@code source} that contains {@code marker}. */
  private static int lineOf(Path source, String marker) throws java.io.IOException {
    List<String> lines = Files.readAllLines(source);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(marker)) {
        return i + 1;
      }
    }
    throw new AssertionError(marker + " not in " + source);
  }

  @ParameterizedTest
  @CsvSource({"pgintel.collectors.database.interval=-5s, pgintel.collectors.database.interval",
      "config=/nonexistent/pgintel.properties, pgintel.config.file"})
  void badSettingIsOneWarningNamingTheKeyAndTheApplicationRuns(String arguments, String key) throws Exception {
    PgServer pg = PostgresServers.newest();
    Run run = runApp(List.of("-javaagent:" + JAR + "=" + arguments, "-Dotel.metrics.exporter=none",
        "-Dotel.logs.exporter=none"), "simple", pg.jdbcUrl("postgres"), pg.user(), 3);

    assertEquals(0, run.exit(), run.output());
    assertTrue(run.output().contains("queries="), run.output());
    List<String> warnings = run.output().lines().filter(l -> l.contains("WARN") && l.contains(key)).toList();
    assertEquals(1, warnings.size(), run.output());
    assertTrue(run.output().contains("pgintel agent: monitoring"), "the other settings still apply: "
        + run.output());
  }

  @Test
  void compilerDirectivesCanBeSwitchedOff() throws Exception {
    PgServer pg = PostgresServers.newest();
    Run run = runApp(List.of("-javaagent:" + JAR + "=pgintel.agent.compiler-directives=false",
        "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none"), "simple", pg.jdbcUrl("postgres"), pg.user(), 3);

    assertEquals(0, run.exit(), run.output());
    assertTrue(run.output().contains("pgintel agent: monitoring"), run.output());
    assertCompilerDirectives(false, run.output());
  }

  @Test
  void applicationCodeUnderIoPgintelStillReachesC2() throws Exception {
    PgServer pg = PostgresServers.newest();
    // the JIT's lines go to a file of their own: on standard output they would interleave with the application's
    Path jitLog = Files.createTempFile("agent-it-jit", ".log");
    Run run = runApp(List.of("-javaagent:" + JAR, "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none",
        "-Dqueryingapp.hotloop=true", "-XX:+UnlockDiagnosticVMOptions", "-XX:+PrintCompilation",
        "-XX:-DisplayVMOutput", "-XX:+LogVMOutput", "-XX:LogFile=" + jitLog), "simple", pg.jdbcUrl("postgres"),
        pg.user(), 2);

    assertEquals(0, run.exit(), run.output());
    assertCompilerDirectives(true, run.output());
    assertTrue(run.output().contains("hotloop="), run.output());
    // PrintCompilation: time, compile id, flags, tier, method; tier 4 is C2
    List<String> hotLoop = Files.readAllLines(jitLog).stream().filter(l -> l.contains("io.pgintel.app.HotLoop::"))
        .toList();
    Files.deleteIfExists(jitLog);
    // the loop on the stack (an OSR compilation, flag %) or the method it calls, whichever C2 takes first
    String compiledByC2 = "\\s*\\d+\\s+\\d+\\s+[%sbn! ]*4\\s+io\\.pgintel\\.app\\.HotLoop::(mix|run) .*";
    assertTrue(hotLoop.stream().anyMatch(l -> l.matches(compiledByC2)),
        "application code in a package under io.pgintel is compiled by C2: " + hotLoop);
    assertFalse(hotLoop.stream().anyMatch(l -> l.contains("not compilable on level 4")), hotLoop.toString());
  }

  /**
   * Whether the JVM holds the directives that keep pgintel's background code on C1 and its application-thread code
   * open to C2 (the application prints the directives' patterns as {@code jcmd Compiler.directives_print} shows them).
   */
  static void assertCompilerDirectives(boolean expected, String output) {
    String line = output.lines().filter(l -> l.startsWith("compiler.directives=")).findFirst().orElseThrow();
    for (String background : CompilerDirectives.BACKGROUND_PACKAGES) {
      assertEquals(expected, line.contains(background + "*.*"), output);
    }
    assertFalse(line.contains("io/pgintel/*.*"), "never the whole namespace: " + line);
    assertFalse(line.contains("io/pgintel/trace/"), "the statement hooks stay open to C2: " + line);
    assertEquals(expected, output.contains("pgintel agent: background code kept on C1 (2 compiler directives added)"),
        output);
  }

  @Test
  void versionCommandPrintsTheJarsVersion() throws Exception {
    Run run = ChildJvm.agentCommand("version");
    assertEquals(0, run.exit(), run.output());
    assertTrue(run.output().matches("pgintel-agent \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R"), run.output());
  }

  @Test
  void withoutAConnectionOfItsOwnTheActivitySampleYieldsToAPoolWhoseEveryConnectionIsLent() throws Exception {
    Run run = holdingEveryConnection(List.of("-Dpgintel.agent.own-connection=false"), (r, receiver) -> {
      double yielded = skipped(receiver, "activity", "pool_exhausted");
      // every second of the five, but for at most one borrow attempt after the exhausted-pool interval's 10 s
      assertTrue(yielded >= 3, "activity ticks that did not borrow from the exhausted pool: " + yielded + "\n"
          + r.output());
    });
    assertFalse(run.output().contains("reads through a connection of its own"), run.output());
  }

  @Test
  void byDefaultAPoolWhoseEveryConnectionIsLentIsLeftAloneForAConnectionOfPgintelsOwn() throws Exception {
    holdingEveryConnection(List.of(), (r, receiver) -> {
      assertTrue(r.output().contains("should the application's pool run out of connections to spare, collectors "
          + "read through pgintel's own connection to"), r.output());
      assertTrue(r.output().contains("reads through a connection of its own instead of borrowing"), r.output());
      assertEquals(0.0, skipped(receiver, "activity", "pool_exhausted"), r.output());
      assertEquals(0.0, skipped(receiver, "activity", "pool_busy"), r.output());
    });
  }

  /** The querying application on HikariCP holding all three of its connections for 5 s, from its third second. */
  private static Run holdingEveryConnection(List<String> settings, BiConsumer<Run, OtlpReceiver> check)
      throws Exception {
    PgServer pg = PostgresServers.newest();
    String database = pg.createDatabase("exhausted");
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      List<String> jvm = new ArrayList<>(List.of("-javaagent:" + JAR, "-Dqueryingapp.hold-all-seconds=5",
          "-Dotel.exporter.otlp.endpoint=" + receiver.endpoint(), "-Dotel.exporter.otlp.protocol=http/protobuf",
          "-Dotel.metric.export.interval=1000", "-Dotel.logs.exporter=none"));
      jvm.addAll(settings);
      Run run = runApp(jvm, "hikari", pg.jdbcUrl(database), pg.user(), 11);

      assertEquals(0, run.exit(), run.output());
      assertTrue(run.output().contains("holding all 3 connections"), run.output());
      check.accept(run, receiver);
      return run;
    }
  }

  /** The last value of {@code pgintel.collector.skipped} for a collector and reason, 0 if none arrived. */
  private static double skipped(OtlpReceiver receiver, String collector, String reason) {
    return receiver.receivedMetrics().stream()
        .filter(r -> r.metric().getName().equals("pgintel.collector.skipped"))
        .flatMap(r -> r.metric().getSum().getDataPointsList().stream())
        .filter(dp -> dp.getAttributesList().stream().anyMatch(a -> a.getKey().equals("pgintel.collector")
            && a.getValue().getStringValue().equals(collector))
            && dp.getAttributesList().stream().anyMatch(a -> a.getKey().equals("pgintel.skip.reason")
            && a.getValue().getStringValue().equals(reason)))
        .mapToDouble(dp -> dp.hasAsDouble() ? dp.getAsDouble() : dp.getAsInt())
        .max().orElse(0);
  }

  /** The database's {@code postgresql.commits} reached the receiver: pgintel monitored it and exported. */
  static void assertCommitsReceived(OtlpReceiver receiver, String database, String output) {
    boolean commitsOfDatabase = receiver.receivedMetrics().stream()
        .filter(r -> r.metric().getName().equals("postgresql.commits"))
        .flatMap(r -> r.metric().getSum().getDataPointsList().stream())
        .anyMatch(dp -> dp.getAttributesList().stream().anyMatch(a -> a.getKey().equals("db.namespace")
            && a.getValue().getStringValue().equals(database)));
    assertTrue(commitsOfDatabase, "postgresql.commits for " + database + " not received; metrics: "
        + receiver.receivedMetrics().stream().map(r -> r.metric().getName()).distinct().toList() + "\n" + output);
  }

  private static Run runApp(List<String> jvmOptions, String kind, String url, String user, int seconds)
      throws Exception {
    try (ChildJvm app = ChildJvm.start(jvmOptions, List.of(), kind, url, user, seconds)) {
      return app.await(Duration.ofSeconds(seconds + 60L));
    }
  }
}
