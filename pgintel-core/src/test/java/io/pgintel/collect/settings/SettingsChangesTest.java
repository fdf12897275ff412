package io.pgintel.collect.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.pgintel.collect.settings.SettingsCollector.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How one reading compares with the previous: plain rows, no server. */
class SettingsChangesTest {

  private static Row row(String name, String value) {
    return new Row(name, value, "", "integer", "user", "configuration file", true, false);
  }

  private static List<Row> rows(int n, String value) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(row("setting_" + i, value));
    }
    return rows;
  }

  @Test
  void addedRemovedAndChangedSettingsAreEachOneChange() {
    SettingsCollector c = new SettingsCollector();
    List<Record> first = c.read(List.of(row("a", "1"), row("b", "2"), new Row("DateStyle", "ISO, MDY", "",
        "string", "user", "client", true, false)));
    SettingsSnapshot snapshot = assertInstanceOf(SettingsSnapshot.class, first.get(1));
    assertEquals(Map.of("a", "1", "b", "2"), snapshot.settings(), "the client's date style is no configuration");
    List<Record> second = c.read(List.of(row("b", "3"), row("c", "4")));
    assertEquals(List.of(new PendingRestart(0),
        new SettingChange("a", SettingChange.REMOVED, "1", null, "", "user", "configuration file", false),
        new SettingChange("b", SettingChange.CHANGED, "2", "3", "", "user", "configuration file", false),
        new SettingChange("c", SettingChange.ADDED, null, "4", "", "user", "configuration file", false)), second);
  }

  @Test
  void moreChangesAtOnceThanCanBeToldOneByOneMakeANewSnapshotThatCountsThem() {
    SettingsCollector c = new SettingsCollector();
    c.read(rows(SettingsCollector.MAX_CHANGES + 1, "1"));
    List<Row> allButOne = rows(SettingsCollector.MAX_CHANGES, "2");
    allButOne.add(row("setting_" + SettingsCollector.MAX_CHANGES, "1"));
    List<Record> same = c.read(allButOne);
    assertEquals(SettingsCollector.MAX_CHANGES + 1, same.size(), "as many as allowed are told one by one");
    List<Record> another = c.read(rows(SettingsCollector.MAX_CHANGES + 1, "3"));
    assertEquals(2, another.size());
    SettingsSnapshot snapshot = assertInstanceOf(SettingsSnapshot.class, another.get(1));
    assertEquals(SettingsCollector.MAX_CHANGES + 1, snapshot.changes());
    assertEquals("3", snapshot.settings().get("setting_0"));
  }
}
