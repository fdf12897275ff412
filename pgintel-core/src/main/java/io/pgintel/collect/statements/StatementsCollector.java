package io.pgintel.collect.statements;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pgintel.Setting;
import io.pgintel.Settings;
import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.OwnStatements;
import io.pgintel.collect.ServerInfo;
import io.pgintel.collect.SqlSession;
import io.pgintel.sql.NormalizedQuery;
import io.pgintel.sql.SqlEngine;
import io.pgintel.trace.CallSites;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code pg_stat_statements} and turns its cumulative counters into exact interval deltas.
 *
 * <p>Hazards this class exists to get right:
 *
 * <ul>
 *   <li>The first read is a baseline and reports nothing: the counters hold everything since the last reset,
 *       not this interval's work.
 *   <li>A reset ({@code pg_stat_statements_info.stats_reset} changed, 14+) re-baselines every entry; a counter
 *       that went down, or an entry whose {@code stats_since} changed (17+), re-baselines that entry. Nothing
 *       negative and no total is ever reported as a delta.
 *   <li>An entry that appears after the baseline (new statement, or evicted and back) counts from zero, which is
 *       where PostgreSQL starts it.
 *   <li>Counters are read with {@code pg_stat_statements(false)}: no query-text file I/O. Texts are read only for
 *       query ids not seen before, normalized and obfuscated at once by the SQL engine, and only the result is
 *       kept (a raw text, which may be a verbatim {@code ALTER ROLE ... PASSWORD}, is never held).
 *   <li>pgintel's own statements are left out (by their marker comment and, since PostgreSQL 18 drops leading
 *       comments from stored texts, by fingerprint: {@link OwnStatements}).
 * </ul>
 *
 * Memory is bounded by the entries the server holds ({@code pg_stat_statements.max}), a text cache of bounded
 * weight, and at most {@code max-series} metric series.
 */
public final class StatementsCollector extends NamedCollector {

  public static final String NAME = "statements";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

  static final String INSUFFICIENT_PRIVILEGE = "<insufficient privilege>";
  private static final String OTHER = "other";
  private static final long TEXT_CACHE_CHARS = 8L * 1024 * 1024;

  private final int topN;
  private final String rankBy;
  private final boolean groupByFingerprint;
  private final int maxSeries;
  private final CallSites callSites;
  private final Cache<Long, NormalizedQuery> texts = Caffeine.newBuilder()
      .maximumWeight(TEXT_CACHE_CHARS)
      .weigher((Long id, NormalizedQuery q) -> 64 + q.text().length() + q.summary().length())
      .build();

  /** The server as discovered when the view's schema and columns were read; identity, not equality, tells. */
  private ServerInfo discoveredFor;
  private String textsFunction;
  private String infoView;
  private CounterColumns columns;
  private String countersSql;
  private Map<EntryKey, Entry> baseline = new HashMap<>();
  private boolean baselined;
  private String lastStatsReset;
  private long lastReadNanos;
  private final Map<SeriesKey, QuerySeries> series = new LinkedHashMap<>();

  /**
   * @param callSites the lines of code seen running each query in the monitored database (by the activity
   *     sampler), or null when none are learnt
   */
  public StatementsCollector(Settings settings, CallSites callSites) {
    super(NAME, DEFAULT_INTERVAL);
    this.callSites = callSites;
    this.topN = settings.intValue(Setting.STATEMENTS_TOP_N);
    this.rankBy = settings.choice(Setting.STATEMENTS_RANK_BY);
    this.groupByFingerprint = settings.choice(Setting.STATEMENTS_GROUP_BY).equals("fingerprint");
    this.maxSeries = settings.intValue(Setting.STATEMENTS_MAX_SERIES);
  }


  private static final String NOT_PRELOADED = "pg_stat_statements is not in shared_preload_libraries: add it to"
      + " postgresql.conf and restart the server";

  @Override
  public Optional<String> unavailableReason(ServerInfo server) {
    return missingExtension(server);
  }

  @Override
  public Optional<String> unavailableReason(SQLException failure) {
    return notPreloaded(failure);
  }

  /**
   * The reason of {@link #missingExtension} for an error reading the view that says the library is not preloaded
   * (SQL state 55000), which is how a role that may not read {@code shared_preload_libraries} learns it.
   */
  public static Optional<String> notPreloaded(SQLException failure) {
    String message = String.valueOf(failure.getMessage());
    return "55000".equals(failure.getSQLState()) && message.contains("pg_stat_statements")
        && message.contains("shared_preload_libraries") ? Optional.of(NOT_PRELOADED) : Optional.empty();
  }

  /** Why pg_stat_statements cannot be read on this server, with the fix; empty when it can. */
  public static Optional<String> missingExtension(ServerInfo server) {
    if (server.preloadLibraries() != null && !server.preloadLibraries().contains("pg_stat_statements")) {
      return Optional.of(NOT_PRELOADED);
    }
    if (!server.extensions().containsKey("pg_stat_statements")) {
      return Optional.of("the pg_stat_statements extension is not created in database '" + server.database()
          + "': run CREATE EXTENSION pg_stat_statements there");
    }
    return Optional.empty();
  }

  /** One entry's identity. Before PostgreSQL 14 every entry is top level. */
  record EntryKey(long userid, long dbid, long queryid, boolean toplevel) {}

  /** One entry's counters as read, with the time its statistics started (17+, else null). */
  private record Entry(double[] counters, String statsSince) {}

  private record SeriesKey(String database, String summary) {}

  /** Deltas of one reported row, possibly summed over several entries. */
  private static final class Work {
    final EntryKey first;
    final NormalizedQuery query;
    final double[] delta;
    int entries = 1;
    boolean severalRoles;

    Work(EntryKey key, NormalizedQuery query, double[] delta) {
      this.first = key;
      this.query = query;
      this.delta = delta;
    }

    void add(EntryKey key, double[] d) {
      for (int i = 0; i < d.length; i++) {
        delta[i] += d[i];
      }
      entries++;
      severalRoles |= key.userid() != first.userid();
    }
  }

  @Override
  public void reset() {
    baseline = new HashMap<>();
    baselined = false;
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    ServerInfo server = session.server();
    // learnt again with the server (the extension may have been dropped, re-created, moved to another schema);
    // the baseline goes only when what is read changes, or the server's version does
    if (columns == null || discoveredFor != server) {
      String before = countersSql;
      discover(session);
      if (!countersSql.equals(before) || discoveredFor == null || discoveredFor.versionNum() != server.versionNum()) {
        baseline = new HashMap<>();
        baselined = false;
      }
      discoveredFor = server;
    }
    List<Record> out = new ArrayList<>();
    Long deallocations = null;
    String statsReset = null;
    long max;
    if (infoView != null) {
      String[] info = session.queryOne("SELECT current_setting('pg_stat_statements.max') AS max, dealloc,"
          + " stats_reset::text AS stats_reset FROM " + infoView,
          r -> new String[] {r.string("max"), r.string("dealloc"), r.string("stats_reset")});
      max = Long.parseLong(info[0]);
      deallocations = Long.parseLong(info[1]);
      statsReset = info[2];
    } else {
      max = session.queryOne("SELECT current_setting('pg_stat_statements.max')::bigint AS max",
          r -> r.getLong("max"));
    }
    Map<EntryKey, Entry> current = new HashMap<>();
    int[] hidden = {0};
    CounterColumns cols = columns;
    session.query(countersSql, r -> {
      Long queryid = r.longOrNull("queryid");
      if (queryid == null) {
        hidden[0]++;
        return null;
      }
      double[] values = new double[cols.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = r.getDouble(cols.names[i]);
      }
      EntryKey key = new EntryKey(r.getLong("userid"), r.getLong("dbid"), queryid,
          !cols.toplevel || r.getBoolean("toplevel"));
      current.put(key, new Entry(values, cols.statsSince ? r.stringOrNull("stats_since") : null));
      return null;
    });
    fetchNewTexts(session, current.keySet());
    Map<Long, String> databases = names(session, "SELECT oid, datname AS name FROM pg_database");
    Map<Long, String> roles = names(session, "SELECT oid, rolname AS name FROM pg_roles");

    boolean reset = lastStatsReset != null && !lastStatsReset.equals(statsReset);
    lastStatsReset = statsReset;
    long now = System.nanoTime();
    Duration window = Duration.ofNanos(now - lastReadNanos);
    lastReadNanos = now;
    // the first read, and the first after a reset, are baselines: their counters are not this interval's work
    boolean diff = baselined && !reset;
    baselined = true;
    Map<EntryKey, Entry> previous = baseline;
    baseline = current;

    Map<String, Double> execTimeByDatabase = new LinkedHashMap<>();
    Map<Object, Work> work = new LinkedHashMap<>();
    for (Map.Entry<EntryKey, Entry> e : current.entrySet()) {
      EntryKey key = e.getKey();
      NormalizedQuery q = texts.getIfPresent(key.queryid());
      if (q != null && isOwn(q)) {
        continue;
      }
      execTimeByDatabase.merge(databases.getOrDefault(key.dbid(), ""), e.getValue().counters()[cols.totalExecTime],
          Double::sum);
      double[] delta = diff ? delta(previous.get(key), e.getValue()) : null;
      if (delta == null || delta[cols.calls] <= 0) {
        continue;
      }
      if (q == null) {
        q = SqlEngine.analyzeUncached(null, false);
      }
      Object groupKey = groupByFingerprint && !q.fingerprint().isEmpty()
          ? List.of(key.dbid(), key.toplevel(), q.fingerprintBits()) : key;
      Work w = work.get(groupKey);
      if (w == null) {
        work.put(groupKey, new Work(key, q, delta));
      } else {
        w.add(key, delta);
      }
    }
    execTimeByDatabase.forEach((db, ms) -> out.add(new DatabaseQueryTime(db, ms)));
    out.add(new StatementsInfo(current.size(), max, deallocations, hidden[0]));
    report(work.values(), databases, roles, session.server().database(), out, window);
    out.addAll(series.values());
    return out;
  }

  /** Interval delta of one entry, or null when it must be re-baselined (a counter went down, stats restarted). */
  private double[] delta(Entry before, Entry now) {
    double[] d = now.counters().clone();
    if (before == null || (now.statsSince() != null && !now.statsSince().equals(before.statsSince()))) {
      return d; // new since the last read: PostgreSQL counted it from zero
    }
    for (int i = 0; i < d.length; i++) {
      d[i] -= before.counters()[i];
      if (d[i] < 0) {
        return null;
      }
    }
    return d;
  }

  /** @param monitored the database whose application's lines of code are known ({@link CallSites}) */
  private void report(java.util.Collection<Work> work, Map<Long, String> databases, Map<Long, String> roles,
      String monitored, List<Record> out, Duration interval) {
    CounterColumns cols = columns;
    int rankColumn = cols.indexOf(rankBy);
    List<Work> ranked = new ArrayList<>(work);
    ranked.sort(Comparator.comparingDouble((Work w) -> CounterColumns.at(w.delta, rankColumn)).reversed()
        .thenComparingDouble(w -> -w.delta[cols.totalExecTime]));
    double[] other = new double[cols.size()];
    int otherEntries = 0;
    for (int i = 0; i < ranked.size(); i++) {
      Work w = ranked.get(i);
      String database = databases.getOrDefault(w.first.dbid(), "");
      addToSeries(database, w.query.summary().isEmpty() ? "unknown" : w.query.summary(), w.delta);
      if (i < topN) {
        // the lines learnt are those of the application sessions of the monitored database only
        CallSites.Seen sites = callSites == null || !database.equals(monitored)
            || w.query.fingerprint().isEmpty() ? CallSites.Seen.NONE
            : callSites.of(w.query.fingerprintBits(), w.first.queryid());
        out.add(new TopQuery(i + 1, database, w.severalRoles ? null : roles.get(w.first.userid()),
            w.first.queryid(), cols.toplevel ? w.first.toplevel() : null, w.query, w.entries, deltas(w.delta),
            interval, sites));
      } else {
        for (int k = 0; k < other.length; k++) {
          other[k] += w.delta[k];
        }
        otherEntries += w.entries;
      }
    }
    if (otherEntries > 0) {
      out.add(new TopQuery(0, null, null, null, null, null, otherEntries, deltas(other), interval,
          CallSites.Seen.NONE));
    }
  }

  private void addToSeries(String database, String summary, double[] d) {
    CounterColumns c = columns;
    SeriesKey key = new SeriesKey(database, summary);
    if (!series.containsKey(key) && series.size() >= maxSeries) {
      key = new SeriesKey(OTHER, OTHER);
    }
    QuerySeries s = series.get(key);
    if (s == null) {
      s = new QuerySeries(key.database(), key.summary(), 0, 0, 0, 0, 0, 0, 0);
    }
    series.put(key, s.plus((long) d[c.calls], d[c.totalExecTime], (long) d[c.rows],
        (long) CounterColumns.at(d, c.sharedBlksHit), (long) CounterColumns.at(d, c.sharedBlksRead),
        (long) (CounterColumns.at(d, c.tempBlksRead) + CounterColumns.at(d, c.tempBlksWritten)),
        (long) CounterColumns.at(d, c.walBytes)));
  }

  private Map<String, Number> deltas(double[] d) {
    Map<String, Number> m = new LinkedHashMap<>();
    for (int i = 0; i < d.length; i++) {
      m.put(columns.names[i], columns.fractional[i] ? (Number) d[i] : (Number) Math.round(d[i]));
    }
    return m;
  }

  private static boolean isOwn(NormalizedQuery q) {
    return q == OWN;
  }

  /** Stands in the text cache for pgintel's own statements. */
  private static final NormalizedQuery OWN = new NormalizedQuery("", 0, "", "", List.of(), "", false, Map.of());

  private void fetchNewTexts(SqlSession session, Set<EntryKey> keys) throws SQLException {
    Set<Long> missing = new HashSet<>();
    for (EntryKey k : keys) {
      if (texts.getIfPresent(k.queryid()) == null) {
        missing.add(k.queryid());
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    long[] ids = missing.stream().mapToLong(Long::longValue).toArray();
    session.query("SELECT DISTINCT ON (queryid) queryid, query FROM " + textsFunction
        + " WHERE queryid = ANY(?)", List.of(ids), r -> {
          String text = r.stringOrNull("query");
          texts.put(r.getLong("queryid"), normalize(text));
          return null;
        });
  }

  static NormalizedQuery normalize(String text) {
    if (text == null || text.equals(INSUFFICIENT_PRIVILEGE)) {
      return new NormalizedQuery("", 0, INSUFFICIENT_PRIVILEGE, "", List.of(), "", false, Map.of());
    }
    if (text.startsWith(SqlSession.MARKER)) {
      return OWN;
    }
    NormalizedQuery q = SqlEngine.analyzeUncached(text, false);
    return OwnStatements.sent(q, text) ? OWN : q;
  }

  private static Map<Long, String> names(SqlSession session, String sql) throws SQLException {
    Map<Long, String> m = new HashMap<>();
    session.query(sql, r -> m.put(r.getLong("oid"), r.string("name")));
    return m;
  }

  /** The schema pg_stat_statements is installed in, quoted for use in SQL. */
  public static String schema(SqlSession session) throws SQLException {
    return session.extensionSchema("pg_stat_statements");
  }

  private void discover(SqlSession session) throws SQLException {
    String schema = schema(session);
    Set<String> present = new HashSet<>(session.query("""
        SELECT a.attname FROM pg_attribute a
        WHERE a.attrelid = (quote_ident(?) || '.pg_stat_statements')::regclass AND a.attnum > 0
          AND NOT a.attisdropped""", List.of(unquote(schema)), r -> r.string("attname")));
    columns = new CounterColumns(present);
    textsFunction = schema + ".pg_stat_statements(true)";
    infoView = present.contains("toplevel") ? schema + ".pg_stat_statements_info" : null;
    StringBuilder sql = new StringBuilder("SELECT userid, dbid, queryid");
    if (columns.toplevel) {
      sql.append(", toplevel");
    }
    if (columns.statsSince) {
      sql.append(", stats_since::text AS stats_since");
    }
    for (String c : columns.names) {
      sql.append(", ").append(c);
    }
    countersSql = sql.append(" FROM ").append(schema).append(".pg_stat_statements(false)").toString();
  }

  private static String unquote(String ident) {
    return ident.startsWith("\"") ? ident.substring(1, ident.length() - 1).replace("\"\"", "\"") : ident;
  }
}
