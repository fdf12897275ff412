package io.pgintel.collect.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.pgintel.collect.settings.SettingsCollector.EntryRow;
import io.pgintel.collect.settings.SettingsCollector.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How one reading compares with what is known: plain rows, no server. */
class SettingsChangesTest {

  private static final List<EntryRow> NONE = List.of();
  /** When a session last re-read the configuration files. */
  private static final long EARLY = 1_000;
  private static final long LATER = 2_000;
  /** When the server started. */
  private static final long STARTED = 500;

  private static Row row(String name, String value, String context, String source, long loaded) {
    return new Row(name, value, "", "integer", context, source, true, false, loaded, STARTED, "app");
  }

  private static Row file(String name, String value, long loaded) {
    return row(name, value, "user", "configuration file", loaded);
  }

  private static List<Record> only(SettingChange... changes) {
    List<Record> out = new ArrayList<>();
    out.add(new PendingRestart(0));
    out.addAll(List.of(changes));
    return out;
  }

  private static SettingChange changed(String name, String from, String to, String context) {
    return new SettingChange(name, SettingChange.CHANGED, from, to, "", context, "configuration file", false);
  }

  @Test
  void theFirstReadingIsASnapshotOfTheConfiguredValuesAndTheDatabaseOnesWithoutTheClients() {
    SettingsCollector c = new SettingsCollector();
    List<Record> first = c.read(List.of(file("a", "1", EARLY), new Row("b", "2", "", "integer", "user", "default",
        false, false, EARLY, STARTED, "app"), file("DateStyle", "ISO, MDY", EARLY),
        row("search_path", "app", "user", "client", EARLY),
        row("log_connections", "on", "superuser-backend", "configuration file", EARLY)),
        List.of(new EntryRow("database", "app", "work_mem", "24MB")));
    assertEquals(new PendingRestart(0), first.get(0));
    SettingsSnapshot snapshot = assertInstanceOf(SettingsSnapshot.class, first.get(1));
    assertEquals(Map.of("a", "1", "log_connections", "on", "work_mem (database)", "24MB"), snapshot.settings(),
        "b is its default; the rest the client's; a setting fixed at connection is configuration too");
  }

  @Test
  void aValueFromTheFilesChangesInWhateverSessionReadsItAfterTheReloadAndOnce() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(file("work_mem", "4096", EARLY)), NONE);
    assertEquals(only(changed("work_mem", "4096", "16384", "user")),
        c.read(List.of(file("work_mem", "16384", LATER)), NONE));
    assertEquals(only(), c.read(List.of(file("work_mem", "16384", LATER)), NONE), "told once");
    // a session idle since before the reload re-reads the files at its next statement: until then it knows less
    assertEquals(only(), c.read(List.of(file("work_mem", "4096", EARLY)), NONE));
    assertEquals(only(changed("work_mem", "16384", "4096", "user")),
        c.read(List.of(file("work_mem", "4096", LATER + 1)), NONE), "a change taken back is a change");
  }

  @Test
  void aDatabaseOrRoleValueOrTheClientsOrOneFixedAtConnectionIsNoChangeOfTheServersValue() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(file("work_mem", "4096", EARLY), row("log_connections", "off", "superuser-backend", "default",
        EARLY)), NONE);
    assertEquals(only(), c.read(List.of(row("work_mem", "24576", "user", "database", EARLY),
        row("log_connections", "on", "superuser-backend", "configuration file", LATER)), NONE));
    assertEquals(only(), c.read(List.of(row("work_mem", "8192", "user", "client", EARLY)), NONE));
  }

  @Test
  void aSessionsOwnValueHidesItsSourceAndIsTakenForTheFilesOnlyWhileTheSettingHasHadNoDatabaseOrRoleValue() {
    SettingsCollector c = new SettingsCollector();
    // pgintel's own SET LOCAL statement_timeout: the row's source reads 'session'
    c.read(List.of(row("statement_timeout", "0", "user", "session", EARLY)), NONE);
    assertEquals(only(new SettingChange("statement_timeout", SettingChange.CHANGED, "0", "30000", "", "user", null,
        false)), c.read(List.of(row("statement_timeout", "30000", "user", "session", LATER)), NONE));
    assertEquals(only(new SettingChange("statement_timeout", SettingChange.SET, null, "5s", "", "user", "user",
        false)), c.read(List.of(row("statement_timeout", "5000", "user", "session", LATER)),
        List.of(new EntryRow("user", "app", "statement_timeout", "5s"))));
    // reset: an older session still holds the role's value, which its own SET hides
    assertEquals(only(new SettingChange("statement_timeout", SettingChange.RESET, "5s", null, "", "user", "user",
        false)), c.read(List.of(row("statement_timeout", "5000", "user", "session", LATER)), NONE));
    assertEquals(only(), c.read(List.of(row("statement_timeout", "30000", "user", "session", LATER)), NONE));
  }

  @Test
  void aDatabaseValueIsToldOnceWhenSetAndWhenResetWhateverSessionReads() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(file("work_mem", "4096", EARLY)), NONE);
    List<EntryRow> set = List.of(new EntryRow("database", "app", "work_mem", "24MB"));
    assertEquals(only(new SettingChange("work_mem", SettingChange.SET, null, "24MB", "", "user", "database", false)),
        c.read(List.of(file("work_mem", "4096", EARLY)), set));
    assertEquals(only(), c.read(List.of(row("work_mem", "24576", "user", "database", EARLY)), set));
    assertEquals(only(new SettingChange("work_mem", SettingChange.RESET, "24MB", null, "", "user", "database",
        false)), c.read(List.of(row("work_mem", "24576", "user", "database", EARLY)), NONE));
    assertEquals(only(), c.read(List.of(file("work_mem", "4096", EARLY)), NONE));
  }

  @Test
  void aRolesValuesAreComparedOnlyWithThatRolesAndAnotherRolesFirstReadingIsNoChange() {
    SettingsCollector c = new SettingsCollector();
    List<Row> app = List.of(new Row("a", "1", "", "integer", "user", "default", false, false, EARLY, STARTED, "app"));
    List<Row> monitor = List.of(new Row("a", "1", "", "integer", "user", "default", false, false, EARLY, STARTED,
        "monitor"));
    c.read(app, List.of(new EntryRow("user", "app", "work_mem", "8MB")));
    // pgintel's own session logs in as another role, with values of its own
    assertEquals(only(), c.read(monitor, List.of(new EntryRow("user", "monitor", "statement_timeout", "5s"))));
    assertEquals(only(), c.read(app, List.of(new EntryRow("user", "app", "work_mem", "8MB"))));
    assertEquals(only(new SettingChange("work_mem", SettingChange.CHANGED, "8MB", "16MB", "", null, "user", false)),
        c.read(app, List.of(new EntryRow("user", "app", "work_mem", "16MB"))));
    assertEquals(only(new SettingChange("statement_timeout", SettingChange.RESET, "5s", null, "", null, "user",
        false)), c.read(monitor, NONE), "a role's values reset");
  }

  @Test
  void anExtensionsOrApplicationsValueIsHiddenByItsNameInEverySessionAndComparedHidden() {
    SettingsCollector c = new SettingsCollector();
    List<EntryRow> first = List.of(new EntryRow("database", "app", "app.jwt_secret", "s1"),
        new EntryRow("database", "app", "plpgsql.print_strict_params", "on"));
    c.read(List.of(), first);
    // a session that has loaded PL/pgSQL knows the setting's type; the value stays hidden, and is no change
    assertEquals(only(), c.read(List.of(new Row("plpgsql.print_strict_params", "on", "", "bool", "user",
        "database", false, false, EARLY, STARTED, "app")), first));
    assertEquals(only(new SettingChange("app.jwt_secret", SettingChange.CHANGED, "(hidden)", "(hidden)", "", null,
        "database", false)), c.read(List.of(), List.of(new EntryRow("database", "app", "app.jwt_secret", "s2"),
        new EntryRow("database", "app", "plpgsql.print_strict_params", "on"))));
  }

  @Test
  void anExtensionsSettingsOneSessionListsAndAnotherDoesNotAreNeitherAddedNorRemoved() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(file("a", "1", EARLY)), NONE);
    assertEquals(only(), c.read(List.of(file("a", "1", EARLY), file("pg_x.y", "on", EARLY)), NONE));
    assertEquals(only(), c.read(List.of(file("a", "1", EARLY)), NONE));
    assertEquals(only(changed("pg_x.y", "on", "off", "user")),
        c.read(List.of(file("a", "1", LATER), file("pg_x.y", "off", LATER)), NONE), "once listed, its changes count");
  }

  @Test
  void aChangeWaitingForARestartIsOneEventAndItsRevertNoneAndAStaleSessionNeither() {
    SettingsCollector c = new SettingsCollector();
    Row running = new Row("shared_buffers", "16384", "8kB", "integer", "postmaster", "configuration file", true,
        false, EARLY, STARTED, "app");
    Row waiting = new Row("shared_buffers", "16384", "8kB", "integer", "postmaster", "configuration file", true,
        true, LATER, STARTED, "app");
    c.read(List.of(running), NONE);
    List<Record> read = c.read(List.of(waiting), NONE);
    assertEquals(new PendingRestart(1), read.get(0));
    assertEquals(SettingChange.PENDING_RESTART, ((SettingChange) read.get(1)).change());
    assertEquals(1, c.read(List.of(running), NONE).size(), "a session that has not re-read the files: no change");
    assertEquals(1, c.read(List.of(waiting), NONE).size(), "told once");
    assertEquals(only(), c.read(List.of(new Row("shared_buffers", "16384", "8kB", "integer", "postmaster",
        "configuration file", true, false, LATER + 1, STARTED, "app")), NONE), "the change taken back");
  }

  @Test
  void moreChangesAtOnceThanCanBeToldOneByOneMakeANewSnapshotThatCountsThem() {
    SettingsCollector c = new SettingsCollector();
    List<Row> first = new ArrayList<>();
    List<Row> second = new ArrayList<>();
    for (int i = 0; i <= SettingsCollector.MAX_CHANGES; i++) {
      first.add(file("setting_" + i, "1", EARLY));
      second.add(file("setting_" + i, "2", LATER));
    }
    c.read(first, NONE);
    List<Record> another = c.read(second, NONE);
    assertEquals(2, another.size());
    SettingsSnapshot snapshot = assertInstanceOf(SettingsSnapshot.class, another.get(1));
    assertEquals(SettingsCollector.MAX_CHANGES + 1, snapshot.changes());
    assertEquals("2", snapshot.settings().get("setting_0"));
  }

  @Test
  void anotherServerOrARestartIsComparedWhateverTheSessionsLoadTime() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(file("work_mem", "4096", LATER)), NONE);
    // a standby promoted weeks after it last read its files
    assertEquals(only(changed("work_mem", "4096", "8192", "user")), c.read(List.of(new Row("work_mem", "8192", "",
        "integer", "user", "configuration file", true, false, EARLY, STARTED + 1, "app")), NONE));
  }

  @Test
  void aSessionSetValueThatDiffersBetweenSessionsWithoutAReloadIsNoChange() {
    SettingsCollector c = new SettingsCollector();
    // a connection option (-c statement_timeout=30000) of the pool, none on pgintel's own session: both read
    // 'session' after pgintel's SET LOCAL, with the postmaster's load time
    c.read(List.of(row("statement_timeout", "30000", "user", "session", EARLY)), NONE);
    assertEquals(only(), c.read(List.of(row("statement_timeout", "0", "user", "session", EARLY)), NONE));
    assertEquals(only(), c.read(List.of(row("statement_timeout", "30000", "user", "session", EARLY)), NONE));
  }
}
