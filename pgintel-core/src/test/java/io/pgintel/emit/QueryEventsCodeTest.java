package io.pgintel.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgintel.trace.CallSite;
import io.pgintel.trace.CallSites;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A top query's {@code code.*}: the line seen running it most, whoever called it. */
class QueryEventsCodeTest {

  @Test
  void theLineSeenMostWinsOverItsCallersCountedApart() {
    CallSite find = new CallSite("com.shop.Orders", "find", 12);
    CallSite helper = new CallSite("com.shop.Db", "query", 40);
    List<CallSites.Count> sites = List.of(
        new CallSites.Count(new CallSite("com.shop.Orders", "find", 12, new CallSite("com.shop.Web", "get", 3)), 35),
        new CallSites.Count(new CallSite("com.shop.Db", "query", 40, find), 22),
        new CallSites.Count(new CallSite("com.shop.Db", "query", 40, new CallSite("com.shop.A", "a", 1)), 22),
        new CallSites.Count(new CallSite("com.shop.Db", "query", 40, new CallSite("com.shop.B", "b", 2)), 21));
    assertEquals(helper, QueryEvents.mostSeenLine(sites));
    assertEquals(find, QueryEvents.mostSeenLine(sites.subList(0, 2)), "35 against 22");
  }
}
