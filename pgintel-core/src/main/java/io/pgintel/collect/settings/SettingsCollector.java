package io.pgintel.collect.settings;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The server's configuration from {@code pg_settings}: how many settings wait for a restart, the configuration as
 * first read ({@link SettingsSnapshot}), and every later change of a setting ({@link SettingChange}), so that a
 * {@code work_mem} raised or a {@code shared_buffers} waiting for a restart shows beside the numbers it moves.
 *
 * <p>A setting's value is its {@code reset_val}: what a new session of this role in this database gets, so that
 * pgintel's own {@code SET LOCAL} timeouts and whatever the application set in a pooled session are not taken for
 * the server's configuration. Settings that describe the client's connection (its encoding, date style, time zone,
 * application name, transaction state), which the driver sets for every session, are left out. Values that may
 * hold a secret are compared but never shown ({@link SettingValue#hidden}).
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

  static final String SQL = """
      SELECT name, coalesce(reset_val, '') AS value, coalesce(unit, '') AS unit, vartype, context, source,
             reset_val IS DISTINCT FROM boot_val AS configured, pending_restart
      FROM pg_settings
      ORDER BY name""";

  /** A setting as last read: what is shown, and what is compared (the value, or a digest of a hidden one). */
  private record Known(String shown, String value, String unit, String context, String source, boolean configured,
      boolean pendingRestart) {}

  /** The previous reading; null until the first. Collections of one collector never overlap. */
  private Map<String, Known> last;

  public SettingsCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    return read(session.query(SQL, r -> new Row(r.string("name"), r.string("value"), r.string("unit"),
        r.string("vartype"), r.string("context"), r.string("source"), r.getBoolean("configured"),
        r.getBoolean("pending_restart"))));
  }

  /** One row of {@link #SQL}. */
  record Row(String name, String value, String unit, String vartype, String context, String source,
      boolean configured, boolean pendingRestart) {}

  /** The records of one reading, compared with the previous one. */
  List<Record> read(List<Row> rows) {
    Map<String, Known> now = new LinkedHashMap<>();
    long pending = 0;
    for (Row row : rows) {
      if (CLIENT_SETTINGS.contains(row.name())) {
        continue;
      }
      boolean hidden = SettingValue.hidden(row.name(), row.vartype());
      String shown = hidden ? SettingValue.HIDDEN : SettingValue.display(row.value(), row.unit(), row.vartype());
      // 'session' is the collection's own SET LOCAL or the application's SET: not where reset_val comes from
      now.put(row.name(), new Known(shown, hidden ? SettingValue.digest(row.value()) : row.value(), row.unit(),
          row.context(), "session".equals(row.source()) ? null : row.source(), row.configured(),
          row.pendingRestart()));
      pending += row.pendingRestart() ? 1 : 0;
    }
    List<Record> out = new ArrayList<>();
    out.add(new PendingRestart(pending));
    Map<String, Known> before = last;
    last = now;
    if (before == null) {
      out.add(snapshot(now, 0));
      return out;
    }
    List<SettingChange> changes = changes(before, now);
    if (changes.size() > MAX_CHANGES) {
      out.add(snapshot(now, changes.size()));
    } else {
      out.addAll(changes);
    }
    return out;
  }

  private static List<SettingChange> changes(Map<String, Known> before, Map<String, Known> now) {
    List<SettingChange> changes = new ArrayList<>();
    Set<String> names = new TreeSet<>(before.keySet());
    names.addAll(now.keySet());
    for (String name : names) {
      Known was = before.get(name);
      Known is = now.get(name);
      if (is == null) {
        changes.add(new SettingChange(name, SettingChange.REMOVED, was.shown(), null, was.unit(), was.context(),
            was.source(), false));
      } else if (was == null) {
        changes.add(new SettingChange(name, SettingChange.ADDED, null, is.shown(), is.unit(), is.context(),
            is.source(), is.pendingRestart()));
      } else if (!was.value().equals(is.value()) || !was.unit().equals(is.unit())) {
        changes.add(new SettingChange(name, SettingChange.CHANGED, was.shown(), is.shown(), is.unit(),
            is.context(), is.source(), is.pendingRestart()));
      } else if (is.pendingRestart() && !was.pendingRestart()) {
        changes.add(new SettingChange(name, SettingChange.PENDING_RESTART, is.shown(), is.shown(), is.unit(),
            is.context(), is.source(), true));
      }
    }
    return changes;
  }

  private static SettingsSnapshot snapshot(Map<String, Known> now, int changes) {
    Map<String, String> configured = new LinkedHashMap<>();
    List<String> pending = new ArrayList<>();
    now.forEach((name, k) -> {
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
