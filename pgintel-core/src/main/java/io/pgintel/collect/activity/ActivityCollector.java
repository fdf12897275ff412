package io.pgintel.collect.activity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pgintel.Setting;
import io.pgintel.Settings;
import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.Row;
import io.pgintel.collect.SqlSession;
import io.pgintel.sql.NormalizedQuery;
import io.pgintel.sql.OneStatement;
import io.pgintel.sql.SqlEngine;
import io.pgintel.trace.CallSites;
import io.pgintel.trace.SessionRegistry;
import io.pgintel.trace.TraceLink;
import java.sql.Array;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Samples {@code pg_stat_activity} (every second by default) and turns the samples into active session history,
 * query samples, blocking chains and the transaction horizon.
 *
 * <p>One sample is one query on {@code pg_stat_activity}; {@code pg_blocking_pids()} is asked only for sessions
 * waiting on a Lock (it takes the lock manager's partition locks), and {@code pg_locks} is read only when such
 * sessions exist. Query texts, which {@code pg_stat_activity} shows with their literals, go through the SQL engine
 * before anything leaves this class. Aggregates cover a window ({@code aggregation-interval}, 15 s) and are
 * republished unchanged until the next window closes; events are new ones only: a query sample once per execution
 * (pid and query start) and at most {@code samples-per-minute} per fingerprint; a blocking chain when its longest
 * wait passes the threshold, then again once per window while it lasts.
 */
public final class ActivityCollector extends NamedCollector {

  public static final String NAME = "activity";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  static final int MAX_QUERY_SERIES = 20;
  static final int MAX_QUERY_WAIT_SERIES = 50;
  static final int MAX_APPLICATION_SERIES = 20;
  private static final double STATEMENT_ALONE_SECONDS = 1.0;
  /** How long a sample looks for a running statement of the application's before it reads none. */
  static final long CALL_SITE_LOOK_NANOS = 10_000_000L;
  private static final String AUXILIARY = "'checkpointer', 'background writer', 'walwriter', 'autovacuum launcher',"
      + " 'logical replication launcher', 'archiver', 'startup', 'walreceiver', 'walsummarizer', 'io worker',"
      + " 'slotsync worker'";

  private final SessionRegistry registry;
  private final SqlEngine sql;
  private final long aggregationNanos;
  private final double longQuerySeconds;
  private final double lockWaitSeconds;
  private final double longTransactionSeconds;
  private final int samplesPerMinute;
  private final int callSiteSamples;

  private final Cache<String, Boolean> reportedExecutions = Caffeine.newBuilder()
      .maximumSize(10_000).expireAfterWrite(1, TimeUnit.HOURS).build();
  /** Transactions reported, by pid and start; kept while they are seen (an open transaction is seen every tick). */
  private final Cache<String, Boolean> reportedTransactions = Caffeine.newBuilder()
      .maximumSize(10_000).expireAfterAccess(10, TimeUnit.MINUTES).build();
  private final Cache<Long, int[]> samplesByFingerprint = Caffeine.newBuilder()
      .maximumSize(10_000).expireAfterWrite(1, TimeUnit.MINUTES).build();
  private final Map<String, Long> chainsReported = new HashMap<>();
  private final Map<String, Long> waitingSince = new HashMap<>();
  /** The sample's statement for the server's version, built once: it is sent every second. */
  private volatile SampleStatement sampleStatement = new SampleStatement(-1, "");

  private record SampleStatement(int major, String sql) {}

  private long windowStart = -1;
  private int windowTicks;
  private final Map<List<String>, Integer> windowCounts = new HashMap<>();
  private List<ActiveSessions> lastWindow = List.of();

  public ActivityCollector(Settings settings, SessionRegistry registry, SqlEngine sql) {
    super(NAME, DEFAULT_INTERVAL);
    this.registry = registry;
    this.sql = sql;
    this.aggregationNanos = ((Duration) settings.value(Setting.ACTIVITY_AGGREGATION)).toNanos();
    this.longQuerySeconds = ((Duration) settings.value(Setting.ACTIVITY_LONG_QUERY)).toNanos() / 1e9;
    this.lockWaitSeconds = ((Duration) settings.value(Setting.ACTIVITY_LOCK_WAIT)).toNanos() / 1e9;
    this.longTransactionSeconds = ((Duration) settings.value(Setting.ACTIVITY_LONG_TRANSACTION)).toNanos() / 1e9;
    this.samplesPerMinute = settings.intValue(Setting.ACTIVITY_SAMPLES_PER_MINUTE);
    this.callSiteSamples = settings.intValue(Setting.ACTIVITY_CALL_SITES);
  }

  @Override
  public void reset() {
    // a window of samples from before another instance collected would be averaged in with the next ones
    windowStart = -1;
    windowTicks = 0;
    windowCounts.clear();
    lastWindow = List.of();
    waitingSince.clear();
  }

  static String sampleSql(int major) {
    return "SELECT a.pid, coalesce(a.datname, '') AS datname, coalesce(a.usename, '') AS usename,"
        + " coalesce(a.application_name, '') AS application_name, host(a.client_addr) AS client_addr,"
        + " coalesce(a.backend_type, '') AS backend_type, a.state, a.wait_event_type, a.wait_event,"
        + (major >= 14 ? " a.query_id," : " NULL::bigint AS query_id,")
        + " extract(epoch FROM clock_timestamp() - a.xact_start)::float8 AS xact_age,"
        + " extract(epoch FROM clock_timestamp() - a.query_start)::float8 AS query_age,"
        + " (extract(epoch FROM a.query_start) * 1000000)::bigint AS query_start_us,"
        + " (extract(epoch FROM a.xact_start) * 1000000)::bigint AS xact_start_us,"
        + " extract(epoch FROM clock_timestamp() - a.state_change)::float8 AS state_age,"
        + " age(a.backend_xid)::bigint AS xid_age, age(a.backend_xmin)::bigint AS xmin_age,"
        + " CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END AS blocking_pids,"
        + " a.query"
        + " FROM pg_stat_activity a"
        // idle sessions hold no locks but session-level advisory ones, and most of a pool is idle: leave them out
        + " WHERE a.pid <> pg_backend_pid() AND a.state IS DISTINCT FROM 'idle'"
        + " AND a.backend_type NOT IN (" + AUXILIARY + ")"
        + " AND coalesce(a.query, '') NOT LIKE '/* pgintel */%'";
  }

  static final String HORIZON_SQL = """
      SELECT (SELECT max(greatest(age(xmin), age(catalog_xmin)))::bigint FROM pg_replication_slots) AS slot_age,
             (SELECT max(age(transaction))::bigint FROM pg_prepared_xacts) AS prepared_age""";

  /** The horizon's one row with the busy sessions, in one round trip. */
  static String activitySql(int major) {
    return SqlSession.oneWithMany(HORIZON_SQL, sampleSql(major));
  }

  static String locksSql(int major) {
    // relation names resolve in the monitored database only (pg_class is per database)
    return "SELECT l.pid, l.locktype, l.mode, l.granted, c.oid::regclass::text AS relation,"
        + (major >= 14 ? " extract(epoch FROM clock_timestamp() - l.waitstart)::float8 AS wait_age"
            : " NULL::float8 AS wait_age")
        + " FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation AND c.relkind IN ('r', 'p', 'm')"
        + " WHERE l.pid = ANY(?) AND (NOT l.granted OR l.locktype = 'tuple'"
        + " OR (l.locktype = 'relation' AND l.mode = 'RowExclusiveLock' AND c.oid IS NOT NULL))";
  }

  private record Lock(int pid, String type, String mode, boolean granted, String relation, Double waitAge) {}

  private String activitySqlFor(int major) {
    SampleStatement known = sampleStatement;
    if (known.major() != major) {
      known = new SampleStatement(major, activitySql(major));
      sampleStatement = known;
    }
    return known.sql();
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    int major = session.server().major();
    // the application's sessions are found by pid, except behind a connection pooler, where the driver's pid of a
    // connection names no server session, or another one
    SessionRegistry linked = session.server().pooled() ? null : registry;
    // every session but idle ones (the query leaves those out), each row with the transaction horizon's figures
    SqlSession.OneWithMany<Long[], ActivitySample> read = session.queryOneWithMany(activitySqlFor(major), "pid",
        r -> new Long[] {r.longOrNull("slot_age"), r.longOrNull("prepared_age")}, r -> sample(r, linked));
    Long[] horizon = read.one();
    List<ActivitySample> busy = read.many();
    long now = System.nanoTime();
    List<Record> out = new ArrayList<>();

    Map<Integer, ActivitySample> byPid = new HashMap<>();
    long idleInTransaction = 0;
    Double oldestTransaction = null;
    Long oldestXmin = null;
    CallSites callSites = registry == null ? null : registry.callSites();
    String monitored = session.server().database();
    for (ActivitySample s : busy) {
      byPid.put(s.pid(), s);
      if (callSites != null && s.queryId() != null && s.query() != null && !s.query().fingerprint().isEmpty()
          && monitored.equals(s.database())) {
        // the text running under a query id: the top query of that id may have kept another text of it
        callSites.runsAs(s.query().fingerprintBits(), s.queryId());
      }
      if (s.idleInTransaction()) {
        idleInTransaction++;
      }
      if (s.transactionAge() != null && "client backend".equals(s.backendType())
          && (oldestTransaction == null || s.transactionAge() > oldestTransaction)) {
        oldestTransaction = s.transactionAge();
      }
      if (s.xminAge() != null && (oldestXmin == null || s.xminAge() > oldestXmin)) {
        oldestXmin = s.xminAge();
      }
    }
    out.add(new TransactionHorizon(idleInTransaction, oldestTransaction, oldestXmin, horizon[0], horizon[1]));
    CallSites.Reads reads = registry == null ? null : registry.callSites().reads();
    if (reads != null && reads.counted() + reads.ended() + reads.noLine() > 0) {
      // once a statement of the application's was read: an application that links none sees no such series
      out.add(new CallSiteReads(session.server().database(), reads));
    }

    accumulate(busy, now);
    out.addAll(lastWindow);
    out.addAll(busy);
    querySamples(busy, out);
    longTransactions(busy, linked, out);
    blockingChains(session, major, busy, byPid, now, out);
    return out;
  }

  /**
   * Which line of the application's code runs which query: a few statements the application is running right now
   * (through pgintel's wrapper or the agent), each with the line its thread runs it from, by fingerprint, for the
   * statements collector's top queries. Before the sample's connection is borrowed: the stack walks take a
   * fraction of a millisecond each, which no pool connection should wait out.
   */
  @Override
  public void beforeSession() {
    if (registry == null || callSiteSamples == 0 || registry.size() == 0) {
      // nothing linked (an application that wraps nothing, or none of its sessions seen yet): nothing to look for
      return;
    }
    // an application that runs short statements now and then is rarely caught at one instant: look again, about
    // a millisecond apart, for at most CALL_SITE_LOOK_NANOS (a look is a pass over the linked sessions' flags, no
    // read); by a deadline, so that a coarse timer or a busy machine cannot stretch it
    long until = System.nanoTime() + CALL_SITE_LOOK_NANOS;
    while (!registry.anyRunning() && System.nanoTime() - until < 0) {
      LockSupport.parkNanos(1_000_000L);
    }
    for (SessionRegistry.SampledStatement s : registry.sampleStatements(callSiteSamples)) {
      NormalizedQuery q = analyze(s.sql(), s.jdbc());
      if (q.text().indexOf(';') < 0) {
        record(q, s);
      } else {
        // one JDBC text of several statements ("SET LOCAL ...; SELECT ..."): pg_stat_statements counts each on its
        // own, and the line runs them all
        for (String statement : OneStatement.each(s.sql(), s.jdbc())) {
          record(analyze(statement, s.jdbc()), s);
        }
      }
    }
  }

  private NormalizedQuery analyze(String text, boolean jdbc) {
    return jdbc ? sql.jdbc(text) : sql.server(text);
  }

  private void record(NormalizedQuery q, SessionRegistry.SampledStatement s) {
    if (!q.fingerprint().isEmpty()) {
      registry.callSites().record(q.fingerprintBits(), s.site(), s.span());
    }
  }

  /** @param linked where the application's sessions are found by pid, or null */
  private ActivitySample sample(Row r, SessionRegistry linked) throws SQLException {
    int pid = r.getInt("pid");
    String state = r.stringOrNull("state");
    String text = r.stringOrNull("query");
    NormalizedQuery query = text == null ? null : sql.server(text);
    String application = r.string("application_name");
    Double queryAge = r.doubleOrNull("query_age");
    String waitType = r.stringOrNull("wait_event_type");
    // the line of code walks the application thread's stack: only for a statement a sample or chain may report
    boolean reportable = queryAge != null && queryAge >= Math.min(longQuerySeconds, lockWaitSeconds)
        || "Lock".equals(waitType);
    TraceLink trace = linked == null ? null : linked.link(pid, reportable);
    if (trace == null) {
      trace = TraceLink.fromTraceparent(application);
    }
    return new ActivitySample(pid, r.string("datname"), r.string("usename"), application,
        r.stringOrNull("client_addr"), r.string("backend_type"), state, waitType,
        r.stringOrNull("wait_event"), r.longOrNull("query_id"), r.doubleOrNull("xact_age"),
        queryAge, r.longOrNull("query_start_us"), r.longOrNull("xact_start_us"), r.doubleOrNull("state_age"),
        r.longOrNull("xid_age"),
        r.longOrNull("xmin_age"), pids(r), query, trace);
  }

  private static List<Integer> pids(Row r) throws SQLException {
    Array a = r.array("blocking_pids");
    if (a == null) {
      return List.of();
    }
    Object[] values = (Object[]) a.getArray();
    List<Integer> out = new ArrayList<>(values.length);
    for (Object v : values) {
      out.add(((Number) v).intValue());
    }
    return List.copyOf(out);
  }

  /** Adds one tick to the window; closes the window when its time is up. */
  void accumulate(List<ActivitySample> busy, long now) {
    if (windowStart < 0) {
      windowStart = now;
    }
    windowTicks++;
    for (ActivitySample s : busy) {
      windowCounts.merge(List.of("state", s.state() == null ? "" : s.state()), 1, Integer::sum);
      if (!s.active()) {
        continue;
      }
      String type = s.waitEventType() == null ? "CPU" : s.waitEventType();
      String event = s.waitEvent() == null ? "CPU" : s.waitEvent();
      windowCounts.merge(List.of("wait", type, event), 1, Integer::sum);
      windowCounts.merge(List.of("database", s.database()), 1, Integer::sum);
      String summary = s.query() == null || s.query().summary().isEmpty() ? "unknown" : s.query().summary();
      windowCounts.merge(List.of("query", summary), 1, Integer::sum);
      String fingerprint = s.query() == null ? "unknown" : s.query().fingerprint();
      windowCounts.merge(List.of("query_wait", fingerprint, summary, type, event), 1, Integer::sum);
      // a traceparent per request in application_name would make every session an application of its own
      windowCounts.merge(List.of("application", TraceLink.withoutTraceparent(s.application()), s.user()), 1,
          Integer::sum);
    }
    if (now - windowStart < aggregationNanos) {
      return;
    }
    List<ActiveSessions> closed = new ArrayList<>();
    Map<String, List<Map.Entry<List<String>, Integer>>> ranked = new HashMap<>();
    double ticks = windowTicks;
    for (Map.Entry<List<String>, Integer> e : windowCounts.entrySet()) {
      List<String> k = e.getKey();
      double avg = e.getValue() / ticks;
      switch (k.get(0)) {
        case "state" -> closed.add(ActiveSessions.state(k.get(1), avg));
        case "wait" -> closed.add(ActiveSessions.waitEvent(k.get(1), k.get(2), avg));
        case "database" -> closed.add(ActiveSessions.database(k.get(1), avg));
        default -> ranked.computeIfAbsent(k.get(0), d -> new ArrayList<>()).add(e);
      }
    }
    busiest(ranked.get("query"), MAX_QUERY_SERIES, k -> List.of("query", "other"), ticks)
        .forEach((k, avg) -> closed.add(ActiveSessions.query(k.get(1), avg)));
    // the rest by wait event type, so that the series of a type still add up to its sessions
    busiest(ranked.get("query_wait"), MAX_QUERY_WAIT_SERIES,
        k -> List.of("query_wait", "other", "other", k.get(3), "CPU".equals(k.get(3)) ? "CPU" : "other"), ticks)
        .forEach((k, avg) -> closed.add(ActiveSessions.queryWait(k.get(1), k.get(2), k.get(3), k.get(4), avg)));
    busiest(ranked.get("application"), MAX_APPLICATION_SERIES, k -> List.of("application", "other", "other"), ticks)
        .forEach((k, avg) -> closed.add(ActiveSessions.application(k.get(1), k.get(2), avg)));
    lastWindow = List.copyOf(closed);
    windowCounts.clear();
    windowTicks = 0;
    windowStart = now;
  }

  /** The averages of the last window closed (what every collection reports until the next one closes). */
  List<ActiveSessions> lastWindow() {
    return lastWindow;
  }

  /**
   * The {@code limit} busiest keys as they are and the rest summed under the key {@code rest} makes of each, as
   * average sessions over {@code ticks}.
   */
  private static Map<List<String>, Double> busiest(List<Map.Entry<List<String>, Integer>> counts, int limit,
      Function<List<String>, List<String>> rest, double ticks) {
    Map<List<String>, Double> out = new LinkedHashMap<>();
    if (counts == null) {
      return out;
    }
    // ties by key, so that the kept series do not flip from window to window with the map's order
    counts.sort(Comparator.comparing((Map.Entry<List<String>, Integer> e) -> -e.getValue())
        .thenComparing(e -> String.join("\u0000", e.getKey())));
    for (int i = 0; i < counts.size(); i++) {
      List<String> key = i < limit ? counts.get(i).getKey() : rest.apply(counts.get(i).getKey());
      out.merge(key, counts.get(i).getValue() / ticks, Double::sum);
    }
    return out;
  }

  private void querySamples(List<ActivitySample> busy, List<Record> out) {
    for (ActivitySample s : busy) {
      if (!s.active() || s.queryAge() == null || s.queryAge() < longQuerySeconds || s.query() == null) {
        continue;
      }
      String execution = s.pid() + "@" + s.queryStartMicros();
      if (reportedExecutions.getIfPresent(execution) != null) {
        continue;
      }
      reportedExecutions.put(execution, Boolean.TRUE);
      int[] count = samplesByFingerprint.get(s.query().fingerprintBits(), k -> new int[1]);
      if (count[0]++ < samplesPerMinute) {
        out.add(new QuerySample(s));
      }
    }
  }

  /**
   * Client sessions whose transaction is older than the threshold, once per transaction; a statement that has
   * been running since its transaction began (within {@value #STATEMENT_ALONE_SECONDS} s: the driver may send
   * {@code BEGIN} with it) is left to query samples. The application's side is asked for only then: where the
   * thread that holds the session is (a stack walk, which pauses that thread).
   */
  private void longTransactions(List<ActivitySample> busy, SessionRegistry linked, List<Record> out) {
    for (ActivitySample s : busy) {
      if (s.transactionAge() == null || s.transactionAge() < longTransactionSeconds
          || s.transactionStartMicros() == null || !"client backend".equals(s.backendType())
          || s.active() && s.queryAge() != null && s.transactionAge() - s.queryAge() < STATEMENT_ALONE_SECONDS) {
        continue;
      }
      String transaction = s.pid() + "@" + s.transactionStartMicros();
      if (reportedTransactions.getIfPresent(transaction) != null) {
        continue;
      }
      reportedTransactions.put(transaction, Boolean.TRUE);
      out.add(new LongTransaction(s, holder(s, linked)));
    }
  }

  /** Where the application holds the session, with the session's own span when the holder's link has none. */
  private TraceLink holder(ActivitySample s, SessionRegistry linked) {
    TraceLink holder = linked == null ? null : linked.holder(s.pid());
    if (holder == null) {
      return s.trace();
    }
    if (holder.traceId() == null && s.trace() != null && s.trace().traceId() != null) {
      // a traceparent in application_name, the line of code from the thread
      return new TraceLink(s.trace().traceId(), s.trace().spanId(), holder.code());
    }
    return holder;
  }

  private void blockingChains(SqlSession session, int major, List<ActivitySample> busy,
      Map<Integer, ActivitySample> byPid, long now, List<Record> out) throws SQLException {
    List<ActivitySample> waiters = busy.stream().filter(s -> s.waitingOnLock() && !s.blockingPids().isEmpty())
        .toList();
    Set<String> stillWaiting = new LinkedHashSet<>();
    Set<String> currentChains = new LinkedHashSet<>();
    if (waiters.isEmpty()) {
      waitingSince.clear();
      chainsReported.clear();
      return;
    }
    long[] pids = waiters.stream().mapToLong(ActivitySample::pid).toArray();
    Map<Integer, List<Lock>> locks = new HashMap<>();
    for (Lock l : session.query(locksSql(major), List.of(pids), r -> new Lock(r.getInt("pid"), r.string("locktype"),
        r.string("mode"), r.getBoolean("granted"), r.stringOrNull("relation"), r.doubleOrNull("wait_age")))) {
      locks.computeIfAbsent(l.pid(), k -> new ArrayList<>()).add(l);
    }
    Map<Integer, ActivitySample> waiting = new LinkedHashMap<>();
    for (ActivitySample w : waiters) {
      waiting.put(w.pid(), w);
    }
    // roots: blockers that do not wait on a lock themselves
    Map<Integer, Set<Integer>> chains = new LinkedHashMap<>();
    for (ActivitySample w : waiters) {
      for (int root : roots(w.pid(), waiting, new LinkedHashSet<>())) {
        chains.computeIfAbsent(root, k -> new LinkedHashSet<>()).add(w.pid());
      }
    }
    for (Map.Entry<Integer, Set<Integer>> chain : chains.entrySet()) {
      ActivitySample root = byPid.getOrDefault(chain.getKey(), unknown(chain.getKey()));
      List<BlockingChain.Waiter> members = new ArrayList<>();
      double longest = 0;
      for (int pid : chain.getValue()) {
        ActivitySample w = waiting.get(pid);
        String since = pid + "@" + w.queryStartMicros();
        stillWaiting.add(since);
        Lock wanted = null;
        String relation = null;
        for (Lock l : locks.getOrDefault(pid, List.of())) {
          if (!l.granted()) {
            wanted = l;
          }
          if (relation == null || "tuple".equals(l.type())) {
            relation = l.relation() != null ? l.relation() : relation;
          }
        }
        if (wanted != null && wanted.relation() != null) {
          relation = wanted.relation();
        }
        double wait;
        if (wanted != null && wanted.waitAge() != null) {
          wait = wanted.waitAge();
        } else {
          long first = waitingSince.computeIfAbsent(since, k -> now);
          wait = (now - first) / 1e9;
        }
        longest = Math.max(longest, wait);
        members.add(new BlockingChain.Waiter(w, w.blockingPids(), wanted == null ? "" : wanted.type(),
            wanted == null ? "" : wanted.mode(), relation, wait));
      }
      if (longest < lockWaitSeconds) {
        continue;
      }
      String identity = root.pid() + ":" + chain.getValue();
      currentChains.add(identity);
      Long last = chainsReported.get(identity);
      if (last == null || now - last >= aggregationNanos) {
        chainsReported.put(identity, now);
        out.add(new BlockingChain(root, List.copyOf(members), longest));
      }
    }
    waitingSince.keySet().retainAll(stillWaiting);
    chainsReported.keySet().retainAll(currentChains);
  }

  /** Follows blockers until sessions that are not waiting on a lock (or a cycle: a deadlock about to be broken). */
  private static Set<Integer> roots(int pid, Map<Integer, ActivitySample> waiting, Set<Integer> seen) {
    Set<Integer> out = new LinkedHashSet<>();
    if (!seen.add(pid)) {
      out.add(pid);
      return out;
    }
    ActivitySample w = waiting.get(pid);
    if (w == null) {
      out.add(pid);
      return out;
    }
    for (int blocker : w.blockingPids()) {
      out.addAll(roots(blocker, waiting, seen));
    }
    return out;
  }

  private static ActivitySample unknown(int pid) {
    return new ActivitySample(pid, "", "", "", null, "", null, null, null, null, null, null, null, null, null, null,
        null, List.of(), null, null);
  }
}
