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
  private static final String OLD = "100@old";
  private static final String YOUNG = "200@young";

  private static Row row(String session, String name, String value, String context, String source) {
    return new Row(name, value, "", "integer", context, source, true, false, session, "app");
  }

  private static Row user(String session, String name, String value) {
    return row(session, name, value, "user", "configuration file");
  }

  private static Row sighup(String session, String name, String value) {
    return row(session, name, value, "sighup", "configuration file");
  }

  private static List<Record> only(PendingRestart p, SettingChange... changes) {
    List<Record> out = new ArrayList<>();
    out.add(p);
    out.addAll(List.of(changes));
    return out;
  }

  private static SettingChange changed(String name, String from, String to, String context) {
    return new SettingChange(name, SettingChange.CHANGED, from, to, "", context, "configuration file", false);
  }

  @Test
  void theFirstReadingIsASnapshotOfWhatDiffersFromTheDefaultsAndTheDatabaseValuesWithoutTheClientsSettings() {
    SettingsCollector c = new SettingsCollector();
    List<Record> first = c.read(List.of(user(OLD, "a", "1"), new Row("b", "2", "", "integer", "user", "default",
        false, false, OLD, "app"), user(OLD, "DateStyle", "ISO, MDY"),
        row(OLD, "search_path", "app", "user", "client")),
        List.of(new EntryRow("database", "app", "work_mem", "24MB")));
    assertEquals(new PendingRestart(0), first.get(0));
    SettingsSnapshot snapshot = assertInstanceOf(SettingsSnapshot.class, first.get(1));
    assertEquals(Map.of("a", "1", "work_mem (database)", "24MB"), snapshot.settings(),
        "b is its default; the rest the client's");
  }

  @Test
  void aSettingOnlyTheServerSetsChangesInWhateverSessionReadsIt() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(sighup(OLD, "checkpoint_timeout", "300")), NONE);
    assertEquals(only(new PendingRestart(0), changed("checkpoint_timeout", "300", "600", "sighup")),
        c.read(List.of(sighup(YOUNG, "checkpoint_timeout", "600")), NONE));
  }

  @Test
  void aSettingASessionMayHoldItsOwnValueOfChangesWhenOneSessionSeesItMoveAndIsToldOnce() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(user(OLD, "work_mem", "4096")), NONE);
    // another session with a database value of its own, seen for the first time: no change
    assertEquals(only(new PendingRestart(0)), c.read(List.of(row(YOUNG, "work_mem", "24576", "user", "database")),
        NONE));
    assertEquals(only(new PendingRestart(0)), c.read(List.of(user(OLD, "work_mem", "4096")), NONE));
    // a reload: the old session's value moves
    assertEquals(only(new PendingRestart(0), changed("work_mem", "4096", "16384", "user")),
        c.read(List.of(user(OLD, "work_mem", "16384")), NONE));
    // the young one keeps its database value; a third session that saw the old value moves too: told already
    assertEquals(only(new PendingRestart(0)), c.read(List.of(row(YOUNG, "work_mem", "24576", "user", "database")),
        NONE));
    c.read(List.of(user("300@third", "work_mem", "4096")), NONE);
    assertEquals(only(new PendingRestart(0)), c.read(List.of(user("300@third", "work_mem", "16384")), NONE));
  }

  @Test
  void aSettingFixedAtConnectionIsNoChangeInAnotherSession() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(row(OLD, "log_connections", "off", "superuser-backend", "default")), NONE);
    assertEquals(only(new PendingRestart(0)), c.read(List.of(row(YOUNG, "log_connections", "on",
        "superuser-backend", "configuration file")), NONE));
  }

  @Test
  void aDatabaseValueIsToldOnceWhenSetAndWhenResetWhateverSessionReads() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(user(OLD, "work_mem", "4096")), NONE);
    List<EntryRow> set = List.of(new EntryRow("database", "app", "work_mem", "24MB"));
    assertEquals(only(new PendingRestart(0),
        new SettingChange("work_mem", SettingChange.SET, null, "24MB", "", "user", "database", false)),
        c.read(List.of(user(OLD, "work_mem", "4096")), set));
    assertEquals(only(new PendingRestart(0)), c.read(List.of(row(YOUNG, "work_mem", "24576", "user", "database")),
        set));
    assertEquals(only(new PendingRestart(0),
        new SettingChange("work_mem", SettingChange.RESET, "24MB", null, "", "user", "database", false)),
        c.read(List.of(row(YOUNG, "work_mem", "24576", "user", "database")), NONE));
    assertEquals(only(new PendingRestart(0)), c.read(List.of(user(OLD, "work_mem", "4096")), NONE));
  }

  @Test
  void aRolesValuesAreComparedOnlyWithThatRolesAndAnotherRolesFirstReadingIsNoChange() {
    SettingsCollector c = new SettingsCollector();
    List<Row> app = List.of(new Row("a", "1", "", "integer", "user", "default", false, false, OLD, "app"));
    List<Row> monitor = List.of(new Row("a", "1", "", "integer", "user", "default", false, false, YOUNG,
        "monitor"));
    c.read(app, List.of(new EntryRow("user", "app", "work_mem", "8MB")));
    // pgintel's own session logs in as another role, with values of its own
    assertEquals(only(new PendingRestart(0)), c.read(monitor, List.of(new EntryRow("user", "monitor",
        "statement_timeout", "5s"))));
    assertEquals(only(new PendingRestart(0)), c.read(app, List.of(new EntryRow("user", "app", "work_mem",
        "8MB"))));
    assertEquals(only(new PendingRestart(0),
        new SettingChange("work_mem", SettingChange.CHANGED, "8MB", "16MB", "", null, "user", false)),
        c.read(app, List.of(new EntryRow("user", "app", "work_mem", "16MB"))));
    assertEquals(only(new PendingRestart(0),
        new SettingChange("statement_timeout", SettingChange.RESET, "5s", null, "", null, "user", false)),
        c.read(monitor, NONE), "a role's values reset");
  }

  @Test
  void anExtensionsOrApplicationsValueIsHiddenByItsNameInEverySessionAndComparedByItsDigest() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(), List.of(new EntryRow("database", "app", "app.jwt_secret", "s1"),
        new EntryRow("database", "app", "plpgsql.print_strict_params", "on")));
    // a session that has loaded PL/pgSQL knows the setting's type; the value stays hidden, and is no change
    assertEquals(only(new PendingRestart(0)), c.read(List.of(new Row("plpgsql.print_strict_params", "on", "",
        "bool", "user", "database", false, false, OLD, "app")),
        List.of(new EntryRow("database", "app", "app.jwt_secret", "s1"),
            new EntryRow("database", "app", "plpgsql.print_strict_params", "on"))));
    assertEquals(only(new PendingRestart(0),
        new SettingChange("app.jwt_secret", SettingChange.CHANGED, "(hidden)", "(hidden)", "", null, "database",
            false)), c.read(List.of(), List.of(new EntryRow("database", "app", "app.jwt_secret", "s2"),
        new EntryRow("database", "app", "plpgsql.print_strict_params", "on"))));
  }

  @Test
  void anExtensionsSettingsOneSessionListsAndAnotherDoesNotAreNeitherAddedNorRemoved() {
    SettingsCollector c = new SettingsCollector();
    c.read(List.of(sighup(OLD, "a", "1")), NONE);
    assertEquals(only(new PendingRestart(0)), c.read(List.of(sighup(OLD, "a", "1"), sighup(OLD, "pg_x.y", "on")),
        NONE));
    assertEquals(only(new PendingRestart(0)), c.read(List.of(sighup(YOUNG, "a", "1")), NONE));
    assertEquals(only(new PendingRestart(0), changed("pg_x.y", "on", "off", "sighup")),
        c.read(List.of(sighup(YOUNG, "a", "1"), sighup(YOUNG, "pg_x.y", "off")), NONE),
        "once listed, its changes count");
  }

  @Test
  void aChangeWaitingForARestartIsOneEventAndItsRevertNone() {
    SettingsCollector c = new SettingsCollector();
    Row running = new Row("shared_buffers", "16384", "8kB", "integer", "postmaster", "configuration file", true,
        false, OLD, "app");
    Row waiting = new Row("shared_buffers", "16384", "8kB", "integer", "postmaster", "configuration file", true,
        true, OLD, "app");
    c.read(List.of(running), NONE);
    List<Record> read = c.read(List.of(waiting), NONE);
    assertEquals(new PendingRestart(1), read.get(0));
    assertEquals(SettingChange.PENDING_RESTART, ((SettingChange) read.get(1)).change());
    assertEquals(1, c.read(List.of(waiting), NONE).size(), "told once");
    assertEquals(only(new PendingRestart(0)), c.read(List.of(running), NONE), "the change taken back");
  }

  @Test
  void moreChangesAtOnceThanCanBeToldOneByOneMakeANewSnapshotThatCountsThem() {
    SettingsCollector c = new SettingsCollector();
    List<Row> first = new ArrayList<>();
    List<Row> second = new ArrayList<>();
    for (int i = 0; i <= SettingsCollector.MAX_CHANGES; i++) {
      first.add(sighup(OLD, "setting_" + i, "1"));
      second.add(sighup(OLD, "setting_" + i, "2"));
    }
    c.read(first, NONE);
    List<Record> another = c.read(second, NONE);
    assertEquals(2, another.size());
    SettingsSnapshot snapshot = assertInstanceOf(SettingsSnapshot.class, another.get(1));
    assertEquals(SettingsCollector.MAX_CHANGES + 1, snapshot.changes());
    assertEquals("2", snapshot.settings().get("setting_0"));
  }
}
