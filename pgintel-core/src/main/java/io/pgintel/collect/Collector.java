package io.pgintel.collect;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Reads one bounded context of PostgreSQL's statistics (a view or a few related ones) and returns immutable
 * records. A collector only reads: it never formats output and never talks to OpenTelemetry. It picks its SQL
 * from {@link SqlSession#server()}; the session runs it inside a short read-only transaction with timeouts.
 */
public interface Collector {

  /** The name used in settings ({@code pgintel.collectors.<name>.*}) and in pgintel's own telemetry. */
  String name();

  /** Interval used when settings do not name one. */
  Duration defaultInterval();

  /**
   * Why this collector cannot run against this server (missing view, extension or privilege), with the fix;
   * empty when it can. Asked once per server discovery; a collector that answers is disabled, the others go on.
   */
  default Optional<String> unavailableReason(ServerInfo server) {
    return Optional.empty();
  }

  /**
   * Why this collector cannot run, read from what a collection threw, when the server says so only then (a role
   * that may not read {@code shared_preload_libraries} learns that pg_stat_statements is not preloaded from the
   * view's error); empty for a failure to count and back off from.
   */
  default Optional<String> unavailableReason(java.sql.SQLException failure) {
    return Optional.empty();
  }

  /**
   * Work of this collection that needs no database, run before a connection is borrowed for it (reading the
   * application's own state), so that no pool connection is held meanwhile; a failure is the collector's to
   * swallow. Nothing by default.
   */
  default void beforeSession() {}

  /**
   * Forgets what earlier collections left to compare with (baselines, previous readings), so that the next one
   * starts afresh as the first does: called before this instance collects again after another instance of the
   * application collected meanwhile ({@code pgintel.leader-election.enabled}), whose readings told what changed in
   * between. Nothing by default.
   */
  default void reset() {}

  /** Reads the views once. Throwing is allowed: the scheduler contains, counts and backs off. */
  List<? extends Record> collect(SqlSession session) throws SQLException;
}
