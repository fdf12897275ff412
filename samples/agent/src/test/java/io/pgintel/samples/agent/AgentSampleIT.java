package io.pgintel.samples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.test.OtlpReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The sample README's command, as a user runs it: the packaged sample with the packaged agent, in a JVM of its own. */
class AgentSampleIT {

  @Test
  void agentMonitorsTheSamplesPoolAndExportsOverOtlp() throws Exception {
    Path sample = Path.of(System.getProperty("sample.jar"));
    Path agent = Path.of(System.getProperty("agent.jar"));
    assertTrue(Files.exists(sample), sample + " was not built");
    assertTrue(Files.exists(agent), agent + " was not built");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      Process p = new ProcessBuilder(java, "-javaagent:" + agent + "=pgintel.collectors.statements.interval=2s",
          "-Dotel.exporter.otlp.endpoint=" + receiver.endpoint(), "-Dotel.exporter.otlp.protocol=http/protobuf",
          "-Dotel.metric.export.interval=1000", "-Dotel.service.name=orders",
          "-jar", sample.toString(), "--seconds", "8").redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), output);
      System.out.println(output);

      assertEquals(0, p.exitValue(), output);
      assertTrue(output.contains("pgintel agent: active"), output);
      assertTrue(output.contains("through com.zaxxer.hikari.HikariDataSource"), output);
      assertTrue(output.lines().anyMatch(l -> l.matches("orders placed: [1-9]\\d*")), output);
      List<String> metrics = receiver.receivedMetrics().stream().map(r -> r.metric().getName()).distinct().toList();
      assertTrue(metrics.contains("postgresql.commits"), metrics + "\n" + output);
      assertTrue(metrics.stream().anyMatch(m -> m.startsWith("postgresql.query.")),
          "the sample's statements are read from pg_stat_statements: " + metrics);
      assertTrue(receiver.receivedMetrics().stream().anyMatch(r -> "orders".equals(r.resourceAttribute(
          "service.name"))), "the application's service name is on pgintel's telemetry");
    }
  }
}
