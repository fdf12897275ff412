package io.pgintel.collect.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.pgintel.collect.settings.SettingsCollector.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How one reading compares with what is known: plain rows, no server. */
class SettingsChangesTest {

  private static final long OLD = 1_000;
  private static final long YOUNG = 2_000;

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
    List<Record> first = c.read(OLD, List.of(row("a", "1"), new Row("b", "2", "", "integer", "user", "default",
        false, false), row("DateStyle", "ISO, MDY"), row("search_path", "app", "client")));
    assertEquals(new PendingRestart(0), first.get(0));
    SettingsSnapshot snapshot = assertInstanceOf(SettingsSnapshot.class, first.get(1));
    assertEquals(Map.of("a", "1"), snapshot.settings(), "b is its default; the rest the client's");
  }

  @Test
  void aValueFromTheConfigurationChangesInEverySessionAnOlderOneIncluded() {
    SettingsCollector c = new SettingsCollector();
    c.read(YOUNG, List.of(row("a", "1")));
    assertEquals(List.of(new PendingRestart(0),
        new SettingChange("a", SettingChange.CHANGED, "1", "2", "", "user", "configuration file", false)),
        c.read(OLD, List.of(row("a", "2"))));
  }

  @Test
  void aDatabaseSettingIsAChangeOnlyInASessionThatBeganAfterTheOneBehindTheValueHeld() {
    SettingsCollector c = new SettingsCollector();
    c.read(OLD, List.of(row("work_mem", "4096")));
    // ALTER DATABASE ... SET: sessions that begin afterwards have it
    assertEquals(1, c.read(YOUNG, List.of(row("work_mem", "16384", "database"))).size() - 1);
    // the older session of the pool still has what was in force when it began: no change back
    assertEquals(List.of(new PendingRestart(0)), c.read(OLD, List.of(row("work_mem", "4096"))));
    assertEquals(List.of(new PendingRestart(0)), c.read(YOUNG, List.of(row("work_mem", "16384", "database"))));
  }

  @Test
  void anExtensionsSettingsOneSessionListsAndAnotherDoesNotAreNeitherAddedNorRemoved() {
    SettingsCollector c = new SettingsCollector();
    c.read(OLD, List.of(row("a", "1")));
    assertEquals(List.of(new PendingRestart(0)), c.read(OLD, List.of(row("a", "1"), row("plpgsql.x", "on"))));
    assertEquals(List.of(new PendingRestart(0)), c.read(YOUNG, List.of(row("a", "1"))));
    assertEquals(List.of(new PendingRestart(0),
        new SettingChange("plpgsql.x", SettingChange.CHANGED, "on", "off", "", "user", "configuration file", false)),
        c.read(YOUNG, List.of(row("a", "1"), row("plpgsql.x", "off"))), "once listed, its changes count");
  }

  @Test
  void aChangeWaitingForARestartIsOneEventAndCounted() {
    SettingsCollector c = new SettingsCollector();
    c.read(OLD, List.of(new Row("shared_buffers", "16384", "8kB", "integer", "postmaster", "configuration file",
        true, false)));
    List<Record> read = c.read(OLD, List.of(new Row("shared_buffers", "16384", "8kB", "integer", "postmaster",
        "configuration file", true, true)));
    assertEquals(new PendingRestart(1), read.get(0));
    assertEquals(SettingChange.PENDING_RESTART, ((SettingChange) read.get(1)).change());
    assertEquals(1, c.read(OLD, List.of(new Row("shared_buffers", "16384", "8kB", "integer", "postmaster",
        "configuration file", true, true))).size(), "told once");
  }

  @Test
  void moreChangesAtOnceThanCanBeToldOneByOneMakeANewSnapshotThatCountsThem() {
    SettingsCollector c = new SettingsCollector();
    c.read(OLD, rows(SettingsCollector.MAX_CHANGES + 1, "1"));
    List<Row> allButOne = rows(SettingsCollector.MAX_CHANGES, "2");
    allButOne.add(row("setting_" + SettingsCollector.MAX_CHANGES, "1"));
    List<Record> some = c.read(OLD, allButOne);
    assertEquals(SettingsCollector.MAX_CHANGES + 1, some.size(), "as many as allowed are told one by one");
    List<Record> another = c.read(OLD, rows(SettingsCollector.MAX_CHANGES + 1, "3"));
    assertEquals(2, another.size());
    SettingsSnapshot snapshot = assertInstanceOf(SettingsSnapshot.class, another.get(1));
    assertEquals(SettingsCollector.MAX_CHANGES + 1, snapshot.changes());
    assertEquals("3", snapshot.settings().get("setting_0"));
  }
}
