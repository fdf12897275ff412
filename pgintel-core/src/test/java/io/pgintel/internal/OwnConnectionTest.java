package io.pgintel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** pgintel's own session, one connection handed to one collection at a time, on a real server. */
class OwnConnectionTest {

  private final PgServer pg = PostgresServers.newest();

  private OwnConnection own(Duration idle) {
    Properties info = new Properties();
    info.setProperty("user", pg.user());
    String url = pg.jdbcUrl("postgres");
    return OwnConnection.through(new org.postgresql.Driver(), url, info, PoolConnect.databaseKey(url),
        Duration.ofSeconds(60), idle);
  }

  private static int backendPid(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void everyCollectionGetsTheSameSessionOneAtATimeNamedPgintel() throws Exception {
    try (OwnConnection own = own(OwnConnection.IDLE)) {
      int first;
      try (Connection c = own.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")) {
        rs.next();
        assertEquals(OwnConnection.APPLICATION_NAME, rs.getString(1));
        first = backendPid(c);
      }
      Connection second = own.getConnection();
      assertEquals(first, backendPid(second));
      Thread waiting = new Thread(() -> {
        try (Connection third = own.getConnection()) {
          backendPid(third);
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      waiting.start();
      waiting.join(300);
      assertTrue(waiting.isAlive(), "a second collection waits while the connection is in use");
      second.close();
      waiting.join(5000);
      assertFalse(waiting.isAlive());
      assertThrows(SQLException.class, () -> second.createStatement(), "a returned lease is unusable");
    }
  }

  @Test
  void terminatedSessionIsReplacedOnTheNextCollection() throws Exception {
    try (OwnConnection own = own(OwnConnection.IDLE)) {
      int pid;
      try (Connection c = own.getConnection()) {
        pid = backendPid(c);
      }
      pg.execute("postgres", "SELECT pg_terminate_backend(" + pid + ")");
      try (Connection c = own.getConnection()) {
        assertThrows(SQLException.class, () -> backendPid(c));
      }
      try (Connection c = own.getConnection()) {
        assertNotEquals(pid, backendPid(c));
      }
    }
  }

  @Test
  void sessionUnusedForTheIdleTimeIsClosedAndTheNextCollectionOpensAnother() throws Exception {
    try (OwnConnection own = own(Duration.ofMillis(400))) {
      Connection held = own.getConnection();
      int pid = backendPid(held);
      Thread.sleep(500);
      assertFalse(own.closeIfIdle(), "not while a collection holds it");
      held.close();
      assertFalse(own.closeIfIdle(), "taken within the idle time");
      Thread.sleep(500);
      assertTrue(own.closeIfIdle());
      assertFalse(own.closeIfIdle(), "nothing left to close");
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (sessionExists(pid) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertFalse(sessionExists(pid), "the server ended pgintel's session");
      try (Connection c = own.getConnection()) {
        assertNotEquals(pid, backendPid(c));
      }
    }
  }

  private boolean sessionExists(int pid) throws SQLException {
    try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid)) {
      rs.next();
      return rs.getInt(1) > 0;
    }
  }

  @Test
  void closeNeverWaitsForAConnectUnderWayWhichThenClosesWhatItOpened() throws Exception {
    java.util.concurrent.CountDownLatch connecting = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    var opened = new java.util.concurrent.atomic.AtomicReference<Connection>();
    Properties info = new Properties();
    info.setProperty("user", pg.user());
    OwnConnection own = new OwnConnection(pg.jdbcUrl("postgres"), info, "postgres", Duration.ofSeconds(60),
        OwnConnection.IDLE) {
      @Override
      protected Connection connect(String url, Properties with) throws SQLException {
        connecting.countDown();
        try {
          // as a connect to a server that does not answer, until the driver's connect timeout
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        opened.set(new org.postgresql.Driver().connect(url, with));
        return opened.get();
      }
    };
    // a thread each: on Java 25 the common pool of a 2-core machine runs one task at a time
    java.util.concurrent.Executor threads = r -> new Thread(r).start();
    var collection = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try (Connection c = own.getConnection()) {
        return null;
      } catch (SQLException e) {
        return e;
      }
    }, threads);
    assertTrue(connecting.await(10, java.util.concurrent.TimeUnit.SECONDS));
    try {
      // the application's thread closing pgintel (a Spring context closing) while pgintel connects
      java.util.concurrent.CompletableFuture.runAsync(own::close, threads)
          .get(1, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      release.countDown();
    }
    Throwable failure = collection.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertTrue(failure instanceof SQLException && failure.getMessage().contains("is closed"), String.valueOf(failure));
    assertTrue(opened.get().isClosed(), "what the connect opened after the close is closed");
  }

  @Test
  void besideAPoolOnlyForThePostgresqlDriversOwnUrl() throws Exception {
    Duration wait = Duration.ofSeconds(30);
    try (org.apache.commons.dbcp2.BasicDataSource dbcp = new org.apache.commons.dbcp2.BasicDataSource()) {
      dbcp.setUrl("jdbc:mysql://localhost:3306/shop");
      assertTrue(OwnConnection.beside(dbcp, wait).isEmpty(), "another database's");
      dbcp.setUrl("jdbc:p6spy:postgresql://localhost/shop");
      assertTrue(OwnConnection.beside(dbcp, wait).isEmpty(), "a wrapping driver's URL, not the driver's own");
      assertTrue(OwnConnection.beside(pg.dataSource(), wait).isEmpty(), "not a pool");
      dbcp.setUrl(pg.jdbcUrl("postgres"));
      dbcp.setUsername(pg.user());
      dbcp.setPassword(pg.password());
      try (OwnConnection own = OwnConnection.beside(dbcp, wait).orElseThrow(); Connection c = own.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")) {
        rs.next();
        assertEquals(OwnConnection.APPLICATION_NAME, rs.getString(1));
      }
      assertEquals(0, dbcp.getNumIdle() + dbcp.getNumActive(), "the pool itself never connected");
    }
    assertEquals(Duration.ofSeconds(30), OwnConnection.waitFor(Duration.ofSeconds(1)));
    assertEquals(Duration.ofSeconds(40), OwnConnection.waitFor(Duration.ofSeconds(20)));
  }

  @Test
  void closedOwnConnectionRefusesToOpenAgainAndNamesOnlyTheDatabase() throws Exception {
    OwnConnection own = own(OwnConnection.IDLE);
    own.getConnection().close();
    own.close();

    assertThrows(SQLException.class, own::getConnection);
    assertEquals("pgintel's own connection to " + PoolConnect.databaseKey(pg.jdbcUrl("postgres")), own.toString());
  }
  @Test
  void aSiblingIsASessionOfItsOwnThatConnectsLikeThisOneAndClosesAloneWhenIdle() throws Exception {
    try (OwnConnection own = own(OwnConnection.IDLE); OwnConnection sibling = own.sibling(Duration.ZERO)) {
      try (Connection held = own.getConnection()) {
        int pid = backendPid(held);
        // this one's turn taken: the sibling does not wait for it
        Connection beside = sibling.getConnection();
        assertNotEquals(pid, backendPid(beside));
        try (Statement s = beside.createStatement(); ResultSet rs = s.executeQuery(
            "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")) {
          rs.next();
          assertEquals(OwnConnection.APPLICATION_NAME, rs.getString(1), "named like this one");
        }
        beside.close();
        assertTrue(sibling.closeIfIdle(), "closed at once: its idle time is zero");
        sibling.close();
        assertEquals(pid, backendPid(held), "this one still open");
      }
    }
  }
}
