package io.pgintel.runtime;

import static io.pgintel.test.CapturedStderr.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pgintel.PgIntel;
import io.pgintel.PgIntelBuilder;
import io.pgintel.collect.Collector;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.collect.SqlSession;
import io.pgintel.runtime.CircuitBreaker.State;
import io.pgintel.test.CapturedStderr;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The breakers against a real server: stopped and restarted, made slow on purpose, crowded with connections. */
class CircuitBreakerServerTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private static State circuit(PgIntel p, String name) {
    return p.circuits().stream().filter(c -> c.name().equals(name)).findFirst().map(CircuitBreaker.Status::state)
        .orElse(State.CLOSED);
  }

  private static CollectorStatus status(PgIntel p, String collector) {
    return p.status().stream().filter(s -> s.name().equals(collector)).findFirst().orElseThrow();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "waited " + PATIENCE + " for " + what);
      Thread.sleep(20);
    }
  }

  /**
   * A private server where an ordinary role has 17 connections: from PostgreSQL 16 two more slots are kept for
   * pg_use_reserved_connections, which the application's role has not.
   */
  private static PgServer seventeenConnectionsAvailable() throws Exception {
    assumeTrue(System.getenv("PGINTEL_TEST_JDBC_URL") == null, "needs a server with few connections");
    int major = PostgresServers.newest().majorVersion();
    return PostgresServers.startPrivate(major, major >= 16
        ? Map.of("max_connections", "22", "reserved_connections", "2") : Map.of("max_connections", "20"));
  }

  private static PgIntelBuilder fast(PgIntelBuilder b) {
    return b.setting("pgintel.circuit.failure-threshold", 2).setting("pgintel.circuit.open-duration", "300ms")
        .setting("pgintel.backoff.max", "1s");
  }

  @Test
  void stoppedServerOpensTheServerCircuitWhichProbesAndClosesAfterARestartOfBoth(@TempDir Path dir)
      throws Exception {
    assumeTrue(System.getenv("PGINTEL_TEST_JDBC_URL") == null, "needs an embedded server it can stop");
    PgServer pg = PostgresServers.startPrivate(PostgresServers.newest().majorVersion());
    Path stateFile = dir.resolve("circuits.properties");
    try (TestTelemetry otel = new TestTelemetry()) {
      try (PgIntel p = fast(TestPgIntel.only(TestPgIntel.builder(pg, otel), "database"))
          .collectorInterval("database", Duration.ofMillis(100))
          .setting("pgintel.circuit.state-file", stateFile.toString()).build()) {
        p.start();
        await("a first collection", () -> status(p, "database").lastSuccess() != null);
        pg.stop();
        await("the server circuit to open", () -> circuit(p, Breakers.SERVER) == State.OPEN);
        Thread.sleep(3_000);
        double errors = otel.value("pgintel.collector.errors",
            Map.of("pgintel.collector", "database", "error.type", "connection")).orElseThrow();
        double skipped = otel.value("pgintel.collector.skipped",
            Map.of("pgintel.collector", "database", "pgintel.skip.reason", "circuit_open")).orElseThrow();
        // 100 ms ticks for more than 3 s: 30 attempts without the breaker; with it 2, then a probe per pause
        assertTrue(errors >= 3 && errors <= 10, "connection attempts while down: " + errors);
        assertTrue(skipped >= 10, "ticks skipped with the circuit open: " + skipped);
        assertEquals(1.0, otel.value("pgintel.circuit.state", Map.of("pgintel.circuit", "server")).orElseThrow());
      }
      assertTrue(Files.readString(stateFile).contains("server.until="), Files.readString(stateFile));

      // the application restarts while the server is still down: the circuit comes back open
      try (PgIntel p = fast(TestPgIntel.only(TestPgIntel.builder(pg, otel), "database"))
          .collectorInterval("database", Duration.ofMillis(100))
          .setting("pgintel.circuit.state-file", stateFile.toString()).build()) {
        assertEquals(State.OPEN, circuit(p, Breakers.SERVER));
        pg.start();
        p.start();
        await("the circuit to close once the server is back", () -> circuit(p, Breakers.SERVER) == State.CLOSED
            && status(p, "database").state() == CollectorStatus.State.ACTIVE
            && status(p, "database").lastSuccess() != null);
        assertEquals(State.CLOSED, circuit(p, "database"), "the database collector's own circuit");
      }
    } finally {
      pg.stop();
    }
  }

  @Test
  void aRoleAtItsConnectionLimitIsOneWarningForEveryCollectorAndOneLineWhenSessionsAreBack() throws Exception {
    assumeTrue(System.getenv("PGINTEL_TEST_JDBC_URL") == null, "creates a role");
    PgServer pg = PostgresServers.newest();
    String role = "full_" + Long.toHexString(System.nanoTime());
    pg.execute("postgres", "CREATE ROLE " + role + " LOGIN CONNECTION LIMIT 0");
    try (TestTelemetry otel = new TestTelemetry()) {
      String log = CapturedStderr.during(() -> {
        try (PgIntel p = PgIntel.builder().dataSource(pg.dataSourceAs(role, "postgres"))
            .openTelemetry(otel.openTelemetry()).build()) {
          p.collectNow();
          p.collectNow();
          assertEquals(State.OPEN, circuit(p, Breakers.SERVER));
          for (CircuitBreaker.Status c : p.circuits()) {
            assertTrue(c.name().equals(Breakers.SERVER) || c.state() == State.CLOSED, "only the server's: " + c);
          }
          List<CollectorStatus> failing = p.status().stream()
              .filter(s -> s.state() == CollectorStatus.State.BACKING_OFF).toList();
          assertTrue(failing.size() >= 10, "every enabled collector tried: " + p.status());
          for (CollectorStatus s : failing) {
            // nothing lost silently: every attempt is counted, though said once for all
            assertEquals(2.0, otel.value("pgintel.collector.errors",
                Map.of("pgintel.collector", s.name(), "error.type", "too_many_connections")).orElse(0.0), s.name());
          }
          pg.execute("postgres", "ALTER ROLE " + role + " CONNECTION LIMIT -1");
          p.collectNow();
          assertEquals(State.CLOSED, circuit(p, Breakers.SERVER));
        }
      });
      assertEquals(1, count(log, "lost or could not open a database session (too_many_connections"), log);
      assertTrue(log.contains("too many connections for role"), log);
      assertEquals(0, count(log, "' failed ("), "no warning per collector: " + log);
      assertEquals(1, count(log, "circuit 'server' is open"), log);
      assertEquals(0, count(log, "is open until") - count(log, "circuit 'server' is open"), log);
      assertEquals(1, count(log, "has a database session again"), log);
      assertEquals(0, count(log, "recovered after"), "no line per collector: " + log);
    } finally {
      pg.execute("postgres", "DROP ROLE " + role);
    }
  }

  @Test
  void aSessionComingAndGoingSaysItsFailureAndItsReturnOnceAMinuteNotAtEveryTurn() throws Exception {
    assumeTrue(System.getenv("PGINTEL_TEST_JDBC_URL") == null, "creates a role");
    PgServer pg = PostgresServers.newest();
    String role = "flapping_" + Long.toHexString(System.nanoTime());
    pg.execute("postgres", "CREATE ROLE " + role + " LOGIN");
    String log;
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = TestPgIntel.only(PgIntel.builder().dataSource(pg.dataSourceAs(role, "postgres"))
            .openTelemetry(otel.openTelemetry()), "database").build()) {
      log = CapturedStderr.during(() -> {
        for (int turn = 0; turn < 3; turn++) {
          pg.execute("postgres", "ALTER ROLE " + role + " CONNECTION LIMIT 0");
          p.collectNow();
          pg.execute("postgres", "ALTER ROLE " + role + " CONNECTION LIMIT -1");
          p.collectNow();
        }
      });
      assertEquals(3.0, otel.value("pgintel.collector.errors",
          Map.of("pgintel.collector", "database", "error.type", "too_many_connections")).orElseThrow(),
          "every failure counted");
    } finally {
      pg.execute("postgres", "DROP ROLE " + role);
    }
    assertEquals(1, count(log, "lost or could not open a database session"), log);
    assertEquals(1, count(log, "has a database session again"), log);
  }

  /** Sleeps on the server for as long as it is told. */
  static final class Sleepy implements Collector {
    final AtomicLong sleepMillis = new AtomicLong();

    @Override
    public String name() {
      return "sleepy";
    }

    @Override
    public Duration defaultInterval() {
      return Duration.ofMillis(200);
    }

    @Override
    public List<? extends Record> collect(SqlSession session) throws SQLException {
      session.query("SELECT pg_sleep(" + sleepMillis.get() / 1000.0 + ")", r -> 1);
      return List.of();
    }
  }

  @Test
  void collectionMadeSlowOnPurposeOpensOnlyItsOwnCircuitUntilItIsFastAgain() throws Exception {
    PgServer pg = PostgresServers.newest();
    Sleepy sleepy = new Sleepy();
    sleepy.sleepMillis.set(150);
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = fast(TestPgIntel.only(TestPgIntel.builder(pg, otel), "database"))
            .setting("pgintel.circuit.slow-share", 50).setting("pgintel.circuit.open-duration", "500ms")
            .collectorInterval("database", Duration.ofMillis(200)).addCollector(sleepy).build()) {
      p.start();
      await("the slow collector's circuit to open", () -> circuit(p, "sleepy") == State.OPEN);
      assertEquals(State.CLOSED, circuit(p, Breakers.SERVER));
      assertTrue(p.circuits().stream().filter(c -> c.name().equals("sleepy")).findFirst().orElseThrow().reason()
          .startsWith("slow"));
      long before = status(p, "database").lastSuccess().toEpochMilli();
      await("the other collectors to go on", () -> status(p, "database").lastSuccess().toEpochMilli() > before);
      sleepy.sleepMillis.set(0);
      await("the circuit to close once collection is fast", () -> circuit(p, "sleepy") == State.CLOSED);
    }
  }

  @Test
  void connectionsNearMaxConnectionsPauseCollectionUntilTheyAreGone() throws Exception {
    PgServer pg = seventeenConnectionsAvailable();
    int major = pg.majorVersion();
    List<Connection> crowd = new ArrayList<>();
    try (TestTelemetry otel = new TestTelemetry();
        // activity ticks faster than connections, as by default: it must not take every probe of the pressure
        PgIntel p = fast(TestPgIntel.only(TestPgIntel.builder(pg, otel), "connections", "database", "activity"))
            .collectorInterval("connections", Duration.ofMillis(400))
            .collectorInterval("activity", Duration.ofMillis(100))
            .collectorInterval("database", Duration.ofMillis(200)).build()) {
      p.start();
      // the status shows a success a moment before its records reach the telemetry
      await("a first reading", () -> otel.value("postgresql.connection.reserved", Map.of()).isPresent());
      assertEquals(State.CLOSED, circuit(p, Breakers.SERVER));
      assertEquals(major >= 16 ? 5.0 : 3.0, otel.value("postgresql.connection.reserved", Map.of()).orElseThrow());
      // 17 available; 16 of ours and pgintel's own is all of them
      for (int i = 0; i < 16; i++) {
        crowd.add(pg.connect());
      }
      await("pressure to open the server circuit", () -> circuit(p, Breakers.SERVER) == State.OPEN);
      String reason = p.circuits().get(0).reason();
      // idle connections, which count because every session of pgintel's is a connection of its own here
      assertTrue(reason.startsWith("pressure: 17 client connections, 0 active")
          && reason.contains("open connections of their own"), reason);
      await("collection to pause", () -> otel.value("pgintel.collector.skipped",
          Map.of("pgintel.collector", "database", "pgintel.skip.reason", "circuit_open")).orElse(0.0) >= 1);
      for (Connection c : crowd) {
        c.close();
      }
      crowd.clear();
      await("the probe to close the circuit", () -> circuit(p, Breakers.SERVER) == State.CLOSED);
    } finally {
      for (Connection c : crowd) {
        c.close();
      }
      pg.stop();
    }
  }

  @Test
  void idleConnectionsNearMaxConnectionsLeaveCollectionThroughAPoolAloneButBusySessionsPauseIt() throws Exception {
    PgServer pg = seventeenConnectionsAvailable();
    List<Connection> crowd = new ArrayList<>();
    List<Thread> sleepers = new ArrayList<>();
    HikariConfig config = new HikariConfig();
    config.setDataSource(pg.dataSource());
    config.setMaximumPoolSize(1);
    try (HikariDataSource pool = new HikariDataSource(config); TestTelemetry otel = new TestTelemetry();
        PgIntel p = fast(TestPgIntel.only(PgIntel.builder().dataSource(pool).openTelemetry(otel.openTelemetry())
            .borrowTimeout(Duration.ofSeconds(10)), "connections", "database"))
            .collectorInterval("connections", Duration.ofMillis(400))
            .collectorInterval("database", Duration.ofMillis(200)).build()) {
      long pooledSince = System.nanoTime();
      p.start();
      // the pool's connection is no longer one opened for pgintel's session
      Thread.sleep(Math.max(0, 6_000 - (System.nanoTime() - pooledSince) / 1_000_000));
      Map<String, Object> pausedDatabase = Map.of("pgintel.collector", "database", "pgintel.skip.reason",
          "circuit_open");
      double skippedBefore = otel.value("pgintel.collector.skipped", pausedDatabase).orElse(0.0);
      // 17 available: 16 of ours and the pool's one, which pgintel borrows, is all of them
      for (int i = 0; i < 16; i++) {
        crowd.add(pg.connect());
      }
      Instant crowded = Instant.now();
      await("readings of the idle crowd", () -> status(p, "connections").lastSuccess() != null
          && status(p, "connections").lastSuccess().isAfter(crowded.plusSeconds(2)));
      assertEquals(State.CLOSED, circuit(p, Breakers.SERVER), p.circuits().toString());
      assertEquals(skippedBefore, otel.value("pgintel.collector.skipped", pausedDatabase).orElse(0.0));
      // the same sessions at work: that is load, however pgintel gets its session
      for (Connection c : crowd) {
        Thread t = new Thread(() -> {
          try (var st = c.createStatement()) {
            st.execute("SELECT pg_sleep(60)");
          } catch (SQLException cancelled) {
            // cancelled or closed by the test
          }
        });
        t.start();
        sleepers.add(t);
      }
      await("busy sessions to open the server circuit", () -> circuit(p, Breakers.SERVER) == State.OPEN);
      String reason = p.circuits().get(0).reason();
      assertTrue(reason.startsWith("pressure: 16 active sessions"), reason);
    } finally {
      for (Connection c : crowd) {
        c.close();
      }
      for (Thread t : sleepers) {
        t.join(10_000);
      }
      pg.stop();
    }
  }
}
