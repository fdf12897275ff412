package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.test.OtlpReceiver;
import io.pgintel.test.OtlpReceiver.Received;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The agent on {@link BundlingApp}, an application with its own, older versions of Caffeine, Byte Buddy, SLF4J (and
 * slf4j-simple) and the OpenTelemetry SDK: it must start and run on its own libraries, and pgintel must report
 * through the OpenTelemetry the application registers as global a few seconds after its first connection (pgintel
 * decides at that connection, and waits for an application that has the API but no global yet).
 */
class BundledLibrariesIT {

  @Test
  void applicationKeepsItsLibrariesAndPgintelReportsThroughItsLateGlobalOpenTelemetry() throws Exception {
    PgServer pg = PostgresServers.newest();
    String database = pg.createDatabase("bundling");
    List<Path> classPath = new ArrayList<>(List.of(ChildJvm.location(BundlingApp.class),
        ChildJvm.location(org.postgresql.Driver.class), ChildJvm.location(com.zaxxer.hikari.HikariDataSource.class)));
    try (Stream<Path> jars = Files.list(ChildJvm.itJar("app"))) {
      classPath.addAll(jars.sorted().toList());
    }
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      String agent = "-javaagent:" + ChildJvm.AGENT_JAR + "=pgintel.collectors.database.interval=1s";
      ChildJvm.Run run = ChildJvm.run(List.of(agent), classPath, BundlingApp.class,
          List.of(pg.jdbcUrl(database), pg.user(), "8", receiver.endpoint()), 11);

      String out = run.output();
      assertEquals(0, run.exit(), out);
      assertTrue(out.indexOf("watching DataSources") < out.indexOf("OpenTelemetry set up"),
          "the agent saw connections before the application set its global, so it had to wait for it: " + out);
      assertTrue(out.contains("cache=cached") && out.contains("generated=app.Generated"), out);
      assertTrue(out.contains("caffeine.from=caffeine-2.9.3.jar"), out);
      assertTrue(out.contains("bytebuddy.from=byte-buddy-1.14.18.jar"), out);
      assertTrue(out.contains("slf4j.from=slf4j-api-1.7.36.jar"), out);
      assertTrue(out.contains("slf4j.backend=org.slf4j.impl.SimpleLoggerFactory"), out);
      assertTrue(out.contains("otel.from=opentelemetry-sdk-1.62.0.jar"), out);
      assertTrue(out.contains("pgintel agent: reporting through the application's global OpenTelemetry"), out);
      assertTrue(out.contains("linked=true"), "statements are correlated in the linked copy too: " + out);

      List<Received> pgintel = receiver.receivedMetrics().stream()
          .filter(r -> r.metric().getName().startsWith("postgresql.") || r.metric().getName().startsWith("pgintel."))
          .toList();
      boolean commitsOfDatabase = pgintel.stream().filter(r -> r.metric().getName().equals("postgresql.commits"))
          .flatMap(r -> r.metric().getSum().getDataPointsList().stream())
          .anyMatch(dp -> dp.getAttributesList().stream().anyMatch(a -> a.getKey().equals("db.namespace")
              && a.getValue().getStringValue().equals(database)));
      assertTrue(commitsOfDatabase, "postgresql.commits of " + database + " not received\n" + out);
      assertEquals(List.of("bundling-app"), pgintel.stream().map(r -> r.resourceAttribute("service.name")).distinct()
          .toList(), "every pgintel metric came through the application's SDK, none through an SDK of pgintel's own");
      assertEquals(List.of("1.62.0"), pgintel.stream().map(r -> r.resourceAttribute("telemetry.sdk.version"))
          .distinct().toList());
    }
  }
}
