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
    return new ActivitySample(pid, "shop", "app", "", null, "client backend", "active", waitType, waitEvent, null,
        1.0, 1.0, 0L, 0L, 1.0, null, null, List.of(), sql.server(text), null);
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
}
