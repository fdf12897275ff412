package io.pgintel.collect.settings;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The server's configuration from {@code pg_settings} and {@code pg_db_role_setting}: how many settings wait for a
 * restart, the configuration as first read ({@link SettingsSnapshot}), and every later change of a setting
 * ({@link SettingChange}), so that a {@code work_mem} raised or a {@code shared_buffers} waiting for a restart shows
 * beside the numbers it moves.
 *
 * <p>A setting's value is its {@code reset_val}: what the session goes back to, so that pgintel's own
 * {@code SET LOCAL} timeouts and whatever the application set in a pooled session are not taken for the server's
 * configuration. The sessions of a pool differ in age, and a session keeps some values as they were when it began:
 * those of {@code ALTER DATABASE}/{@code ALTER ROLE ... SET} and those fixed at connection ({@code backend}
 * context). So {@code pg_settings} tells only the changes every session sees alike (the configuration files, the
 * command line, the defaults, re-read at a reload); a setting that has a database or role value for this database
 * and role, or comes from one in either reading, or is fixed at connection, is compared there by no session, and
 * its database and role values are read from {@code pg_db_role_setting} instead, where a value set, changed or
 * reset is a change whatever session reads it. A setting a session does not list (an extension it has not loaded)
 * keeps its value, and one first seen later is learnt without a change. Settings the client set when it connected
 * ({@code application_name}, the driver's encoding, date style and time zone, source {@code client}) and the
 * transaction's state are left out. Values that may hold a secret are compared but never shown
 * ({@link SettingValue#hidden}).
 */
public final class SettingsCollector extends NamedCollector {

  public static final String NAME = "settings";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

  /** More changes at once than this (another server behind the DataSource, a restore) make a new snapshot. */
  static final int MAX_CHANGES = 50;

  /** Set by the driver or the session for every connection: the client's, not the server's configuration. */
  private static final Set<String> CLIENT_SETTINGS = Set.of("application_name", "client_encoding", "DateStyle",
      "IntervalStyle", "TimeZone", "extra_float_digits", "transaction_isolation", "transaction_read_only",
      "transaction_deferrable", "is_superuser", "session_authorization", "role");

  /** Sources of a value a session took when it began: {@code ALTER DATABASE}/{@code ROLE ... SET}. */
  private static final Set<String> AT_SESSION_START = Set.of("database", "user", "database user", "global");

  static final String SQL = """
      SELECT name, coalesce(reset_val, '') AS value, coalesce(unit, '') AS unit, vartype, context, source,
             reset_val IS DISTINCT FROM boot_val AS configured, pending_restart
      FROM pg_settings
      ORDER BY name""";

  /**
   * The database and role values that apply to this database and the role pgintel logs in as, including those for
   * all databases or all roles; the scope named as {@code pg_settings.source} names it.
   */
  static final String ENTRIES_SQL = """
      SELECT CASE WHEN s.setdatabase <> 0 AND s.setrole <> 0 THEN 'database user'
                  WHEN s.setdatabase <> 0 THEN 'database' WHEN s.setrole <> 0 THEN 'user' ELSE 'global' END AS scope,
             split_part(e, '=', 1) AS name, substr(e, strpos(e, '=') + 1) AS value
      FROM pg_db_role_setting s CROSS JOIN LATERAL unnest(s.setconfig) AS e
      WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
        AND s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = session_user))
      ORDER BY 1, 2""";

  /** A setting as last read: what is shown, and what is compared (the value, or a digest of a hidden one). */
  private record Known(String shown, String value, String unit, String context, String source, boolean configured,
      boolean pendingRestart) {

    boolean differs(Known other) {
      return !value.equals(other.value) || !unit.equals(other.unit) || pendingRestart != other.pendingRestart;
    }

    /** Whether its value may be one the session took when it began, which an older session may not have. */
    boolean takenAtSessionStart() {
      return source != null && AT_SESSION_START.contains(source) || context.equals("backend")
          || context.equals("superuser-backend");
    }
  }

  /** A database or role value as last read. */
  private record Entry(String shown, String value) {}

  /** What the settings were when last read, by name. Collections of one collector never overlap. */
  private final Map<String, Known> known = new TreeMap<>();
  /** Database and role values as last read, by scope and name; null before the first reading. */
  private Map<String, Entry> entries;
  private boolean readBefore;

  public SettingsCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    List<Row> rows = session.query(SQL, r -> new Row(r.string("name"), r.string("value"), r.string("unit"),
        r.string("vartype"), r.string("context"), r.string("source"), r.getBoolean("configured"),
        r.getBoolean("pending_restart")));
    List<EntryRow> entryRows = session.query(ENTRIES_SQL, r -> new EntryRow(r.string("scope"), r.string("name"),
        r.string("value")));
    return read(rows, entryRows);
  }

  /** One row of {@link #SQL}. */
  record Row(String name, String value, String unit, String vartype, String context, String source,
      boolean configured, boolean pendingRestart) {}

  /** One row of {@link #ENTRIES_SQL}. */
  record EntryRow(String scope, String name, String value) {}

  /** The records of one reading, compared with what is known. */
  List<Record> read(List<Row> rows, List<EntryRow> entryRows) {
    Map<String, Entry> nowEntries = new TreeMap<>();
    Set<String> entryNames = new HashSet<>();
    Map<String, String> vartypes = new HashMap<>();
    for (Row row : rows) {
      vartypes.put(row.name(), row.vartype());
    }
    for (EntryRow e : entryRows) {
      // a placeholder (an application's own, app.jwt_secret) has no type: text, so hidden with its dot
      boolean hidden = SettingValue.hidden(e.name(), vartypes.getOrDefault(e.name(), "string"));
      nowEntries.put(e.scope() + " " + e.name(), new Entry(hidden ? SettingValue.HIDDEN : e.value(),
          hidden ? SettingValue.digest(e.value()) : e.value()));
      entryNames.add(e.name());
    }
    List<SettingChange> changes = new ArrayList<>();
    if (entries != null) {
      entries.keySet().forEach(k -> entryNames.add(k.substring(scopeOf(k).length() + 1)));
      changes.addAll(entryChanges(entries, nowEntries, rows));
    }
    entries = nowEntries;
    long pending = 0;
    for (Row row : rows) {
      if (CLIENT_SETTINGS.contains(row.name()) || "client".equals(row.source())) {
        continue;
      }
      pending += row.pendingRestart() ? 1 : 0;
      boolean hidden = SettingValue.hidden(row.name(), row.vartype());
      String shown = hidden ? SettingValue.HIDDEN : SettingValue.display(row.value(), row.unit(), row.vartype());
      // 'session' is the collection's own SET LOCAL or the application's SET: not where reset_val comes from
      Known is = new Known(shown, hidden ? SettingValue.digest(row.value()) : row.value(), row.unit(),
          row.context(), "session".equals(row.source()) ? null : row.source(), row.configured(),
          row.pendingRestart());
      Known was = known.get(row.name());
      if (was != null && was.differs(is) && !was.takenAtSessionStart() && !is.takenAtSessionStart()
          && !entryNames.contains(row.name())) {
        changes.add(change(row.name(), was, is));
      }
      // a value a session took when it began says nothing of a change: kept as read, for the snapshot
      known.put(row.name(), is);
    }
    List<Record> out = new ArrayList<>();
    out.add(new PendingRestart(pending));
    if (!readBefore) {
      readBefore = true;
      out.add(snapshot(0));
    } else if (changes.size() > MAX_CHANGES) {
      out.add(snapshot(changes.size()));
    } else {
      out.addAll(changes);
    }
    return out;
  }

  /** Database and role values set, changed or reset since the previous reading. */
  private static List<SettingChange> entryChanges(Map<String, Entry> before, Map<String, Entry> now,
      List<Row> rows) {
    Map<String, Row> byName = new HashMap<>();
    for (Row r : rows) {
      byName.put(r.name(), r);
    }
    Set<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(now.keySet());
    List<SettingChange> changes = new ArrayList<>();
    for (String key : keys) {
      Entry was = before.get(key);
      Entry is = now.get(key);
      if (was != null && is != null && was.value().equals(is.value())) {
        continue;
      }
      String scope = scopeOf(key);
      String name = key.substring(scope.length() + 1);
      Row row = byName.get(name);
      String change = was == null ? SettingChange.SET : is == null ? SettingChange.RESET : SettingChange.CHANGED;
      changes.add(new SettingChange(name, change, was == null ? null : was.shown(), is == null ? null : is.shown(),
          row == null ? "" : row.unit(), row == null ? null : row.context(), scope, false));
    }
    return changes;
  }

  /** The scope a key of {@link #entries} begins with. */
  private static String scopeOf(String key) {
    for (String scope : List.of("database user", "database", "user", "global")) {
      if (key.startsWith(scope + " ")) {
        return scope;
      }
    }
    throw new IllegalArgumentException(key);
  }

  private static SettingChange change(String name, Known was, Known is) {
    boolean valueChanged = !was.value().equals(is.value()) || !was.unit().equals(is.unit());
    if (!valueChanged && is.pendingRestart()) {
      return new SettingChange(name, SettingChange.PENDING_RESTART, is.shown(), is.shown(), is.unit(), is.context(),
          is.source(), true);
    }
    return new SettingChange(name, SettingChange.CHANGED, was.shown(), is.shown(), is.unit(), is.context(),
        is.source(), is.pendingRestart());
  }

  private SettingsSnapshot snapshot(int changes) {
    Map<String, String> configured = new LinkedHashMap<>();
    List<String> pending = new ArrayList<>();
    known.forEach((name, k) -> {
      if (k.configured()) {
        configured.put(name, k.shown());
      }
      if (k.pendingRestart()) {
        pending.add(name);
      }
    });
    return new SettingsSnapshot(configured, pending, changes);
  }
}
