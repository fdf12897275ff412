package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.test.OtlpReceiver;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged agent jar on a real application: {@link QueryingApp} in its own JVM with {@code -javaagent},
 * the agent's OTLP export received by a real OTLP/HTTP receiver.
 */
class AgentIT {

  private static final Path JAR = ChildJvm.AGENT_JAR;

  @ParameterizedTest
  @ValueSource(strings = {"simple", "hikari"})
  void exportsDatabaseMetricsOfAnApplicationDataSourceItWasNeverTold(String kind) throws Exception {
    PgServer pg = PostgresServers.newest();
    String database = pg.createDatabase("agent");
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      ChildJvm.Run run = runApp(List.of("-javaagent:" + JAR + "=pgintel.collectors.database.interval=1s",
          "-Dotel.exporter.otlp.endpoint=" + receiver.endpoint(), "-Dotel.exporter.otlp.protocol=http/protobuf",
          "-Dotel.metric.export.interval=1000", "-Dotel.service.name=agent-it",
          "-Dotel.exporter.otlp.compression=gzip"), kind, pg.jdbcUrl(database), pg.user(), 8);

      assertEquals(0, run.exit(), run.output());
      // pgintel's own SDK, relocated with its exporter and HTTP client, still honours the standard settings
      assertTrue(run.output().contains("reporting through pgintel's own SDK"), run.output());
      assertEquals(List.of("gzip"), receiver.encodings().stream().distinct().toList());
      assertTrue(run.output().contains("agent.active=true"), run.output());
      assertTrue(run.output().contains("wrapped=true"), "statements are correlated: " + run.output());
      boolean commitsOfDatabase = receiver.receivedMetrics().stream()
          .filter(r -> r.metric().getName().equals("postgresql.commits"))
          .flatMap(r -> r.metric().getSum().getDataPointsList().stream())
          .anyMatch(dp -> dp.getAttributesList().stream().anyMatch(a -> a.getKey().equals("db.namespace")
              && a.getValue().getStringValue().equals(database)));
      assertTrue(commitsOfDatabase, "postgresql.commits for " + database + " not received; metrics: "
          + receiver.receivedMetrics().stream().map(r -> r.metric().getName()).distinct().toList() + "\n"
          + run.output());
      if (kind.equals("hikari")) {
        List<String> monitoring = run.output().lines().filter(l -> l.contains("pgintel agent: monitoring")).toList();
        assertTrue(monitoring.get(monitoring.size() - 1).endsWith("through com.zaxxer.hikari.HikariDataSource"),
            "reads through the pool, not the driver DataSource the pool fills itself from: " + run.output());
      }
    }
  }

  @Test
  void badSettingIsOneWarningNamingTheKeyAndTheApplicationRuns() throws Exception {
    PgServer pg = PostgresServers.newest();
    ChildJvm.Run run = runApp(List.of("-javaagent:" + JAR + "=pgintel.collectors.database.interval=-5s",
        "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none"), "simple", pg.jdbcUrl("postgres"), pg.user(), 3);

    assertEquals(0, run.exit(), run.output());
    assertTrue(run.output().contains("queries="), run.output());
    List<String> warnings = run.output().lines()
        .filter(l -> l.contains("WARN") && l.contains("pgintel.collectors.database.interval")).toList();
    assertEquals(1, warnings.size(), run.output());
    assertTrue(run.output().contains("pgintel agent: monitoring"), "the other settings still apply: "
        + run.output());
  }

  @Test
  void versionCommandPrintsTheJarsVersion() throws Exception {
    Process p = new ProcessBuilder(java(), "-jar", JAR.toString(), "version").redirectErrorStream(true).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.matches("pgintel-agent \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R"), out);
  }

  private static ChildJvm.Run runApp(List<String> jvmOptions, String kind, String url, String user, int seconds)
      throws Exception {
    // what such an application ships: the driver, HikariCP and the SLF4J API HikariCP needs (its own version;
    // the agent's SLF4J is relocated and does not leak into the application)
    List<Path> classPath = List.of(ChildJvm.location(QueryingApp.class), ChildJvm.location(org.postgresql.Driver.class),
        ChildJvm.location(com.zaxxer.hikari.HikariDataSource.class), ChildJvm.location(org.slf4j.LoggerFactory.class));
    return ChildJvm.run(jvmOptions, classPath, QueryingApp.class, List.of(kind, url, user, String.valueOf(seconds)),
        seconds);
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
