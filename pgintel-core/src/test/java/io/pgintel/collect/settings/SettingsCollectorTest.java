package io.pgintel.collect.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.pgintel.PgIntel;
import io.pgintel.collect.CollectorStatus;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import io.pgintel.test.TestDataSources;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The configuration as first read and its changes, against private servers whose configuration the tests edit. */
class SettingsCollectorTest {

  private static final AttributeKey<String> NAME = AttributeKey.stringKey("postgresql.setting.name");

  private static String attr(LogRecordData e, String key) {
    return e.getAttributes().get(AttributeKey.stringKey(key));
  }

  private static List<LogRecordData> changes(TestTelemetry otel, String name) {
    List<LogRecordData> found = new ArrayList<>();
    for (LogRecordData e : otel.events("db.server.setting_change")) {
      if (name.equals(e.getAttributes().get(NAME))) {
        found.add(e);
      }
    }
    return found;
  }

  private static LogRecordData change(TestTelemetry otel, String name) {
    List<LogRecordData> found = changes(otel, name);
    assertEquals(1, found.size(), "changes of " + name + ": " + found);
    return found.get(0);
  }

  private static Set<String> changed(TestTelemetry otel) {
    Set<String> names = new TreeSet<>();
    for (LogRecordData e : otel.events("db.server.setting_change")) {
      names.add(e.getAttributes().get(NAME));
    }
    return names;
  }

  /** Waits until a new session reads {@code expected}: the server reloads its files in its own time. */
  private static void await(PgServer pg, String database, String sql, String expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      try (Connection c = pg.connect(database); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        last = rs.getString(1);
      }
      if (expected.equals(last)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(sql + " read " + last + ", not " + expected);
  }

  @Test
  void theConfigurationAsFirstReadThenEachChangeOnceWithItsSecretsHidden() throws Exception {
    PgServer pg = PostgresServers.startPrivate(PostgresServers.newest().majorVersion());
    // a pool of one session: work_mem, which a session may hold a value of its own for, is compared in it
    try (Connection pooled = pg.connect("postgres"); TestTelemetry otel = new TestTelemetry();
        PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel), "settings")
            .dataSource(TestDataSources.singleConnection(pooled)).build()) {
      pg.execute("postgres", "ALTER SYSTEM SET work_mem = '8MB'");
      pg.execute("postgres", "SELECT pg_reload_conf()");
      await(pg, "postgres", "SELECT reset_val FROM pg_settings WHERE name = 'work_mem'", "8192");
      p.collectNow();
      List<LogRecordData> snapshots = otel.events("db.server.settings");
      assertEquals(1, snapshots.size());
      String body = snapshots.get(0).getBodyValue().asString();
      assertTrue(body.contains("work_mem = 8MB\n"), body);
      // what the session goes back to, not the collection's own SET LOCAL timeouts
      assertFalse(body.contains("statement_timeout"), body);
      assertFalse(body.contains("application_name"), "the client's connection, not the server's configuration");
      assertEquals(0.0, otel.value("postgresql.settings.pending_restart", Map.of()).orElseThrow());

      p.collectNow();
      assertEquals(List.of(), otel.events("db.server.setting_change"), "nothing changed");

      pg.execute("postgres", "ALTER SYSTEM SET work_mem = '16MB'");
      pg.execute("postgres", "ALTER SYSTEM SET shared_buffers = '64MB'");
      // only read on a standby, reloadable from PostgreSQL 13: a password in the configuration, as on replicas
      pg.execute("postgres",
          "ALTER SYSTEM SET primary_conninfo = 'host=replica.example user=rep password=sekrit-4711'");
      pg.execute("postgres", "SELECT pg_reload_conf()");
      await(pg, "postgres", "SELECT pending_restart::text FROM pg_settings WHERE name = 'shared_buffers'", "true");
      await(pg, "postgres", "SELECT reset_val FROM pg_settings WHERE name = 'work_mem'", "16384");
      p.collectNow();

      LogRecordData workMem = change(otel, "work_mem");
      assertEquals("changed", attr(workMem, "postgresql.setting.change"));
      assertEquals("8MB", attr(workMem, "postgresql.setting.old_value"));
      assertEquals("16MB", attr(workMem, "postgresql.setting.new_value"));
      assertEquals("configuration file", attr(workMem, "postgresql.setting.source"));
      assertEquals("user", attr(workMem, "postgresql.setting.context"));
      assertEquals("work_mem changed from 8MB to 16MB (configuration file)", workMem.getBodyValue().asString());

      LogRecordData buffers = change(otel, "shared_buffers");
      assertEquals("pending_restart", attr(buffers, "postgresql.setting.change"));
      assertEquals("postmaster", attr(buffers, "postgresql.setting.context"));
      assertEquals(1.0, otel.value("postgresql.settings.pending_restart", Map.of()).orElseThrow());

      LogRecordData secret = change(otel, "primary_conninfo");
      assertEquals("changed", attr(secret, "postgresql.setting.change"));
      assertEquals("(hidden)", attr(secret, "postgresql.setting.old_value"));
      assertEquals("(hidden)", attr(secret, "postgresql.setting.new_value"));

      assertEquals(Set.of("primary_conninfo", "shared_buffers", "work_mem"), changed(otel), "no other setting moved");
      List<LogRecordData> all = new ArrayList<>(otel.events("db.server.setting_change"));
      all.addAll(otel.events("db.server.settings"));
      for (LogRecordData e : all) {
        assertFalse((e.getAttributes() + " " + e.getBodyValue()).contains("sekrit"), e.toString());
      }

      p.collectNow();
      assertEquals(3, otel.events("db.server.setting_change").size(), "each change is reported once");
    } finally {
      pg.stop();
    }
  }

  @Test
  void aSettingOnlyTheServerSetsIsToldThroughADataSourceThatOpensASessionEachTime() throws Exception {
    PgServer pg = PostgresServers.startPrivate(PostgresServers.newest().majorVersion());
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel), "settings").build()) {
      p.collectNow();
      pg.execute("postgres", "ALTER SYSTEM SET checkpoint_timeout = '10min'");
      pg.execute("postgres", "SELECT pg_reload_conf()");
      await(pg, "postgres", "SELECT reset_val FROM pg_settings WHERE name = 'checkpoint_timeout'", "600");
      p.collectNow();
      LogRecordData checkpoint = change(otel, "checkpoint_timeout");
      assertEquals("5min", attr(checkpoint, "postgresql.setting.old_value"));
      assertEquals("10min", attr(checkpoint, "postgresql.setting.new_value"));
      assertEquals(Set.of("checkpoint_timeout"), changed(otel));
    } finally {
      pg.stop();
    }
  }

  @Test
  void databaseAndRoleValuesAreToldOnceAndPooledSessionsOfEitherAgeOrThatLoadedAnExtensionAreNotTakenForChanges()
      throws Exception {
    PgServer pg = PostgresServers.startPrivate(PostgresServers.newest().majorVersion());
    AtomicReference<Connection> current = new AtomicReference<>();
    try (Connection old = pg.connect("postgres")) {
      current.set(old);
      try (TestTelemetry otel = new TestTelemetry();
          PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel), "settings")
              .dataSource(TestDataSources.switching(current::get)).build()) {
        p.collectNow();
        assertEquals(1, otel.events("db.server.settings").size());
        // sessions that begin from now on have them; the old one keeps what was in force when it began
        pg.execute("postgres", "ALTER DATABASE postgres SET work_mem = '24MB'");
        pg.execute("postgres", "ALTER DATABASE postgres SET app.jwt_secret = 'sekrit-4711'");
        pg.execute("postgres", "ALTER DATABASE postgres SET plpgsql.print_strict_params = on");
        pg.execute("postgres", "ALTER ROLE CURRENT_USER IN DATABASE postgres SET lock_timeout = '5s'");
        pg.execute("postgres", "ALTER ROLE ALL SET idle_in_transaction_session_timeout = '1min'");
        // not this database's, not this role's
        pg.execute("postgres", "ALTER DATABASE template1 SET work_mem = '2MB'");
        pg.execute("postgres", "DO $$ BEGIN CREATE ROLE other_role; EXCEPTION WHEN duplicate_object THEN NULL;"
            + " END $$");
        pg.execute("postgres", "ALTER ROLE other_role SET work_mem = '1MB'");
        p.collectNow();
        LogRecordData workMem = change(otel, "work_mem");
        assertEquals("set", attr(workMem, "postgresql.setting.change"));
        assertEquals("24MB", attr(workMem, "postgresql.setting.new_value"));
        assertEquals("database", attr(workMem, "postgresql.setting.source"));
        assertEquals("work_mem set to 24MB (database)", workMem.getBodyValue().asString());
        assertEquals("(hidden)", attr(change(otel, "app.jwt_secret"), "postgresql.setting.new_value"));
        assertEquals("(hidden)", attr(change(otel, "plpgsql.print_strict_params"), "postgresql.setting.new_value"));
        assertEquals("database user", attr(change(otel, "lock_timeout"), "postgresql.setting.source"));
        assertEquals("global", attr(change(otel, "idle_in_transaction_session_timeout"), "postgresql.setting.source"));
        Set<String> set = Set.of("app.jwt_secret", "idle_in_transaction_session_timeout", "lock_timeout",
            "plpgsql.print_strict_params", "work_mem");
        assertEquals(set, changed(otel));
        try (Connection young = pg.connect("postgres")) {
          current.set(young);
          p.collectNow();
          // the old session runs PL/pgSQL, which lists plpgsql.* in it alone, and still has the old work_mem
          try (Statement s = old.createStatement()) {
            s.execute("DO $$ BEGIN PERFORM 1; END $$");
          }
          current.set(old);
          p.collectNow();
          current.set(young);
          p.collectNow();
          assertEquals(set, changed(otel));
          assertEquals(set.size(), otel.events("db.server.setting_change").size(), "no change back and forth");

          // a reload that moves a value both sessions hold from the files: told once
          pg.execute("postgres", "ALTER SYSTEM SET random_page_cost = 1.5");
          pg.execute("postgres", "SELECT pg_reload_conf()");
          await(pg, "postgres", "SELECT reset_val FROM pg_settings WHERE name = 'random_page_cost'", "1.5");
          current.set(old);
          p.collectNow();
          current.set(young);
          p.collectNow();
          assertEquals("1.5", attr(change(otel, "random_page_cost"), "postgresql.setting.new_value"));

          pg.execute("postgres", "ALTER DATABASE postgres RESET work_mem");
          current.set(young);
          p.collectNow();
          current.set(old);
          p.collectNow();
          assertEquals(List.of("set", "reset"), changes(otel, "work_mem").stream()
              .map(e -> attr(e, "postgresql.setting.change")).toList());
          for (LogRecordData e : otel.events("db.server.setting_change")) {
            assertFalse((e.getAttributes() + " " + e.getBodyValue()).contains("sekrit"), e.toString());
          }
          CollectorStatus status = p.status().stream().filter(st -> st.name().equals("settings")).findFirst()
              .orElseThrow();
          assertTrue(status.lastError() == null && status.consecutiveFailures() == 0, status.toString());
        }
      }
    } finally {
      pg.stop();
    }
  }
}
