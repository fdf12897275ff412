package io.pgintel.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lines seen running each query: counted, bounded, printed. */
class CallSitesTest {

  private static final CallSite FIND = new CallSite("com.shop.Orders", "find", 12);

  @Test
  void aLineReadsWithItsCaller() {
    assertEquals("com.shop.Orders.find:12", FIND.toString());
    assertEquals("com.shop.Db.query:40 from com.shop.Orders.find:12",
        new CallSite("com.shop.Db", "query", 40, FIND).toString());
    assertEquals("com.shop.Db.query", new CallSite("com.shop.Db", "query", -1).toString(), "no line number");
  }

  @Test
  void anEntryThatKeptAnotherTextOfItsQueryIdHasTheLinesOfTheTextSeenRunningUnderIt() {
    CallSites sites = new CallSites();
    sites.record(10L, FIND, null);
    assertSame(CallSites.Seen.NONE, sites.of(20L, 99L), "nothing seen under the query id yet");
    sites.runsAs(10L, 99L);
    assertEquals(List.of(new CallSites.Count(FIND, 1)), sites.of(20L, 99L).sites());
    assertSame(CallSites.Seen.NONE, sites.of(20L, 98L), "another query id");
    // the entry's own text's lines come first
    CallSite own = new CallSite("com.shop.Orders", "list", 30);
    sites.record(20L, own, null);
    assertEquals(List.of(new CallSites.Count(own, 1)), sites.of(20L, 99L).sites());
    // a query id remembers a few texts, not every one shown
    for (long f = 100; f < 100 + 2 * CallSites.VARIANTS; f++) {
      sites.runsAs(f, 77L);
    }
    sites.record(100L + CallSites.VARIANTS, FIND, null);
    assertSame(CallSites.Seen.NONE, sites.of(20_000L, 77L), "a text beyond the few remembered");
    sites.record(100L, own, null);
    assertEquals(List.of(new CallSites.Count(own, 1)), sites.of(20_000L, 77L).sites(), "one of the first few");
  }

  @Test
  void linesAreCountedMostSeenFirstWithTheLatestSampledSpan() {
    CallSites sites = new CallSites();
    CallSite other = new CallSite("com.shop.Reports", "daily", 7);
    SpanContext span = SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
        TraceFlags.getSampled(), TraceState.getDefault());
    sites.record(1L, other, null);
    sites.record(1L, FIND, span);
    sites.record(1L, FIND, null);
    CallSites.Seen seen = sites.of(1L);
    assertEquals(List.of(new CallSites.Count(FIND, 2), new CallSites.Count(other, 1)), seen.sites());
    assertSame(span, seen.span(), "the latest span seen, not forgotten by a read without one");
    assertSame(CallSites.Seen.NONE, sites.of(2L));
  }

  /** Space-saving: a query run from more lines than are tracked keeps the lines seen most. */
  @Test
  void aQueryRunFromManyLinesKeepsTheMostSeen() {
    CallSites sites = new CallSites();
    for (int i = 0; i < 5; i++) {
      sites.record(1L, FIND, null);
    }
    for (int line = 1; line <= 3 * CallSites.TRACKED; line++) {
      sites.record(1L, new CallSite("com.shop.Rare", "once", line), null);
    }
    List<CallSites.Count> counts = sites.of(1L).sites();
    assertEquals(CallSites.TRACKED, counts.size());
    assertEquals(new CallSites.Count(FIND, 5), counts.get(0));
    assertNull(sites.of(1L).span());
  }
}
