package io.pgintel.agent.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BridgeTest {

  @AfterEach
  void noHandler() {
    Bridge.handler(null);
    Bridge.innerHandler(null);
    Bridge.driverHandler(null);
  }

  @Test
  void onlyTheOutermostGetConnectionReachesTheHandler() {
    List<Object> seen = new ArrayList<>();
    Bridge.handler((ds, c) -> {
      seen.add(ds);
      return "wrapped " + c;
    });

    boolean pool = Bridge.enter();
    boolean driver = Bridge.enter();
    Object physical = Bridge.exit(driver, "driver", "physical");
    Object logical = Bridge.exit(pool, "pool", "logical");

    assertTrue(pool);
    assertFalse(driver);
    assertEquals("physical", physical);
    assertEquals("wrapped logical", logical);
    assertEquals(List.of("pool"), seen);
    assertTrue(Bridge.enter(), "depth is back to zero");
    Bridge.exit(true, "pool", null);
  }

  @Test
  void failingHandlerHandsBackTheApplicationsConnection() {
    Bridge.handler((ds, c) -> {
      throw new IllegalStateException("agent bug");
    });
    Object connection = new Object();

    assertSame(connection, Bridge.exit(Bridge.enter(), "ds", connection));
  }

  @Test
  void getConnectionThatThrewPassesNothingToTheHandler() {
    Bridge.handler((ds, c) -> {
      throw new AssertionError("not called for a failed getConnection");
    });

    assertEquals(null, Bridge.exit(Bridge.enter(), "ds", null));
  }

  @Test
  void routerLearnsItDelegatedWhileAPoolFillingItselfThroughTheDriverDoesNot() {
    List<Object> inner = new ArrayList<>();
    List<Boolean> delegated = new ArrayList<>();
    Bridge.innerHandler((ds, c) -> inner.add(ds));
    Bridge.handler((ds, c) -> {
      delegated.add(Bridge.delegated());
      return c;
    });

    boolean router = Bridge.enter();
    Bridge.exit(Bridge.enter(), "pool", "connection");
    Bridge.exit(router, "router", "connection");
    boolean simple = Bridge.enter();
    Bridge.driverExit(Bridge.enter(), "driver", "jdbc:postgresql:db", null, "physical");
    Bridge.exit(simple, "simple", "physical");

    assertEquals(List.of("pool"), inner);
    assertEquals(List.of(true, false), delegated);
  }

  @Test
  void everyDriverConnectReachesTheDriverHandlerSayingWhetherADataSourceMadeIt() {
    List<Object> calls = new ArrayList<>();
    Bridge.driverHandler((call, c) -> {
      calls.add(call[1] + " outermost=" + call[3]);
      return "wrapped " + c;
    });

    boolean ds = Bridge.enter();
    Object insideDataSource = Bridge.driverExit(Bridge.enter(), "driver", "jdbc:postgresql:a", null, "c1");
    Bridge.exit(ds, "ds", insideDataSource);
    Object alone = Bridge.driverExit(Bridge.enter(), "driver", "jdbc:postgresql:b", null, "c2");

    assertEquals("wrapped c1", insideDataSource);
    assertEquals("wrapped c2", alone);
    assertEquals(List.of("jdbc:postgresql:a outermost=false", "jdbc:postgresql:b outermost=true"), calls);
    // the nesting the DataSource's getConnection began is over: the next getConnection is outermost again
    assertTrue(Bridge.enter());
    Bridge.exit(true, "ds", null);
  }
}
