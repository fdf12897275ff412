package io.pgintel.collect.settings;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * configuration. The sessions of a pool differ: each keeps the database and role values
 * ({@code ALTER DATABASE}/{@code ALTER ROLE ... SET}), its connection options and the settings fixed at connection
 * as they were when it began. So {@code pg_settings} is compared only for values every session holds alike: a
 * setting whose value comes from the configuration files, the command line or the defaults, or which only the
 * server sets; a value of the database or role, of the client, of a setting fixed at connection, or one a session
 * set (which hides where its {@code reset_val} comes from) of a setting that has had a database or role value is
 * not compared. A session that has not re-read the configuration files since the value held was read
 * ({@code pg_conf_load_time()}, an idle session reads them at its next statement) is not taken for a change.
 * Database and role values are read from {@code pg_db_role_setting} for this database and the role the session
 * logged in as, and told when set, changed or reset; a role's values are compared only with what that role had
 * before. A setting a session does not list (an extension it has not loaded) keeps its value, and one first seen
 * later is learnt without a change. Values that may hold a secret are compared by a digest and never shown
 * ({@link SettingValue#hidden}).
 */
public final class SettingsCollector extends NamedCollector {

  public static final String NAME = "settings";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

  /** More changes at once than this (another server behind the DataSource, a restore) make a new snapshot. */
  static final int MAX_CHANGES = 50;

  /**
   * Set by the driver or the session for every connection: the client's, not the server's configuration; and
   * {@code in_hot_standby}, which an idle session updates only after its next statement (the recovery metrics tell
   * a promotion).
   */
  private static final Set<String> CLIENT_SETTINGS = Set.of("application_name", "client_encoding", "DateStyle",
      "IntervalStyle", "TimeZone", "extra_float_digits", "transaction_isolation", "transaction_read_only",
      "transaction_deferrable", "is_superuser", "session_authorization", "role", "in_hot_standby");

  /** Where a value every session holds alike comes from. */
  private static final Set<String> SERVER_WIDE = Set.of("default", "configuration file", "command line",
      "environment variable", "override");

  static final String SQL = """
      SELECT name, coalesce(reset_val, '') AS value, coalesce(unit, '') AS unit, vartype, context, source,
             reset_val IS DISTINCT FROM boot_val AS configured, pending_restart,
             (extract(epoch FROM pg_conf_load_time()) * 1000000)::bigint AS loaded,
             (extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint AS started, session_user AS role
      FROM pg_settings
      ORDER BY name""";

  /**
   * The database and role values that apply to this database and the role the session logged in as, including
   * those for all databases or all roles; the scope named as {@code pg_settings.source} names it.
   */
  static final String ENTRIES_SQL = """
      SELECT CASE WHEN s.setdatabase <> 0 AND s.setrole <> 0 THEN 'database user'
                  WHEN s.setdatabase <> 0 THEN 'database' WHEN s.setrole <> 0 THEN 'user' ELSE 'global' END AS scope,
             session_user AS role, split_part(e, '=', 1) AS name, substr(e, strpos(e, '=') + 1) AS value
      FROM pg_db_role_setting s CROSS JOIN LATERAL unnest(s.setconfig) AS e
      WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
        AND s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = session_user))
      ORDER BY 1, 3""";

  /** One row of {@link #SQL}. */
  record Row(String name, String value, String unit, String vartype, String context, String source,
      boolean configured, boolean pendingRestart, long loaded, long started, String role) {}

  /** One row of {@link #ENTRIES_SQL}. */
  record EntryRow(String scope, String role, String name, String value) {}

  /**
   * A setting as read: what is shown, what is compared (the value, or a digest of a hidden one), when the session
   * that read it last re-read the configuration files, and when its server started.
   */
  private record Known(String shown, String value, String unit, String context, String source, boolean configured,
      boolean pendingRestart, long loaded, long started) {

    boolean sameValue(Known other) {
      return value.equals(other.value) && unit.equals(other.unit);
    }
  }

  /** A database or role value: its scope, name and, for the role scopes, the role. */
  private record EntryKey(String scope, String name, String role) implements Comparable<EntryKey> {

    @Override
    public int compareTo(EntryKey o) {
      int c = scope.compareTo(o.scope);
      c = c != 0 ? c : name.compareTo(o.name);
      return c != 0 ? c : String.valueOf(role).compareTo(String.valueOf(o.role));
    }
  }

  /** A database or role value as read: shown (hidden where it may be a secret) and compared by its digest. */
  private record Entry(String shown, String digest) {}

  /** The values last told (or first read), by name: what a change is a change from. */
  private final Map<String, Known> told = new TreeMap<>();
  /** Database and role values as last read; those of a role are replaced only by a reading of that role. */
  private final Map<EntryKey, Entry> entries = new TreeMap<>();
  /** Settings that have had a database or role value: a session's own value hides whether it still holds one. */
  private final Set<String> hadEntries = new TreeSet<>();
  /** Roles whose values have been read. */
  private final Set<String> roles = new TreeSet<>();
  private boolean readBefore;

  public SettingsCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public void reset() {
    told.clear();
    entries.clear();
    hadEntries.clear();
    roles.clear();
    readBefore = false;
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    List<Row> rows = session.query(SQL, r -> new Row(r.string("name"), r.string("value"), r.string("unit"),
        r.string("vartype"), r.string("context"), r.string("source"), r.getBoolean("configured"),
        r.getBoolean("pending_restart"), r.getLong("loaded"), r.getLong("started"), r.string("role")));
    List<EntryRow> entryRows = session.query(ENTRIES_SQL, r -> new EntryRow(r.string("scope"), r.string("role"),
        r.string("name"), r.string("value")));
    return read(rows, entryRows);
  }

  /** The records of one reading, compared with what is known. */
  List<Record> read(List<Row> rows, List<EntryRow> entryRows) {
    Map<String, Row> byName = new HashMap<>();
    for (Row row : rows) {
      byName.put(row.name(), row);
    }
    List<SettingChange> changes = entryChanges(rows.isEmpty() ? null : rows.get(0).role(), entryRows, byName);
    long pending = 0;
    Map<String, Known> firstReading = new TreeMap<>();
    for (Row row : rows) {
      if (CLIENT_SETTINGS.contains(row.name()) || "client".equals(row.source())) {
        continue;
      }
      pending += row.pendingRestart() ? 1 : 0;
      boolean hidden = SettingValue.hidden(row.name(), row.vartype());
      String shown = hidden ? SettingValue.HIDDEN : SettingValue.display(row.value(), row.unit(), row.vartype());
      // 'session' is the collection's own SET LOCAL or the application's SET: not where reset_val comes from
      boolean ownValue = "session".equals(row.source());
      Known is = new Known(shown, hidden ? SettingValue.digest(row.value()) : row.value(), row.unit(),
          row.context(), ownValue ? null : row.source(), row.configured(), row.pendingRestart(), row.loaded(),
          row.started());
      boolean serversValue = fromTheServer(row);
      if (!readBefore && serversValue) {
        // what the server was configured with, settings fixed at connection included: for the first snapshot
        firstReading.put(row.name(), is);
      }
      if (!serversValue || row.context().equals("backend") || row.context().equals("superuser-backend")) {
        // a value of the database, role or client, or one fixed at connection: sessions differ in it
        continue;
      }
      Known last = told.get(row.name());
      // the same server: a session that has not re-read the files since the value held was read may know less,
      // and a value a session set hides a connection option that may differ between sessions, so only a reload
      // moves it
      if (last != null && is.started() == last.started() && (is.loaded() < last.loaded()
          || ownValue && is.loaded() == last.loaded() && !last.sameValue(is))) {
        continue;
      }
      if (readBefore && last != null
          && (!last.sameValue(is) || is.pendingRestart() && !last.pendingRestart())) {
        changes.add(change(row.name(), last, is));
      }
      told.put(row.name(), is);
    }
    List<Record> out = new ArrayList<>();
    out.add(new PendingRestart(pending));
    if (!readBefore) {
      readBefore = true;
      out.add(snapshot(firstReading, 0));
    } else if (changes.size() > MAX_CHANGES) {
      out.add(snapshot(told, changes.size()));
    } else {
      out.addAll(changes);
    }
    return out;
  }

  /**
   * Whether the row's value is the server's: from the configuration files, the command line or the defaults; a
   * value a session set hides its source, and is taken for one of those unless the setting has had a database or
   * role value.
   */
  private boolean fromTheServer(Row row) {
    return "session".equals(row.source()) ? !hadEntries.contains(row.name()) : SERVER_WIDE.contains(row.source());
  }

  /** Database and role values set, changed or reset since the previous reading of the same scope and role. */
  private List<SettingChange> entryChanges(String role, List<EntryRow> rows, Map<String, Row> byName) {
    Map<EntryKey, Entry> now = new TreeMap<>();
    for (EntryRow e : rows) {
      hadEntries.add(e.name());
      boolean ofRole = e.scope().equals("user") || e.scope().equals("database user");
      // by name alone, whatever this session knows of the setting: an extension it has not loaded has no type
      boolean hidden = SettingValue.hiddenByName(e.name());
      now.put(new EntryKey(e.scope(), e.name(), ofRole ? e.role() : null),
          new Entry(hidden ? SettingValue.HIDDEN : e.value(), SettingValue.digest(e.value())));
    }
    boolean roleKnown = role == null || roles.contains(role);
    if (role != null) {
      roles.add(role);
    }
    List<SettingChange> changes = new ArrayList<>();
    Set<EntryKey> keys = new TreeSet<>(entries.keySet());
    keys.addAll(now.keySet());
    for (EntryKey key : keys) {
      if (key.role() != null && !key.role().equals(role)) {
        // another role's values: compared when that role reads again
        continue;
      }
      Entry was = entries.get(key);
      Entry is = now.get(key);
      if (is != null) {
        entries.put(key, is);
      } else {
        entries.remove(key);
      }
      if (!readBefore || key.role() != null && !roleKnown
          || was != null && is != null && was.digest().equals(is.digest())) {
        continue;
      }
      Row row = byName.get(key.name());
      String change = was == null ? SettingChange.SET : is == null ? SettingChange.RESET : SettingChange.CHANGED;
      changes.add(new SettingChange(key.name(), change, was == null ? null : was.shown(),
          is == null ? null : is.shown(), "", row == null ? null : row.context(), key.scope(), false));
    }
    return changes;
  }

  private static SettingChange change(String name, Known was, Known is) {
    if (was.sameValue(is) && is.pendingRestart()) {
      return new SettingChange(name, SettingChange.PENDING_RESTART, is.shown(), is.shown(), is.unit(), is.context(),
          is.source(), true);
    }
    return new SettingChange(name, SettingChange.CHANGED, was.shown(), is.shown(), is.unit(), is.context(),
        is.source(), is.pendingRestart());
  }

  /** The configuration as read so far: what differs from the defaults, and the database and role values. */
  private SettingsSnapshot snapshot(Map<String, Known> settings, int changes) {
    Map<String, String> configured = new LinkedHashMap<>();
    List<String> pending = new ArrayList<>();
    settings.forEach((name, k) -> {
      if (k.configured()) {
        configured.put(name, k.shown());
      }
      if (k.pendingRestart()) {
        pending.add(name);
      }
    });
    entries.forEach((key, e) -> configured.put(key.name() + " (" + key.scope()
        + (key.role() == null ? "" : " " + key.role()) + ")", e.shown()));
    return new SettingsSnapshot(configured, pending, changes);
  }
}
