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

  private static Row row(String name, String value, String source) {
    return new Row(name, value, "", "integer", "user", source, true, false);
  }

  private static Row row(String name, String value) {
    return row(name, value, "configuration file");
  }

  private static List<Row> rows(int n, String value) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(row("setting_" + i, value));
    }
    return rows;
  }

  @Test
  void theFirstReadingIsASnapshotOfWhatDiffersFromTheDefaultsWithoutTheClientsSettings() {
    SettingsCollector c = new SettingsCollector();
    List<Record> first = c.read(List.of(row("a", "1"), new Row("b", "2", "", "integer", "user", "default",
        false, false), row("DateStyle", "ISO, MDY"), row("search_path", "app", "client")), NONE);
    assertEquals(new PendingRestart(0), first.get(0));
    SettingsSnapshot snapshot = assertInstanceOf(SettingsSnapshot.class, first.get(1));
    assertEquals(Map.of("a", "1"), snapshot.settings(), "b is its default; the rest the client's");
  }

  @Test
  void aValueFromTheConfigurationChangesInEverySession() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(row("a", "1")), NONE);
    assertEquals(List.of(new PendingRestart(0),
        new SettingChange("a", SettingChange.CHANGED, "1", "2", "", "user", "configuration file", false)),
        c.read(List.of(row("a", "2")), NONE));
  }

  @Test
  void aDatabaseValueIsToldFromTheCatalogOnceAndSessionsOfEitherAgeAreNotTakenForChanges() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(row("work_mem", "4096")), NONE);
    List<EntryRow> set = List.of(new EntryRow("database", "work_mem", "24MB"));
    // ALTER DATABASE ... SET, read by an old session that does not have it yet
    assertEquals(List.of(new PendingRestart(0),
        new SettingChange("work_mem", SettingChange.SET, null, "24MB", "", "user", "database", false)),
        c.read(List.of(row("work_mem", "4096")), set));
    // a young session has it, the old one not: neither is a change
    assertEquals(List.of(new PendingRestart(0)), c.read(List.of(row("work_mem", "24576", "database")), set));
    assertEquals(List.of(new PendingRestart(0)), c.read(List.of(row("work_mem", "4096")), set));
    // ALTER DATABASE ... RESET, and the old session still has the value it took
    assertEquals(List.of(new PendingRestart(0),
        new SettingChange("work_mem", SettingChange.RESET, "24MB", null, "", "user", "database", false)),
        c.read(List.of(row("work_mem", "24576", "database")), NONE));
    assertEquals(List.of(new PendingRestart(0)), c.read(List.of(row("work_mem", "4096")), NONE));
  }

  @Test
  void anApplicationsOwnDatabaseValueIsHiddenAndComparedByItsDigest() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(), List.of(new EntryRow("database", "app.jwt_secret", "s1")));
    List<Record> read = c.read(List.of(), List.of(new EntryRow("database", "app.jwt_secret", "s2")));
    assertEquals(new SettingChange("app.jwt_secret", SettingChange.CHANGED, "(hidden)", "(hidden)", "", null,
        "database", false), read.get(1));
  }

  @Test
  void anExtensionsSettingsOneSessionListsAndAnotherDoesNotAreNeitherAddedNorRemoved() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(row("a", "1")), NONE);
    assertEquals(List.of(new PendingRestart(0)), c.read(List.of(row("a", "1"), row("plpgsql.x", "on")), NONE));
    assertEquals(List.of(new PendingRestart(0)), c.read(List.of(row("a", "1")), NONE));
    assertEquals(List.of(new PendingRestart(0),
        new SettingChange("plpgsql.x", SettingChange.CHANGED, "on", "off", "", "user", "configuration file", false)),
        c.read(List.of(row("a", "1"), row("plpgsql.x", "off")), NONE), "once listed, its changes count");
  }

  @Test
  void aSettingFixedAtConnectionIsNoChangeInAnotherSession() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(new Row("log_connections", "off", "", "bool", "backend", "default", false, false)), NONE);
    assertEquals(List.of(new PendingRestart(0)), c.read(List.of(new Row("log_connections", "on", "", "bool",
        "backend", "configuration file", true, false)), NONE));
  }

  @Test
  void aChangeWaitingForARestartIsOneEventAndCounted() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(new Row("shared_buffers", "16384", "8kB", "integer", "postmaster", "configuration file",
        true, false)), NONE);
    List<Record> read = c.read(List.of(new Row("shared_buffers", "16384", "8kB", "integer", "postmaster",
        "configuration file", true, true)), NONE);
    assertEquals(new PendingRestart(1), read.get(0));
    assertEquals(SettingChange.PENDING_RESTART, ((SettingChange) read.get(1)).change());
    assertEquals(1, c.read(List.of(new Row("shared_buffers", "16384", "8kB", "integer", "postmaster",
        "configuration file", true, true)), NONE).size(), "told once");
  }

  @Test
  void moreChangesAtOnceThanCanBeToldOneByOneMakeANewSnapshotThatCountsThem() {
    SettingsCollector c = new SettingsCollector();
    c.read(rows(SettingsCollector.MAX_CHANGES + 1, "1"), NONE);
    List<Row> allButOne = rows(SettingsCollector.MAX_CHANGES, "2");
    allButOne.add(row("setting_" + SettingsCollector.MAX_CHANGES, "1"));
    List<Record> some = c.read(allButOne, NONE);
    assertEquals(SettingsCollector.MAX_CHANGES + 1, some.size(), "as many as allowed are told one by one");
    List<Record> another = c.read(rows(SettingsCollector.MAX_CHANGES + 1, "3"), NONE);
    assertEquals(2, another.size());
    SettingsSnapshot snapshot = assertInstanceOf(SettingsSnapshot.class, another.get(1));
    assertEquals(SettingsCollector.MAX_CHANGES + 1, snapshot.changes());
    assertEquals("3", snapshot.settings().get("setting_0"));
  }
}
