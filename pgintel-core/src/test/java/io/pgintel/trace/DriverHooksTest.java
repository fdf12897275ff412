package io.pgintel.trace;

import static io.pgintel.trace.TracedConnectionTest.SPAN;
import static io.pgintel.trace.TracedConnectionTest.TRACE;
import static io.pgintel.trace.TracedConnectionTest.span;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.context.Scope;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import io.pgintel.test.WaitingApplication;
import java.sql.Connection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * The statement hooks woven into the driver, called as the agent's advice calls them: with the driver's own
 * connection, before and after each statement.
 */
class DriverHooksTest {

  @Test
  void aStatementOfADriverConnectionIsLinkedToTheCurrentSpanOfItsSession() throws Exception {
    PgServer pg = PostgresServers.newest();
    SessionRegistry registry = new SessionRegistry();
    AtomicInteger asked = new AtomicInteger();
    DriverHooks hooks = new DriverHooks(c -> {
      asked.incrementAndGet();
      return registry;
    });
    try (Connection c = pg.connect()) {
      int pid = c.unwrap(PGConnection.class).getBackendPID();
      assertEquals(-1, hooks.linkedPid(c), "no statement yet");
      try (Scope ignored = span().makeCurrent()) {
        Object token = hooks.enter(c, null);
        assertNotNull(token);
        assertEquals(pid, hooks.linkedPid(c));
        TraceLink link = registry.link(pid, false);
        assertEquals(TRACE, link.traceId());
        assertEquals(SPAN, link.spanId());
        hooks.exit(token);
      }
      assertEquals(TRACE, registry.link(pid, false).traceId(), "the span stays linked after the statement");
      Object outside = hooks.enter(c, null);
      assertNull(registry.link(pid, false), "a statement outside any span unlinks the session from the span");
      hooks.exit(outside);
      for (int i = 0; i < 5; i++) {
        hooks.exit(hooks.enter(c, null));
      }
      assertEquals(1, asked.get(), "the registry is asked once per connection");
    }
  }

  /**
   * Through the agent's hooks too, between two statements the holder of a session is where the thread that ran the
   * last one is now; the sampler's own link, for a statement running, has nothing then.
   */
  @Test
  void betweenTwoStatementsTheHolderIsWhereTheThreadThatRanTheLastOneIsNow() throws Exception {
    PgServer pg = PostgresServers.newest();
    SessionRegistry registry = new SessionRegistry();
    DriverHooks hooks = new DriverHooks(c -> registry);
    try (Connection c = pg.connect()) {
      int pid = c.unwrap(PGConnection.class).getBackendPID();
      CountDownLatch ran = new CountDownLatch(1);
      CountDownLatch reply = new CountDownLatch(1);
      Thread app = new Thread(() -> {
        hooks.exit(hooks.enter(c, null));
        ran.countDown();
        WaitingApplication.awaitReply(reply);
      }, "application");
      app.start();
      try {
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        TraceLink held = null;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((held == null || !"awaitReply".equals(held.codeFunction())) && System.nanoTime() < deadline) {
          Thread.sleep(10);
          held = registry.holder(pid);
        }
        assertNotNull(held);
        assertEquals("awaitReply", held.codeFunction());
        assertEquals(WaitingApplication.class.getName(), held.codeNamespace());
        assertNull(held.traceId(), "no span");
        assertNull(registry.link(pid, true), "no statement running, no span: nothing for a sample");
      } finally {
        reply.countDown();
        app.join();
      }
    }
  }

  @Test
  void aConnectionWhoseDatabaseHasNoRegistryYetIsAskedAgainAfterAPause() throws Exception {
    PgServer pg = PostgresServers.newest();
    SessionRegistry registry = new SessionRegistry();
    AtomicReference<SessionRegistry> known = new AtomicReference<>();
    AtomicInteger asked = new AtomicInteger();
    DriverHooks hooks = new DriverHooks(c -> {
      asked.incrementAndGet();
      return known.get();
    });
    try (Connection c = pg.connect()) {
      assertNull(hooks.enter(c, null), "not monitored: not recorded");
      known.set(registry);
      assertNull(hooks.enter(c, null), "not asked again at once");
      assertEquals(1, asked.get());
      Thread.sleep(DriverHooks.RETRY_NANOS / 1_000_000 + 50);
      Object token = hooks.enter(c, null);
      assertNotNull(token, "asked again after the pause");
      hooks.exit(token);
      assertEquals(c.unwrap(PGConnection.class).getBackendPID(), hooks.linkedPid(c));
    }
  }

  @Test
  void aSessionDroppedFromItsRegistryIsFoundAgainOnTheNextStatement() throws Exception {
    PgServer pg = PostgresServers.newest();
    SessionRegistry registry = new SessionRegistry();
    DriverHooks hooks = new DriverHooks(c -> registry);
    try (Connection c = pg.connect()) {
      Object first = hooks.enter(c, null);
      hooks.exit(first);
      registry.detachAll();
      assertEquals(-1, hooks.linkedPid(c), "dropped");
      Object again = hooks.enter(c, null);
      hooks.exit(again);
      assertNotSame(first, again);
      assertSame(again, registry.session(c.unwrap(PGConnection.class).getBackendPID()), "the registry's entry");
    }
  }

  /** A lookup that throws and a span lookup that throws stand for any failure of pgintel's bookkeeping. */
  @Test
  void aFailureOfTheBookkeepingLeavesTheStatementUnlinkedAndThrowsNothing() throws Exception {
    PgServer pg = PostgresServers.newest();
    DriverHooks failing = new DriverHooks(c -> {
      throw new IllegalStateException("broken on purpose");
    });
    SessionRegistry registry = new SessionRegistry();
    DriverHooks hooks = new DriverHooks(c -> registry);
    try (Connection c = pg.connect()) {
      assertNull(failing.enter(c, null));
      failing.exit(null);
      try (Scope ignored = new TracedConnectionTest.BrokenContext().makeCurrent()) {
        assertNull(hooks.enter(c, null));
      }
      assertEquals(0, registry.size(), "nothing recorded");
      hooks.exit("not a token");
    }
  }

  /** Nothing releases a session found through the hooks: the sweep drops those that ran nothing since the last one. */
  @Test
  void sessionsThatRanNoStatementSinceTheSweepBeforeAreDropped() {
    SessionRegistry registry = new SessionRegistry();
    SessionRegistry.Session busy = registry.session(1);
    SessionRegistry.Session quiet = registry.session(2);
    registry.executing(busy, null);
    registry.done(busy);
    registry.executing(quiet, null);
    registry.done(quiet);
    int pid = sweep(registry, 3);
    assertFalse(busy.detached() || quiet.detached(), "the first sweep keeps both: each ran a statement before it");
    registry.executing(busy, null);
    registry.done(busy);
    sweep(registry, pid);
    assertTrue(quiet.detached(), "no statement since the sweep before: dropped");
    assertFalse(busy.detached(), "a statement since: kept");
  }

  /** Adds entries from {@code pid} on until a sweep drops the first of them; returns the next pid. */
  private static int sweep(SessionRegistry registry, int pid) {
    SessionRegistry.Session filler = registry.session(pid++);
    while (!filler.detached()) {
      registry.session(pid++);
    }
    return pid;
  }
}
