package io.pgintel.agent.cli;

import io.pgintel.collect.statements.StatementsCollector;
import io.pgintel.trace.BackendPid;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * {@code doctor --url ... --user ... [--password ...]}: checks that a server and a role are ready for pgintel and
 * prints PASS, WARN or FAIL per check with the exact statement or setting that fixes it. Exit code 1 when any
 * check fails, 2 on bad arguments. It only reads: every check is a query on catalogs and settings.
 */
final class DoctorCommand {

  static final String USAGE = """
      usage: doctor --url jdbc:postgresql://host:port/database --user USER [--password PASSWORD]
        checks connectivity, server version, pg_monitor, pg_stat_statements (preloaded, created, current),
        track_io_timing, compute_query_id and track_activity_query_size
      """;

  private DoctorCommand() {}

  enum Verdict { PASS, WARN, FAIL }

  record Check(Verdict verdict, String name, String detail) {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    String url = null;
    String user = null;
    String password = null;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--help") || a.equals("-h")) {
        out.print(USAGE);
        return 0;
      }
      if (i + 1 >= args.size() || !List.of("--url", "--user", "--password").contains(a)) {
        err.println("doctor: " + (i + 1 >= args.size() ? a + " needs a value" : "unknown option " + a));
        err.print(USAGE);
        return 2;
      }
      String v = args.get(++i);
      switch (a) {
        case "--url" -> url = v;
        case "--user" -> user = v;
        default -> password = v;
      }
    }
    if (url == null || !url.startsWith("jdbc:postgresql:")) {
      err.println("doctor: --url jdbc:postgresql://... is required");
      err.print(USAGE);
      return 2;
    }
    List<Check> checks = check(url, user, password);
    for (Check c : checks) {
      out.printf("%-4s  %-28s %s%n", c.verdict(), c.name(), c.detail());
    }
    out.flush();
    return checks.stream().anyMatch(c -> c.verdict() == Verdict.FAIL) ? 1 : 0;
  }

  static List<Check> check(String url, String user, String password) {
    List<Check> checks = new ArrayList<>();
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
    props.setProperty("ApplicationName", "pgintel doctor");
    props.setProperty("connectTimeout", "10");
    try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement()) {
      c.setReadOnly(true);
      int versionNum = intValue(s, "SELECT current_setting('server_version_num')::int");
      String version = text(s, "SELECT current_setting('server_version')");
      String database = text(s, "SELECT current_database()");
      String role = text(s, "SELECT current_user");
      checks.add(new Check(Verdict.PASS, "connectivity", "connected to database " + database + " as " + role));
      // a pooler gives the driver a session id of its own at login
      int serverPid = intValue(s, "SELECT pg_backend_pid()");
      int driverPid = BackendPid.ofConnection(c);
      checks.add(driverPid == 0 || driverPid == serverPid
          ? new Check(Verdict.PASS, "connection pooler", driverPid == 0 ? "cannot tell with this driver"
              : "none: the driver's session is the server's")
          : new Check(Verdict.WARN, "connection pooler", "PgBouncer or a proxy: the driver's session " + driverPid
              + " is not the server's " + serverPid + "; query samples, blocking chains and long transactions "
              + "cannot be linked to the application's traces or lines of code (top queries still are)"));
      int major = versionNum / 10000;
      checks.add(major < 13 ? new Check(Verdict.FAIL, "server version", version + ": pgintel needs PostgreSQL 13 or later")
          : major > 18 ? new Check(Verdict.WARN, "server version", version + ": newer than the tested 13 to 18")
          : new Check(Verdict.PASS, "server version", version));

      boolean superuser = bool(s, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
      boolean monitor = bool(s, "SELECT pg_has_role(current_user, 'pg_monitor', 'MEMBER')");
      checks.add(superuser || monitor ? new Check(Verdict.PASS, "pg_monitor", superuser ? "superuser" : "member")
          : new Check(Verdict.WARN, "pg_monitor", "other sessions' details and statements stay hidden; run: GRANT "
              + "pg_monitor TO " + quoteIdent(role) + ";"));

      String installed = textOrNull(s,
          "SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements'");
      String preload = textOrNull(s, "SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'");
      // a role that may not read the setting (no pg_read_all_settings) asks the view: it refuses when not preloaded
      Boolean preloaded = null;
      if (preload != null) {
        preloaded = List.of(preload.replace("\"", "").split("\\s*,\\s*")).contains("pg_stat_statements");
      } else if (installed != null) {
        preloaded = viewAnswers(s);
      }
      checks.add(preloaded == null
          ? new Check(Verdict.WARN, "pg_stat_statements preloaded", "this role may not read shared_preload_libraries "
              + "and the extension is not created to ask; pg_monitor (pg_read_all_settings) shows it")
          : preloaded ? new Check(Verdict.PASS, "pg_stat_statements preloaded", preload != null
              ? "shared_preload_libraries = '" + preload + "'" : "the view answers")
          : new Check(Verdict.FAIL, "pg_stat_statements preloaded", "add it in postgresql.conf: "
              + "shared_preload_libraries = '" + (preload == null || preload.isBlank() ? "" : preload + ",")
              + "pg_stat_statements', then restart the server"));

      checks.add(installed != null
          ? new Check(Verdict.PASS, "pg_stat_statements created", "version " + installed + " in " + database)
          : new Check(Verdict.FAIL, "pg_stat_statements created", "run in database " + database
              + ": CREATE EXTENSION pg_stat_statements;"));
      if (installed != null) {
        String available = textOrNull(s,
            "SELECT default_version FROM pg_available_extensions WHERE name = 'pg_stat_statements'");
        checks.add(available == null || available.equals(installed)
            ? new Check(Verdict.PASS, "pg_stat_statements current", "version " + installed)
            : new Check(Verdict.WARN, "pg_stat_statements current", installed + " is older than " + available
                + ": ALTER EXTENSION pg_stat_statements UPDATE;"));
      }

      String ioTiming = text(s, "SELECT current_setting('track_io_timing')");
      checks.add(ioTiming.equals("on") ? new Check(Verdict.PASS, "track_io_timing", "on")
          : new Check(Verdict.WARN, "track_io_timing", "off: no block read/write times; run: ALTER SYSTEM SET "
              + "track_io_timing = on; SELECT pg_reload_conf();"));
      if (major >= 14) {
        String queryId = text(s, "SELECT current_setting('compute_query_id')");
        // whether this very statement got a query id: what 'auto' gives depends on what is loaded
        boolean computed = queryId.equals("on") || queryId.equals("regress") || queryId.equals("auto")
            && textOrNull(s, "SELECT query_id FROM pg_stat_activity WHERE pid = pg_backend_pid()") != null;
        checks.add(computed ? new Check(Verdict.PASS, "compute_query_id", queryId)
            : new Check(Verdict.WARN, "compute_query_id", queryId + ": activity cannot be joined to statements;"
                + " run: ALTER SYSTEM SET compute_query_id = on; SELECT pg_reload_conf();"));
      }
      // pg_settings gives bytes; current_setting() gives '1kB'
      int querySize = intValue(s, "SELECT setting FROM pg_settings WHERE name = 'track_activity_query_size'");
      checks.add(querySize >= 4096 ? new Check(Verdict.PASS, "track_activity_query_size", querySize + " bytes")
          : new Check(Verdict.WARN, "track_activity_query_size", querySize + " bytes cut long statements in "
              + "pg_stat_activity; set track_activity_query_size = 4096 in postgresql.conf and restart"));
    } catch (SQLException e) {
      // "No suitable driver": the agent jar does not ship the driver, so that it never competes with the
      // application's own version of it
      String detail = "08001".equals(e.getSQLState()) && e.getMessage() != null
          && e.getMessage().startsWith("No suitable driver")
          ? "no PostgreSQL JDBC driver on the class path; run: java -cp pgintel-agent.jar:postgresql.jar "
              + "io.pgintel.agent.cli.Main doctor ..."
          : "could not connect or read: " + e.getMessage() + " (SQLSTATE " + e.getSQLState() + ")";
      checks.add(new Check(Verdict.FAIL, "connectivity", detail));
    }
    return checks;
  }

  private static String quoteIdent(String name) {
    return name.matches("[a-z_][a-z0-9_$]*") ? name : "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /**
   * Whether pg_stat_statements answers: false when the server says it is not preloaded (as the statements collector
   * reads that error), null when it refuses for another reason.
   */
  private static Boolean viewAnswers(Statement s) {
    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_statements(false)")) {
      return true;
    } catch (SQLException e) {
      return StatementsCollector.notPreloaded(e).isPresent() ? false : null;
    }
  }

  private static String textOrNull(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static String text(Statement s, String sql) throws SQLException {
    String v = textOrNull(s, sql);
    return v == null ? "" : v;
  }

  private static int intValue(Statement s, String sql) throws SQLException {
    return Integer.parseInt(text(s, sql));
  }

  private static boolean bool(Statement s, String sql) throws SQLException {
    return "t".equals(text(s, sql)) || "true".equals(text(s, sql));
  }
}
