package io.pgintel.collect;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What {@code pgintel.collector.up} reports: reading, not merely free of failures. */
class CollectorStatusTest {

  private static CollectorStatus active(Duration interval, Instant lastSuccess) {
    return new CollectorStatus("c", CollectorStatus.State.ACTIVE, interval, lastSuccess, null, 0, null);
  }

  @Test
  void aCollectorIsReadingWhileItsLastSuccessIsWithinThreeIntervalsAndAtLeastAMinute() {
    Instant now = Instant.parse("2026-12-07T12:00:00Z");
    assertTrue(active(Duration.ofSeconds(60), now.minusSeconds(179)).reading(now));
    assertFalse(active(Duration.ofSeconds(60), now.minusSeconds(181)).reading(now), "three intervals passed");
    // a one-second collector skipping ticks for half a minute (an exhausted pool borrowed from every 10 s) reads on
    assertTrue(active(Duration.ofSeconds(1), now.minusSeconds(30)).reading(now));
    assertFalse(active(Duration.ofSeconds(1), now.minusSeconds(61)).reading(now), "a minute without a reading");
    assertFalse(active(Duration.ofSeconds(1), null).reading(now), "never read");
    assertFalse(new CollectorStatus("c", CollectorStatus.State.BACKING_OFF, Duration.ofSeconds(1), now, "x", 1, null)
        .reading(now), "failing");
  }
}
