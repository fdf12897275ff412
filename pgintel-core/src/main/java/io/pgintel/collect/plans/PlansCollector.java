package io.pgintel.collect.plans;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pgintel.Setting;
import io.pgintel.Settings;
import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.OwnStatements;
import io.pgintel.collect.ServerInfo;
import io.pgintel.collect.SqlSession;
import io.pgintel.collect.statements.StatementsCollector;
import io.pgintel.sql.NormalizedQuery;
import io.pgintel.sql.SqlEngine;
import io.pgintel.trace.CallSites;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Explains the busiest statements of the DataSource's database with generic plans, for the plan processor to read
 * ({@link io.pgintel.process.PlanProcessor}). Off by default: it sends the application's statements back to the
 * server, as {@code EXPLAIN}, which an operator should choose to allow.
 *
 * <p>Which statements: it keeps its own small delta of {@code pg_stat_statements(false)} for the current database
 * (no text I/O), ranks the entries whose {@code calls} grew since the last read by the growth of
 * {@code total_exec_time}, and reads the texts of only the first few that are due. The first read is a baseline.
 *
 * <p>How, all inside the collection's read-only transaction, its {@code statement_timeout} and
 * {@code lock_timeout}, one savepoint per statement (a failed explain does not end the transaction):
 *
 * <ul>
 *   <li>PostgreSQL 16+: {@code EXPLAIN (GENERIC_PLAN, FORMAT JSON) <text>}, the text as pg_stat_statements holds
 *       it, {@code $n} parameters and all, sent with the simple query protocol (with the extended one the server
 *       would expect the {@code $n} bound); when the driver is not pgjdbc, the way of 13-15.
 *   <li>PostgreSQL 13-15: {@code PREPARE pgintel_plan AS <text>} (the server infers the parameter types; a type it
 *       cannot infer fails, and is remembered like any error that will not change), {@code plan_cache_mode =
 *       force_generic_plan} for the transaction, {@code EXPLAIN (FORMAT JSON) EXECUTE pgintel_plan(NULL, ...)}
 *       with as many NULLs as the prepared statement has parameters, and {@code DEALLOCATE pgintel_plan} in every
 *       case. (Prepared statements are not transactional: only DEALLOCATE removes it from the pooled session.)
 *   <li>Only {@code SELECT} and {@code WITH ... SELECT} are explained. {@code EXPLAIN} without {@code ANALYZE}
 *       never runs a statement, but planning a DML statement takes its tables' {@code ROW EXCLUSIVE} lock, and a
 *       read-only transaction does not refuse {@code EXPLAIN} of DML (verified on 13 and 18): so DML (a WITH
 *       holding INSERT, UPDATE, DELETE or MERGE included) is explained only through the helper function set in
 *       {@code pgintel.collectors.plans.helper-function} ({@code SELECT helper(text)} returning the JSON plan; the
 *       README has one to install), and without it is reported as {@link PlanSkipped#DML_WITHOUT_HELPER}.
 * </ul>
 *
 * <p>Budgets, all in bounded memory: at most {@code max-per-interval} explains per collection; a fingerprint is
 * explained at most once per {@code re-explain-after} (1 hour); a statement that cannot be explained for a reason
 * that will not change (a text cut short, a kind never explained, a syntax error, a type the server cannot infer,
 * a missing privilege) is not tried again for 24 hours; a timeout or lock error waits {@code re-explain-after}.
 * pgintel's own statements and texts cut short are never explained. A decision not to explain is reported once
 * per period as a {@link PlanSkipped}, pgintel's own statements excepted.
 */
public final class PlansCollector extends NamedCollector {

  public static final String NAME = "plans";
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

  /** How long a decision that will not change is kept. */
  static final Duration FINAL = Duration.ofHours(24);
  static final String STATEMENT = "pgintel_plan";
  private static final int MAX_REMEMBERED = 10_000;
  /** How many due statements past the budget have their texts read, for the skips among them. */
  private static final int CANDIDATES_PER_EXPLAIN = 3;
  private static final Pattern DML = Pattern.compile(
      "\\b(INSERT|DELETE|MERGE)\\b|(?<!\\bFOR |\\b(?i:key) )\\bUPDATE\\b");
  private static final Pattern INTO = Pattern.compile("\\bINTO\\b");
  /** SQLSTATE classes of errors that may pass: resources, locks, cancel and timeout, connection, internal. */
  private static final Set<String> RETRIABLE_CLASSES = Set.of("08", "40", "53", "55", "57", "58", "XX");

  private final int maxPerInterval;
  private final Duration reExplainAfter;
  private final String helper;
  /** The lines of code seen running each query of the DataSource's database, or null with no registry. */
  private final CallSites callSites;
  /** When a query id is due again; absent: due now. */
  private final Cache<Long, Instant> dueByQueryid = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED).build();
  /** When a fingerprint may be explained again (several query ids may share one). */
  private final Cache<Long, Instant> dueByFingerprint = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED).build();
  private String schema;
  /** The server as discovered when the extension's schema was read; identity, not equality, tells. */
  private ServerInfo discoveredFor;
  private Map<Key, double[]> previous;

  /**
   * @param callSites the lines of code seen running each query in the DataSource's database (the activity
   *     collector learns them), or null when statements are not seen
   */
  public PlansCollector(Settings settings, CallSites callSites) {
    super(NAME, DEFAULT_INTERVAL);
    this.callSites = callSites;
    this.maxPerInterval = settings.intValue(Setting.PLANS_MAX_PER_INTERVAL);
    this.reExplainAfter = (Duration) settings.value(Setting.PLANS_REEXPLAIN_AFTER);
    this.helper = settings.sqlName(Setting.PLANS_HELPER_FUNCTION);
  }

  @Override
  public Optional<String> unavailableReason(ServerInfo server) {
    return StatementsCollector.missingExtension(server);
  }

  @Override
  public Optional<String> unavailableReason(java.sql.SQLException failure) {
    return StatementsCollector.notPreloaded(failure);
  }

  private record Key(long queryid, long userid) {}

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    ServerInfo server = session.server();
    if (schema == null || discoveredFor != server) {
      // learnt again with the server: the extension may have moved to another schema
      schema = StatementsCollector.schema(session);
      if (discoveredFor == null || discoveredFor.versionNum() != server.versionNum()) {
        previous = null;
      }
      discoveredFor = server;
    }
    Instant now = Instant.now();
    List<Long> due = dueQueryids(session, now);
    if (due.isEmpty()) {
      return List.of();
    }
    Map<Long, String> texts = new HashMap<>();
    long[] ids = due.stream().limit((long) maxPerInterval * CANDIDATES_PER_EXPLAIN).mapToLong(Long::longValue)
        .toArray();
    session.query("SELECT DISTINCT ON (queryid) queryid, query FROM " + schema + ".pg_stat_statements(true)"
        + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid = ANY(?)",
        List.of(ids), r -> texts.put(r.getLong("queryid"), r.stringOrNull("query")));
    double jitAboveCost = session.queryOne("SELECT CASE WHEN current_setting('jit')::boolean"
        + " THEN current_setting('jit_above_cost')::float8 ELSE -1 END AS above", r -> r.getDouble("above"));
    List<Record> out = new ArrayList<>();
    int explained = 0;
    for (long queryid : ids) {
      String text = texts.get(queryid);
      if (text == null || text.startsWith(SqlSession.MARKER) || text.startsWith("<insufficient privilege>")) {
        dueByQueryid.put(queryid, now.plus(text == null ? reExplainAfter : FINAL));
        continue;
      }
      NormalizedQuery q = SqlEngine.analyzeUncached(text, false);
      if (OwnStatements.sent(q, text)) {
        dueByQueryid.put(queryid, now.plus(FINAL));
        continue;
      }
      Instant fingerprintDue = dueByFingerprint.getIfPresent(q.fingerprintBits());
      if (fingerprintDue != null && fingerprintDue.isAfter(now)) {
        dueByQueryid.put(queryid, fingerprintDue);
        continue;
      }
      String reason = skipReason(q, !helper.isEmpty());
      if (reason != null) {
        dueByQueryid.put(queryid, now.plus(FINAL));
        out.add(new PlanSkipped(server.database(), queryid, q, reason, null, false, seen(q, queryid)));
        continue;
      }
      if (explained >= maxPerInterval) {
        continue; // due at the next collection
      }
      explained++;
      String method = isDml(q) ? "helper"
          : server.atLeast(16) && session.simpleProtocol() ? "generic_plan" : "prepared";
      try {
        String json = explain(session, method, text);
        dueByQueryid.put(queryid, now.plus(reExplainAfter));
        dueByFingerprint.put(q.fingerprintBits(), now.plus(reExplainAfter));
        out.add(new ExplainedPlan(server.database(), queryid, q, method, json, jitAboveCost, seen(q, queryid)));
      } catch (SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08")) {
          throw e; // the connection is gone: this collection failed
        }
        boolean retriable = state.length() < 2 || RETRIABLE_CLASSES.contains(state.substring(0, 2));
        Instant next = now.plus(retriable ? reExplainAfter : FINAL);
        dueByQueryid.put(queryid, next);
        dueByFingerprint.put(q.fingerprintBits(), next);
        out.add(new PlanSkipped(server.database(), queryid, q, PlanSkipped.EXPLAIN_FAILED, state, retriable,
            seen(q, queryid)));
      }
    }
    return out;
  }

  private CallSites.Seen seen(NormalizedQuery q, long queryid) {
    return callSites == null || q.fingerprint().isEmpty() ? CallSites.Seen.NONE
        : callSites.of(q.fingerprintBits(), queryid);
  }

  /**
   * Query ids of this database whose calls grew since the last read and that are due, busiest first by the growth
   * of their execution time; empty on the first read (a baseline).
   */
  private List<Long> dueQueryids(SqlSession session, Instant now) throws SQLException {
    Map<Key, double[]> current = new HashMap<>();
    session.query("SELECT queryid, userid, calls, total_exec_time FROM " + schema + ".pg_stat_statements(false)"
        + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL",
        r -> current.put(new Key(r.getLong("queryid"), r.getLong("userid")),
            new double[] {r.getDouble("calls"), r.getDouble("total_exec_time")}));
    Map<Key, double[]> before = previous;
    previous = current;
    if (before == null) {
      return List.of();
    }
    Map<Long, Double> growth = new LinkedHashMap<>();
    current.forEach((key, after) -> {
      double[] then = before.getOrDefault(key, new double[2]);
      if (after[0] > then[0] && after[1] >= then[1]) {
        growth.merge(key.queryid(), after[1] - then[1], Double::sum);
      }
    });
    List<Long> due = new ArrayList<>();
    for (Map.Entry<Long, Double> e : growth.entrySet()) {
      Instant at = dueByQueryid.getIfPresent(e.getKey());
      if (at == null || !at.isAfter(now)) {
        due.add(e.getKey());
      }
    }
    due.sort(Collections.reverseOrder((a, b) -> Double.compare(growth.get(a), growth.get(b))));
    return due;
  }

  /** Why a statement is not explained ({@link PlanSkipped}'s reasons), or null when it may be. */
  static String skipReason(NormalizedQuery q, boolean withHelper) {
    if (q.truncated()) {
      return PlanSkipped.TRUNCATED;
    }
    if (isDml(q)) {
      return withHelper ? null : PlanSkipped.DML_WITHOUT_HELPER;
    }
    if (!"SELECT".equals(q.operation()) || INTO.matcher(q.text()).find()) {
      return PlanSkipped.STATEMENT_KIND;
    }
    return null;
  }

  /**
   * INSERT, UPDATE, DELETE or MERGE anywhere in the statement (a WITH may hold one under a SELECT), read on the
   * normalized text, where keywords are upper case, identifiers lower case and literals gone. {@code FOR UPDATE}
   * and {@code FOR NO KEY UPDATE} are row locks of a SELECT, not DML.
   */
  static boolean isDml(NormalizedQuery q) {
    String op = q.operation();
    return op.equals("INSERT") || op.equals("UPDATE") || op.equals("DELETE") || op.equals("MERGE")
        || DML.matcher(q.text()).find();
  }

  private String explain(SqlSession session, String method, String text) throws SQLException {
    boolean prepared = false;
    session.execute("SAVEPOINT " + STATEMENT);
    try {
      String json;
      if (method.equals("helper")) {
        json = first(session.query("SELECT " + helper + "(?)::text AS plan", List.of(text),
            r -> r.stringOrNull("plan")));
      } else if (method.equals("generic_plan")) {
        json = first(session.executeAround("EXPLAIN (GENERIC_PLAN, FORMAT JSON) " + text));
      } else {
        session.execute("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)");
        session.executeAround("PREPARE " + STATEMENT + " AS " + text);
        prepared = true;
        int parameters = session.queryOne("SELECT coalesce(cardinality(parameter_types), 0) AS n"
            + " FROM pg_prepared_statements WHERE name = '" + STATEMENT + "'", r -> r.getInt("n"));
        json = first(session.execute("EXPLAIN (FORMAT JSON) EXECUTE " + STATEMENT
            + (parameters == 0 ? "" : "(" + String.join(", ", Collections.nCopies(parameters, "NULL")) + ")")));
      }
      session.execute("RELEASE SAVEPOINT " + STATEMENT);
      return json;
    } catch (SQLException e) {
      session.execute("ROLLBACK TO SAVEPOINT " + STATEMENT);
      throw e;
    } finally {
      if (prepared) {
        session.execute("DEALLOCATE " + STATEMENT);
      }
    }
  }

  private static String first(List<String> rows) throws SQLException {
    if (rows.size() != 1 || rows.get(0) == null) {
      throw new SQLException("EXPLAIN returned " + rows.size() + " rows instead of one plan", "XX000");
    }
    return rows.get(0);
  }
}
