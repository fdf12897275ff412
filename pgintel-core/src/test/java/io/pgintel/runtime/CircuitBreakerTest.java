package io.pgintel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.collect.connections.ConnectionGroup;
import io.pgintel.collect.connections.ConnectionLimits;
import io.pgintel.runtime.CircuitBreaker.State;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CircuitBreakerTest {

  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final Duration TEN = Duration.ofSeconds(10);

  private final CircuitBreaker breaker = new CircuitBreaker("statements", 3, Duration.ofSeconds(30),
      Duration.ofMinutes(5));

  @Test
  void opensAfterConsecutiveFailuresOnly() {
    assertFalse(breaker.failure(0, "connection"));
    assertFalse(breaker.failure(1, "connection"));
    assertTrue(breaker.success() == false, "a success while closed changes nothing");
    assertFalse(breaker.failure(2, "connection"));
    assertFalse(breaker.failure(3, "statement_timeout"));
    assertEquals(State.CLOSED, breaker.state());
    assertTrue(breaker.failure(4, "statement_timeout"));
    assertEquals(State.OPEN, breaker.state());
    assertEquals(30_004, breaker.openUntil());
    assertEquals("statement_timeout", breaker.status().reason());
  }

  @Test
  void openRefusesUntilItsPauseThenLetsExactlyOneProbeThrough() {
    trip();
    assertFalse(breaker.allow(29_999));
    assertTrue(breaker.allow(30_000));
    assertEquals(State.HALF_OPEN, breaker.state());
    assertFalse(breaker.allow(30_001), "a second probe while the first runs");
    breaker.abandon();
    assertTrue(breaker.allow(30_002), "the probe's tick was skipped: another may probe");
  }

  @Test
  void aSuccessfulProbeClosesAndResetsThePause() {
    trip();
    assertTrue(breaker.allow(30_000));
    assertTrue(breaker.success());
    assertEquals(State.CLOSED, breaker.state());
    assertEquals(0, breaker.openUntil());
    for (int i = 0; i < 3; i++) {
      breaker.failure(40_000, "connection");
    }
    assertEquals(70_000, breaker.openUntil(), "the pause starts over at 30 s");
  }

  @Test
  void failedProbesDoubleThePauseUpToTheLongest() {
    trip();
    long now = 30_000;
    List<Long> pauses = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      assertTrue(breaker.allow(now));
      assertTrue(breaker.failure(now, "connection"));
      pauses.add(breaker.openUntil() - now);
      now = breaker.openUntil();
    }
    assertEquals(List.of(60_000L, 120_000L, 240_000L, 300_000L, 300_000L, 300_000L), pauses);
  }

  @Test
  void trippingOpensAtOnceAndTrippingAProbeDoublesThePause() {
    assertTrue(breaker.trip(0, "pressure"));
    assertEquals(State.OPEN, breaker.state());
    assertFalse(breaker.trip(1, "pressure"), "already open");
    assertTrue(breaker.allow(30_000));
    assertTrue(breaker.trip(30_000, "pressure"));
    assertEquals(90_000, breaker.openUntil());
  }

  private void trip() {
    for (int i = 0; i < 3; i++) {
      breaker.failure(0, "connection");
    }
  }

  // the breakers of one instance

  private static Breakers breakers(Path file) {
    return new Breakers(true, 2, 80, 90, Duration.ofSeconds(30), Duration.ofMinutes(5), file);
  }

  /** As read through a DataSource that opens a connection for every session. */
  private static List<Record> connections(long clients, long active, long max) {
    return connections(clients, active, max, true);
  }

  private static List<Record> connections(long clients, long active, long max, boolean newSession) {
    return List.of(new ConnectionGroup("app", "idle", "app", "app", "client backend", "", clients - active),
        new ConnectionGroup("app", "active", "app", "app", "client backend", "", active),
        new ConnectionGroup("", "", "", "", "checkpointer", "", 1), new ConnectionLimits(max, 3, newSession));
  }

  @Test
  void slowCollectionsCountLikeFailuresOfTheirCollectorOnly() {
    Breakers b = breakers(null);
    assertTrue(b.allow("tables", 0));
    b.succeeded("tables", 0, Duration.ofMillis(8_100), TEN, List.of());
    b.succeeded("tables", 10_000, Duration.ofMillis(9_000), TEN, List.of());
    assertFalse(b.allow("tables", 10_001));
    assertTrue(b.allow("database", 10_001), "other collectors go on");
    assertEquals("tables", b.status().get(1).name());
    assertTrue(b.status().get(1).reason().startsWith("slow: took 9000 ms of a 10000 ms interval"),
        b.status().toString());
  }

  @Test
  void pressureNearMaxConnectionsPausesEveryCollectorAndTheProbeClosesIt() {
    Breakers b = breakers(null);
    // 100 - 3 reserved = 97 available; 87 is 89.7 %, 88 is 90.7 %
    b.succeeded("connections", 0, SECOND, TEN, connections(87, 10, 100));
    assertTrue(b.allow("statements", 1));
    b.succeeded("connections", 1, SECOND, TEN, connections(88, 10, 100));
    assertEquals(State.OPEN, b.status().get(0).state());
    assertTrue(b.status().get(0).reason().contains("88 client connections"), b.status().get(0).reason());
    assertFalse(b.allow("statements", 2));
    assertFalse(b.allow("connections", 2));
    // the pause is over: a collector that cannot read the pressure does not take the probe, however often it asks
    // (an activity collector ticking every second would otherwise take every turn and hold it half-open for good)
    for (int i = 0; i < 3; i++) {
      assertFalse(b.allow("activity", 30_001 + i));
    }
    // the connections collector probes; the others wait for its verdict
    assertTrue(b.allow("connections", 30_005));
    assertEquals(State.HALF_OPEN, b.status().get(0).state());
    assertFalse(b.allow("statements", 30_001));
    b.succeeded("connections", 30_002, SECOND, TEN, connections(95, 90, 100));
    assertEquals(State.OPEN, b.status().get(0).state(), "still under pressure: open again, for longer");
    assertEquals(90_002, b.openUntil("statements"));
    assertTrue(b.allow("connections", 90_002));
    b.succeeded("connections", 90_003, SECOND, TEN, connections(20, 5, 100));
    assertEquals(State.CLOSED, b.status().get(0).state());
    assertTrue(b.allow("statements", 90_004));
  }

  @Test
  void aPressureProbeTheConnectionsCollectorFailsForItsOwnReasonLetsAnyCollectorCloseTheBreaker() {
    Breakers b = breakers(null);
    b.succeeded("connections", 0, SECOND, TEN, connections(20, 10, 100));
    b.succeeded("connections", 0, SECOND, TEN, connections(95, 10, 100));
    assertEquals(State.OPEN, b.status().get(0).state());
    assertFalse(b.allow("activity", 30_001));
    assertTrue(b.allow("connections", 30_002));
    // a privilege revoked, a timeout: the reading that would tell may never come
    b.failed("connections", 30_003, "insufficient_privilege", false);
    assertTrue(b.allow("activity", 30_004));
    b.succeeded("activity", 30_005, SECOND, TEN, List.of());
    assertEquals(State.CLOSED, b.status().get(0).state());
  }

  @Test
  void activeSessionsAloneAlsoMeanPressure() {
    assertTrue(breakers(null).pressure(connections(95, 95, 100), false) != null);
    assertEquals(null, breakers(null).pressure(List.of(new ConnectionLimits(100, 3, true)), true));
    assertEquals(null, breakers(null).pressure(List.of(), true), "without the limits nothing is known");
  }

  @Test
  void idleConnectionsNearTheLimitAreNoPressureWhenAPoolLendsPgintelAConnectionItHoldsAnyway() {
    Breakers b = breakers(null);
    // 96 of 97 available, 10 active: fixed pools that add up to the limit, quiet
    assertEquals(null, b.pressure(connections(96, 10, 100, false), false));
    b.succeeded("connections", 0, SECOND, TEN, connections(96, 10, 100, false));
    b.succeeded("connections", 1, SECOND, TEN, connections(96, 10, 100, false));
    assertEquals(State.CLOSED, b.status().get(0).state(), "monitoring goes on when connections run short");
    // a pool renewing one connection: a new session once is no DataSource that opens one each time
    b.succeeded("connections", 2, SECOND, TEN, connections(96, 10, 100, true));
    assertEquals(State.CLOSED, b.status().get(0).state());
    b.succeeded("connections", 3, SECOND, TEN, connections(96, 10, 100, false));
    assertEquals(State.CLOSED, b.status().get(0).state());
    // busy sessions are pressure however pgintel gets its session
    String busy = b.pressure(connections(96, 88, 100, false), false);
    assertTrue(busy != null && busy.startsWith("pressure: 88 active sessions"), busy);
    b.succeeded("connections", 4, SECOND, TEN, connections(96, 88, 100, false));
    assertEquals(State.OPEN, b.status().get(0).state());
  }

  @Test
  void idleConnectionsNearTheLimitArePressureWhenEverySessionOfPgintelsIsANewConnection() {
    Breakers b = breakers(null);
    b.succeeded("connections", 0, SECOND, TEN, connections(96, 10, 100, true));
    assertEquals(State.CLOSED, b.status().get(0).state(), "one new session may be a pool renewing a connection");
    b.succeeded("connections", 1, SECOND, TEN, connections(96, 10, 100, true));
    assertEquals(State.OPEN, b.status().get(0).state());
    assertTrue(b.status().get(0).reason().contains("open connections of their own"), b.status().get(0).reason());
  }

  @Test
  void aFailedReadingBetweenTwoNewSessionsMakesThemNoTwoInARow() {
    Breakers b = breakers(null);
    b.succeeded("connections", 0, SECOND, TEN, connections(96, 10, 100, true));
    b.failed("connections", 1, "statement_timeout", false);
    b.succeeded("connections", 2, SECOND, TEN, connections(96, 10, 100, true));
    assertEquals(State.CLOSED, b.status().get(0).state());
  }

  @Test
  void connectionFailuresOfAnyCollectorOpenTheServerCircuit() {
    Breakers b = breakers(null);
    b.failed("statements", 0, "connection", true);
    b.failed("tables", 1, "connection", true);
    assertEquals(State.OPEN, b.status().get(0).state());
    assertFalse(b.allow("wal", 2));
    assertTrue(b.allow("wal", 30_001));
    b.failed("wal", 30_002, "insufficient_privilege", true);
    assertEquals(State.CLOSED, b.status().get(0).state(), "the server answered the probe");
  }

  @Test
  void noSessionOpensOnlyTheServersCircuitButASessionEndedUnderACollectorCountsAsItsOwnFailureToo() {
    Breakers refused = breakers(null);
    refused.failed("statements", 0, "too_many_connections", true);
    refused.failed("statements", 1, "too_many_connections", true);
    assertEquals(State.OPEN, refused.status().get(0).state(), "the server's");
    assertEquals(List.of(State.CLOSED), refused.status().stream().filter(c -> c.name().equals("statements"))
        .map(CircuitBreaker.Status::state).toList(), "not the collector's: it never ran");

    // pg_terminate_backend on the statements collector's session, twice, while the others succeed
    Breakers killed = breakers(null);
    for (long now = 0; now < 2; now++) {
      killed.failed("statements", now, "server_shutdown", false);
      killed.succeeded("tables", now, SECOND, TEN, List.of());
    }
    assertEquals(State.CLOSED, killed.status().get(0).state(), "the server answers the others");
    assertEquals(List.of(State.OPEN), killed.status().stream().filter(c -> c.name().equals("statements"))
        .map(CircuitBreaker.Status::state).toList(), "the collector whose session ends under it backs off");
  }

  @Test
  void openCircuitsSurviveARestartThroughTheStateFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sub").resolve("circuits.properties");
    long now = System.currentTimeMillis();
    Breakers before = breakers(file);
    before.failed("statements", now, "connection", true);
    before.failed("statements", now, "connection", true);
    assertTrue(Files.exists(file));
    try (var files = Files.list(file.getParent())) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
    Breakers after = breakers(file);
    assertFalse(after.allow("statements", now + 1));
    assertFalse(after.allow("tables", now + 1), "the server circuit came back open too");
    assertEquals(now + 30_000, after.openUntil("tables"));
    Files.writeString(file, "server.until=" + (now + 86_400_000L) + "\n");
    assertTrue(breakers(file).openUntil("tables") <= System.currentTimeMillis() + 300_000,
        "a restored pause is never longer than the longest pause");
    assertTrue(after.allow("tables", now + 30_000));
    after.succeeded("tables", now + 30_001, SECOND, TEN, List.of());
    assertTrue(after.allow("tables", now + 30_002));
    assertFalse(Files.readString(file).contains("server.until"), "closed circuits are not kept");
  }

  @Test
  void anUnreadableOrCorruptStateFileIsIgnored(@TempDir Path dir) throws Exception {
    Path corrupt = dir.resolve("corrupt");
    Files.write(corrupt, new byte[] {0, (byte) 0xff, 's', 'e', 'r', 'v', 'e', 'r', '.', 'u', 'n', 't',
        'i', 'l', '=', 'x', '\\', 'u', '1'});
    assertTrue(breakers(corrupt).allow("tables", 0));
    Path garbage = dir.resolve("garbage");
    Files.writeString(garbage, "server.until=soon\nstatements.until=12x\n");
    assertTrue(breakers(garbage).allow("statements", 0));
    Path directory = Files.createDirectory(dir.resolve("a-directory"));
    assertTrue(breakers(directory).allow("tables", 0));
  }

  @Test
  void switchedOffBreakersAllowEverything() {
    Breakers b = new Breakers(false, 1, 80, 90, TEN, TEN, null);
    b.failed("statements", 0, "connection", true);
    b.succeeded("connections", 0, SECOND, TEN, connections(99, 99, 100));
    assertTrue(b.allow("statements", 1));
  }
}
