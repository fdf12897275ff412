package io.pgintel.collect.activity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.Settings;
import io.pgintel.sql.SqlEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Active session history by query and wait event: bounded, and the series still add up to the sessions. */
class ActiveSessionsWindowTest {

  private final SqlEngine sql = SqlEngine.create();

  private ActivitySample active(int pid, String text, String waitType, String waitEvent) {
    return active(pid, text, waitType, waitEvent, "app", "app");
  }

  private ActivitySample active(int pid, String text, String waitType, String waitEvent, String application,
      String user) {
    return new ActivitySample(pid, "shop", user, application, null, "client backend", "active", waitType, waitEvent,
        null, 1.0, 1.0, 0L, 0L, 1.0, null, null, List.of(), sql.server(text), null);
  }

  @Test
  void applicationsAreCountedWithoutTheTraceparentsInTheirNamesAndBounded() {
    ActivityCollector collector = new ActivityCollector(Settings.lenient(
        Map.of("pgintel.collectors.activity.aggregation-interval", "1s"), problem -> { }), null, sql);
    List<ActivitySample> busy = new ArrayList<>();
    // one service whose every session carries the request's traceparent; then 30 services of one session each
    for (int pid = 1; pid <= 4; pid++) {
      busy.add(active(pid, "SELECT 1", null, null, "billing 00-4bf92f3577b34da6a3ce929d0e0e473" + pid
          + "-00f067aa0ba902b7-01", "billing"));
    }
    for (int i = 0; i < 30; i++) {
      busy.add(active(10 + i, "SELECT 1", null, null, "service-" + i, "svc"));
    }
    collector.accumulate(busy, 0);
    collector.accumulate(busy, 1_000_000_000L);
    Map<String, Double> byApplication = collector.lastWindow().stream()
        .filter(a -> a.dimension().equals("application"))
        .collect(Collectors.toMap(a -> a.application() + "/" + a.user(), ActiveSessions::average));
    assertEquals(ActivityCollector.MAX_APPLICATION_SERIES + 1, byApplication.size(), "20 and 'other'");
    assertEquals(4.0, byApplication.get("billing/billing"), 1e-9, "one application, four sessions");
    assertEquals(34.0, byApplication.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
    assertEquals(11.0, byApplication.get("other/other"), 1e-9, "the 30 single ones beyond the first 19");
  }

  @Test
  void theBusiestQueryAndWaitPairsAreKeptAndTheRestSummedByWaitEventType() {
    ActivityCollector collector = new ActivityCollector(Settings.lenient(
        Map.of("pgintel.collectors.activity.aggregation-interval", "1s"), problem -> { }), null, sql);
    List<ActivitySample> busy = new ArrayList<>();
    // one statement in three sessions, reading from disk; then 70 statements with one session each
    for (int pid = 1; pid <= 3; pid++) {
      busy.add(active(pid, "SELECT * FROM orders WHERE id = 7", "IO", "DataFileRead"));
    }
    for (int i = 0; i < 70; i++) {
      busy.add(i % 2 == 0 ? active(10 + i, "SELECT * FROM t" + i, "IO", "DataFileRead")
          : active(10 + i, "SELECT * FROM t" + i, null, null));
    }
    collector.accumulate(busy, 0);
    collector.accumulate(busy, 1_000_000_000L);

    List<ActiveSessions> pairs = collector.lastWindow().stream()
        .filter(a -> a.dimension().equals("query_wait")).toList();
    assertEquals(ActivityCollector.MAX_QUERY_WAIT_SERIES + 2, pairs.size(), "50 pairs, then 'other' for IO and CPU");
    ActiveSessions busiest = pairs.stream().filter(a -> a.querySummary().equals("SELECT orders")).findFirst()
        .orElseThrow();
    assertEquals(3.0, busiest.average(), 1e-9, "three sessions in both ticks");
    assertEquals(sql.server("SELECT * FROM orders WHERE id = 8").fingerprint(), busiest.fingerprint());
    assertEquals("IO", busiest.waitEventType());
    assertEquals("DataFileRead", busiest.waitEvent());
    Map<String, Double> others = pairs.stream().filter(a -> a.fingerprint().equals("other"))
        .collect(Collectors.toMap(a -> a.waitEventType() + "/" + a.waitEvent(), ActiveSessions::average));
    assertEquals(2, others.size(), String.valueOf(others));
    double sum = pairs.stream().mapToDouble(ActiveSessions::average).sum();
    assertEquals(73.0, sum, 1e-9, "every active session counted once");
    double io = pairs.stream().filter(a -> a.waitEventType().equals("IO")).mapToDouble(ActiveSessions::average)
        .sum();
    assertEquals(38.0, io, 1e-9, "the IO series add up to the sessions waiting on IO");
    assertTrue(others.containsKey("CPU/CPU") && others.containsKey("IO/other"), String.valueOf(others));
  }

  /** Among applications of equal weight, those first by name are kept, whatever order the sessions came in. */
  @Test
  void tiesAreBrokenByNameNotByArrivalOrder() {
    List<java.util.Set<String>> kept = new ArrayList<>();
    for (long seed : new long[] {1, 2, 3}) {
      ActivityCollector collector = new ActivityCollector(Settings.lenient(
          Map.of("pgintel.collectors.activity.aggregation-interval", "1s"), problem -> { }), null, sql);
      List<ActivitySample> busy = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        busy.add(active(i, "SELECT 1", null, null, "service-" + i, "svc"));
      }
      java.util.Collections.shuffle(busy, new java.util.Random(seed));
      collector.accumulate(busy, 0);
      collector.accumulate(busy, 1_000_000_000L);
      kept.add(collector.lastWindow().stream().filter(a -> a.dimension().equals("application"))
          .map(ActiveSessions::application).collect(Collectors.toSet()));
    }
    assertEquals(kept.get(0), kept.get(1));
    assertEquals(kept.get(0), kept.get(2));
    java.util.Set<String> first = new java.util.TreeSet<>();
    java.util.stream.IntStream.range(0, 30).mapToObj(i -> "service-" + i).sorted().limit(20).forEach(first::add);
    first.add("other");
    assertEquals(first, new java.util.TreeSet<>(kept.get(0)), "the first 20 by name, then 'other'");
  }
}
