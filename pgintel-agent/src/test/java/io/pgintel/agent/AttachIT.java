package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.agent.ChildJvm.Run;
import io.pgintel.test.OtlpReceiver;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code java -jar pgintel-agent.jar attach <pid>} on a running application that started without the agent. */
class AttachIT {

  @Test
  void attachedAgentFindsThePoolTheApplicationAlreadyUsesAndExports() throws Exception {
    PgServer pg = PostgresServers.newest();
    String database = pg.createDatabase("attach");
    try (OtlpReceiver receiver = new OtlpReceiver();
        ChildJvm app = ChildJvm.start(List.of(), List.of(), "hikari", pg.jdbcUrl(database), pg.user(), 10)) {
      assertTrue(app.awaitOutput("first query done", Duration.ofSeconds(30)), "the application did not start");

      Run attach = ChildJvm.agentCommand("attach", String.valueOf(app.pid()),
          "pgintel.collectors.database.interval=1s,otel.exporter.otlp.endpoint=" + receiver.endpoint()
              + ",otel.exporter.otlp.protocol=http/protobuf,otel.metric.export.interval=1000,"
              + "otel.service.name=attach-it");
      Run again = ChildJvm.agentCommand("attach", String.valueOf(app.pid()),
          "pgintel.collectors.database.interval=10s");
      Run run = app.await(Duration.ofSeconds(60));

      assertEquals(0, attach.exit(), attach.output());
      assertTrue(attach.output().contains("pgintel agent loaded into JVM " + app.pid()), attach.output());
      assertEquals(0, run.exit(), run.output());
      assertTrue(run.output().contains("agent.active=true"), run.output());
      assertEquals(0, again.exit(), again.output());
      assertTrue(run.output().contains("pgintel agent: already active in this JVM; the settings given now are "
          + "ignored"), "a second attach says its settings change nothing: " + run.output());
      assertTrue(run.output().contains("through com.zaxxer.hikari.HikariDataSource"), run.output());
      assertTrue(run.output().contains("linked=true"), "connections borrowed after attaching are correlated: "
          + run.output());
      AgentIT.assertCommitsReceived(receiver, database, run.output());
    }
  }

  @Test
  void attachToAProcessThatIsNoJvmRefusesAndLeavesItRunning() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    try {
      Run attach = ChildJvm.agentCommand("attach", String.valueOf(sleeper.pid()));

      assertEquals(1, attach.exit(), attach.output());
      assertTrue(attach.output().contains("is not a JVM this user can attach to"), attach.output());
      assertFalse(sleeper.waitFor(200, TimeUnit.MILLISECONDS), "the process was not harmed");
    } finally {
      sleeper.destroyForcibly();
    }
  }

  @Test
  void attachToAPidThatDoesNotExistSaysSo() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();

    Run attach = ChildJvm.agentCommand("attach", String.valueOf(gone.pid()));

    assertEquals(1, attach.exit(), attach.output());
    assertTrue(attach.output().contains("no process with pid " + gone.pid()), attach.output());
  }

  @Test
  void attachWithoutAPidShowsUsage() throws Exception {
    Run attach = ChildJvm.agentCommand("attach", "not-a-pid");

    assertEquals(2, attach.exit(), attach.output());
    assertTrue(attach.output().contains("usage: attach <pid>"), attach.output());
  }
}
