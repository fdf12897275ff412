package io.pgintel.collect.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.pgintel.PgIntel;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import io.pgintel.test.TestPgIntel;
import io.pgintel.test.TestTelemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The configuration as first read and its changes, against a private server whose configuration the test edits. */
class SettingsCollectorTest {

  private static final AttributeKey<String> NAME = AttributeKey.stringKey("postgresql.setting.name");

  private static String attr(LogRecordData e, String key) {
    return e.getAttributes().get(AttributeKey.stringKey(key));
  }

  private static LogRecordData change(TestTelemetry otel, String name) {
    List<LogRecordData> found = new ArrayList<>();
    for (LogRecordData e : otel.events("db.server.setting_change")) {
      if (name.equals(e.getAttributes().get(NAME))) {
        found.add(e);
      }
    }
    assertEquals(1, found.size(), "changes of " + name + ": " + found);
    return found.get(0);
  }

  @Test
  void theConfigurationAsFirstReadThenEachChangeOnceWithItsSecretsHidden() throws Exception {
    PgServer pg = PostgresServers.startPrivate(PostgresServers.newest().majorVersion());
    try (TestTelemetry otel = new TestTelemetry();
        PgIntel p = TestPgIntel.only(TestPgIntel.builder(pg, otel), "settings").build()) {
      pg.execute("postgres", "ALTER SYSTEM SET work_mem = '8MB'");
      pg.execute("postgres", "SELECT pg_reload_conf()");
      Thread.sleep(500);
      p.collectNow();
      List<LogRecordData> snapshots = otel.events("db.server.settings");
      assertEquals(1, snapshots.size());
      String body = snapshots.get(0).getBodyValue().asString();
      assertTrue(body.contains("work_mem = 8MB\n"), body);
      // what a new session gets, not the collection's own SET LOCAL timeouts
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
      Thread.sleep(500);
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

      List<LogRecordData> changes = otel.events("db.server.setting_change");
      Set<String> names = new java.util.TreeSet<>();
      for (LogRecordData e : changes) {
        names.add(e.getAttributes().get(NAME));
      }
      assertEquals(Set.of("primary_conninfo", "shared_buffers", "work_mem"), names, "no other setting moved");
      List<LogRecordData> all = new ArrayList<>(changes);
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
}
