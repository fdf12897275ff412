package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.test.OtlpReceiver;
import io.pgintel.test.OtlpReceiver.Received;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pgintel together with the real OpenTelemetry javaagent from Maven Central, on {@link QueryingApp} in a JVM of its
 * own: as the javaagent's extension, and as a second {@code -javaagent} before or after it. Either way pgintel's
 * metrics must arrive through the javaagent's SDK, with its resource, and through nothing else.
 */
class OpenTelemetryJavaagentIT {

  private static final String SERVICE = "orders-service";

  @ParameterizedTest
  @ValueSource(strings = {"extension", "otel-then-pgintel", "pgintel-then-otel"})
  void pgintelReportsThroughTheJavaagentsSdkWithItsResource(String setup) throws Exception {
    PgServer pg = PostgresServers.newest();
    String database = pg.createDatabase("otelagent");
    Path otelAgent = ChildJvm.itJar("opentelemetry-javaagent.jar");
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      List<String> options = new ArrayList<>(switch (setup) {
        case "extension" -> List.of("-javaagent:" + otelAgent, "-Dotel.javaagent.extensions=" + ChildJvm.AGENT_JAR);
        case "otel-then-pgintel" -> List.of("-javaagent:" + otelAgent, "-javaagent:" + ChildJvm.AGENT_JAR);
        default -> List.of("-javaagent:" + ChildJvm.AGENT_JAR, "-javaagent:" + otelAgent);
      });
      options.addAll(List.of("-Dotel.service.name=" + SERVICE, "-Dotel.exporter.otlp.endpoint=" + receiver.endpoint(),
          "-Dotel.exporter.otlp.protocol=http/protobuf", "-Dotel.metric.export.interval=1000",
          // the receiver takes metrics and logs; the javaagent's spans would only be refused noisily
          "-Dotel.traces.exporter=none", "-Dpgintel.collectors.database.interval=1s"));
      List<Path> classPath = List.of(ChildJvm.location(QueryingApp.class),
          ChildJvm.location(org.postgresql.Driver.class), ChildJvm.location(com.zaxxer.hikari.HikariDataSource.class),
          ChildJvm.location(org.slf4j.LoggerFactory.class));
      // HikariCP where the javaagent transforms the pool's classes before pgintel does (it gives HikariConfig an
      // interface of its own making, which once failed pgintel's transformation of HikariDataSource)
      String app = setup.equals("pgintel-then-otel") ? "simple" : "hikari";
      options.add("-Dqueryingapp.start-delay-ms=3000");
      ChildJvm.Run run = ChildJvm.run(options, classPath, QueryingApp.class,
          List.of(app, pg.jdbcUrl(database), pg.user(), "14"), 14);

      assertEquals(0, run.exit(), run.output());
      assertTrue(run.output().contains("pgintel agent: reporting through the OpenTelemetry javaagent"), run.output());
      if (app.equals("hikari")) {
        assertTrue(run.output().contains("through com.zaxxer.hikari.HikariDataSource"), run.output());
      }
      assertFalse(run.output().contains("could not instrument"), run.output());
      assertTrue(run.output().contains("linked=true"), "statements are correlated in the linked copy too: "
          + run.output());
      List<Received> metrics = receiver.receivedMetrics();
      List<Received> pgintel = metrics.stream().filter(r -> r.metric().getName().startsWith("postgresql.")
          || r.metric().getName().startsWith("pgintel.")).toList();
      boolean commitsOfDatabase = pgintel.stream().filter(r -> r.metric().getName().equals("postgresql.commits"))
          .flatMap(r -> r.metric().getSum().getDataPointsList().stream())
          .anyMatch(dp -> dp.getAttributesList().stream().anyMatch(a -> a.getKey().equals("db.namespace")
              && a.getValue().getStringValue().equals(database)));
      assertTrue(commitsOfDatabase, "postgresql.commits of " + database + " not received; got "
          + metrics.stream().map(r -> r.metric().getName()).distinct().toList() + "\n" + run.output());
      assertTrue(pgintel.stream().anyMatch(r -> r.metric().getName().equals("pgintel.collector.up")),
          run.output());
      // one resource for everything pgintel sent, the javaagent's: its service.name and its distribution
      Map<String, List<String>> resources = pgintel.stream().collect(Collectors.groupingBy(
          r -> r.resourceAttribute("service.name") + " / " + r.resourceAttribute("telemetry.distro.name"),
          Collectors.mapping(r -> r.metric().getName(), Collectors.toList())));
      assertEquals(List.of(SERVICE + " / opentelemetry-java-instrumentation"), List.copyOf(resources.keySet()),
          "pgintel's metrics came from more than the javaagent's SDK: " + resources.keySet());
      assertTrue(metrics.stream().anyMatch(r -> r.metric().getName().startsWith("jvm.")
          && SERVICE.equals(r.resourceAttribute("service.name"))), "the javaagent's own metrics share the resource");
      assertFalse(run.output().contains("reporting through pgintel's own"), run.output());
      assertTrue(run.output().matches("(?s).*pgintel agent \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?: watching.*"), run.output());
    }
  }
}
