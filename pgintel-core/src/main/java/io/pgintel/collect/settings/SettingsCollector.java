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
import java.util.TreeMap;

/**
 * The server's configuration from {@code pg_settings}: how many settings wait for a restart, the configuration as
 * first read ({@link SettingsSnapshot}), and every later change of a setting ({@link SettingChange}), so that a
 * {@code work_mem} raised or a {@code shared_buffers} waiting for a restart shows beside the numbers it moves.
 *
 * <p>A setting's value is its {@code reset_val}: what the session would go back to, so that pgintel's own
 * {@code SET LOCAL} timeouts and whatever the application set in a pooled session are not taken for the server's
 * configuration. Sessions of a pool differ in age, and a session keeps what was in force when it began for some
 * settings ({@code ALTER DATABASE ... SET}, {@code ALTER ROLE ... SET}, the settings fixed at connection), and
 * lists an extension's settings only once it has loaded the extension. So a different value is a change when the
 * session that read it began no earlier than the one behind the value held, or when both values are of the kind
 * every session re-reads at a reload (from the configuration files, the command line, or the defaults); a setting
 * a session does not list keeps its value, and one first seen later is learnt without a change. Settings the
 * client set when it connected ({@code application_name}, the driver's encoding, date style and time zone, source
 * {@code client}) and the transaction's state are left out. Values that may hold a secret are compared but never
 * shown ({@link SettingValue#hidden}).
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

  /** Where a value comes from that every session holds alike: each re-reads it at a reload. */
  private static final Set<String> SERVER_WIDE = Set.of("default", "configuration file", "environment variable",
      "command line", "override");

  static final String SQL = """
      SELECT name, coalesce(reset_val, '') AS value, coalesce(unit, '') AS unit, vartype, context, source,
             reset_val IS DISTINCT FROM boot_val AS configured, pending_restart,
             coalesce((SELECT (extract(epoch FROM backend_start) * 1000000)::bigint
                       FROM pg_stat_activity WHERE pid = pg_backend_pid()), 0) AS session_start
      FROM pg_settings
      ORDER BY name""";

  /** A setting as last read: what is shown, and what is compared (the value, or a digest of a hidden one). */
  private record Known(String shown, String value, String unit, String context, String source, boolean configured,
      boolean pendingRestart) {

    boolean differs(Known other) {
      return !value.equals(other.value) || !unit.equals(other.unit) || pendingRestart != other.pendingRestart;
    }

    /** Whether every session holds this value alike, whatever its age. */
    boolean serverWide() {
      return source != null && SERVER_WIDE.contains(source) && !context.equals("backend")
          && !context.equals("superuser-backend");
    }
  }

  /** What the settings were when last read, by name. Collections of one collector never overlap. */
  private final Map<String, Known> known = new TreeMap<>();
  private boolean readBefore;
  /** When the session behind the newest reading taken whole began (microseconds since the epoch). */
  private long newestSession;

  public SettingsCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    long[] sessionStart = {0};
    List<Row> rows = session.query(SQL, r -> {
      sessionStart[0] = r.getLong("session_start");
      return new Row(r.string("name"), r.string("value"), r.string("unit"), r.string("vartype"),
          r.string("context"), r.string("source"), r.getBoolean("configured"), r.getBoolean("pending_restart"));
    });
    return read(sessionStart[0], rows);
  }

  /** One row of {@link #SQL}. */
  record Row(String name, String value, String unit, String vartype, String context, String source,
      boolean configured, boolean pendingRestart) {}

  /**
   * The records of one reading, compared with what is known.
   *
   * @param sessionStart when the session that read the rows began
   */
  List<Record> read(long sessionStart, List<Row> rows) {
    boolean newest = sessionStart >= newestSession;
    if (newest) {
      newestSession = sessionStart;
    }
    List<SettingChange> changes = new ArrayList<>();
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
      if (was == null || !was.differs(is)) {
        if (was == null || newest) {
          known.put(row.name(), is);
        }
      } else if (newest || was.serverWide() && is.serverWide()) {
        changes.add(change(row.name(), was, is));
        known.put(row.name(), is);
      }
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
