package io.pgintel.spring;

import io.pgintel.collect.CollectorStatus;
import io.pgintel.runtime.CircuitBreaker;
import io.pgintel.collect.activity.ActiveSessions;
import io.pgintel.collect.activity.ActivitySample;
import io.pgintel.collect.statements.TopQuery;
import io.pgintel.spring.PgIntelMonitors.Monitor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/pgintel}: for each monitored database, its collectors' state and the top queries of the last
 * statements interval, as pgintel reported them (query text obfuscated, no literal values).
 *
 * <p>Values are rendered as strings and numbers here rather than left to the endpoint's JSON mapper, whose
 * handling of {@code Duration} and {@code Instant} differs between Boot versions.
 */
@Endpoint(id = "pgintel")
public final class PgIntelEndpoint {

  private final PgIntelMonitors monitors;

  PgIntelEndpoint(PgIntelMonitors monitors) {
    this.monitors = monitors;
  }

  /** The whole report. */
  public record Report(List<Database> databases) {}

  /**
   * One monitored database.
   *
   * @param dataSource the DataSource bean pgintel reads through
   * @param sharedWith other DataSource beans reaching the same database
   * @param topQueries the last statements interval, busiest first; the {@code other} entry (rank 0, no query)
   *     sums every statement outside the top list. Empty until the statements collector has read twice.
   */
  public record Database(String dataSource, String database, List<String> sharedWith, List<Collector> collectors,
      List<Circuit> circuits, List<Query> topQueries, List<WaitEvent> waitEvents, List<LockWait> lockWaits) {}

  /**
   * A circuit breaker: {@code server} or a collector's. An open one pauses collection until {@code openUntil}.
   *
   * @param state {@code closed}, {@code open} or {@code half_open}
   */
  public record Circuit(String name, String state, int consecutiveFailures, String reason, String openUntil) {}

  /**
   * Average active sessions by wait event over the activity collector's last window ({@code CPU} when not
   * waiting): what the database spent its time on.
   */
  public record WaitEvent(String type, String event, double averageSessions) {}

  /**
   * A session waiting on a lock at the last activity sample, and whom it waits for: the blocking picture now.
   *
   * @param query obfuscated text of the waiting statement
   * @param traceId the application span the session serves, when known
   */
  public record LockWait(int pid, String database, String waitEvent, List<Integer> blockedBy, double waitingFor,
      String query, String summary, String traceId, String codeNamespace, String codeFunction) {}

  /** One collector's state; see {@code io.pgintel.collect.CollectorStatus}. */
  public record Collector(String name, String state, String interval, String lastSuccess, String lastError,
      int consecutiveFailures, String detail) {}

  /**
   * One statement's work in the last interval.
   *
   * @param query obfuscated, normalized text; null for the {@code other} entry
   * @param summary {@code db.query.summary}: operation and tables
   * @param code the application's lines seen running it, each with its caller
   *     ({@code com.shop.Db.query:40 from com.shop.Orders.find:12}), most seen first, at most five; empty until a
   *     stack read caught it running
   * @param deltas every pg_stat_statements column's difference over the interval
   */
  public record Query(int rank, String database, Long queryid, String query, String summary, List<String> code,
      long calls, double totalExecTimeMs, double meanExecTimeMs, long rows, String interval,
      Map<String, Number> deltas) {}

  @ReadOperation
  public Report report() {
    List<Database> databases = new ArrayList<>();
    for (Monitor m : monitors.monitors()) {
      List<Collector> collectors = new ArrayList<>();
      for (CollectorStatus s : m.pgintel().status()) {
        collectors.add(new Collector(s.name(), s.state().name(), text(s.interval()), text(s.lastSuccess()),
            s.lastError(), s.consecutiveFailures(), s.detail()));
      }
      List<Circuit> circuits = new ArrayList<>();
      for (CircuitBreaker.Status c : m.pgintel().circuits()) {
        circuits.add(new Circuit(c.name(), c.state().label(), c.consecutiveFailures(), c.reason(),
            c.openUntil() == 0 ? null : text(java.time.Instant.ofEpochMilli(c.openUntil()))));
      }
      List<WaitEvent> waits = new ArrayList<>();
      List<LockWait> lockWaits = new ArrayList<>();
      for (Record r : m.pgintel().latest("activity")) {
        if (r instanceof ActiveSessions a && a.dimension().equals("wait")) {
          waits.add(new WaitEvent(a.waitEventType(), a.waitEvent(), a.average()));
        } else if (r instanceof ActivitySample a && a.waitingOnLock()) {
          lockWaits.add(new LockWait(a.pid(), a.database(), a.waitEvent(), a.blockingPids(),
              a.queryAge() == null ? 0 : a.queryAge(), a.query() == null ? null : a.query().text(),
              a.query() == null ? null : a.query().summary(), a.trace() == null ? null : a.trace().traceId(),
              a.trace() == null ? null : a.trace().codeNamespace(), a.trace() == null ? null : a.trace().codeFunction()));
        }
      }
      waits.sort(Comparator.comparingDouble(WaitEvent::averageSessions).reversed());
      databases.add(new Database(m.dataSource(), m.database(), m.sharedWith(), collectors, circuits, topQueries(m),
          waits, lockWaits));
    }
    return new Report(databases);
  }

  private static List<Query> topQueries(Monitor m) {
    List<Query> out = new ArrayList<>();
    for (Record r : m.pgintel().latest("statements")) {
      if (r instanceof TopQuery q) {
        List<String> code = q.callSites().sites().stream().limit(5).map(c -> c.site().toString()).toList();
        out.add(new Query(q.rank(), q.database(), q.queryid(), q.query() == null ? null : q.query().text(),
            q.isOther() ? "other" : q.query() == null ? null : q.query().summary(), code, count(q, "calls"),
            number(q, "total_exec_time"), q.meanExecTimeMs(), count(q, "rows"), text(q.interval()), q.deltas()));
      }
    }
    // the other bucket last: it is a remainder, not a rank
    out.sort(Comparator.comparingInt((Query q) -> q.rank() == 0 ? Integer.MAX_VALUE : q.rank()));
    return out;
  }

  private static long count(TopQuery q, String column) {
    Number n = q.deltas().get(column);
    return n == null ? 0 : n.longValue();
  }

  private static double number(TopQuery q, String column) {
    Number n = q.deltas().get(column);
    return n == null ? 0 : n.doubleValue();
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }
}
