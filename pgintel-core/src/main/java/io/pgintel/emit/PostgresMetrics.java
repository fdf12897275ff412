package io.pgintel.emit;

import static io.pgintel.emit.MetricDef.counter;
import static io.pgintel.emit.MetricDef.gauge;
import static io.pgintel.emit.MetricDef.upDown;

import io.opentelemetry.api.common.AttributesBuilder;
import io.pgintel.collect.activity.ActiveSessions;
import io.pgintel.collect.activity.CallSiteReads;
import io.pgintel.collect.activity.TransactionHorizon;
import io.pgintel.collect.bgwriter.BackgroundWriterStats;
import io.pgintel.collect.bgwriter.CheckpointerStats;
import io.pgintel.collect.connections.ConnectionGroup;
import io.pgintel.collect.connections.ConnectionLimit;
import io.pgintel.collect.connections.ConnectionLimits;
import io.pgintel.collect.settings.PendingRestart;
import io.pgintel.collect.database.DatabaseCount;
import io.pgintel.collect.database.DatabaseStats;
import io.pgintel.collect.database.ServerUptime;
import io.pgintel.collect.statements.DatabaseQueryTime;
import io.pgintel.collect.statements.QuerySeries;
import io.pgintel.collect.statements.StatementsInfo;
import io.pgintel.collect.wal.ArchiverStats;
import io.pgintel.collect.wal.CheckpointState;
import io.pgintel.collect.wal.WalDirectory;
import io.pgintel.collect.wal.WalStats;
import java.util.List;
import java.util.function.Function;

/**
 * Every server metric pgintel emits. Names, units and instrument kinds follow the OpenTelemetry Collector
 * PostgreSQL receiver where it has the metric, so existing dashboards keep working; the rest live under
 * {@code postgresql.*} in the same style. Times the server keeps in milliseconds are emitted in seconds, except
 * where the receiver uses milliseconds ({@code postgresql.bgwriter.duration}).
 */
final class PostgresMetrics {

  private PostgresMetrics() {}

  static final List<MetricDef<?>> ALL = List.of(
      // pg_stat_database
      upDown("postgresql.backends", "1", DatabaseStats.class,
          "Number of backends connected to the database.")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::backends),
      counter("postgresql.commits", "1", DatabaseStats.class, "Transactions committed in the database.")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::commits),
      counter("postgresql.rollbacks", "1", DatabaseStats.class, "Transactions rolled back in the database.")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::rollbacks),
      counter("postgresql.blks_read", "{blks_read}", DatabaseStats.class,
          "Disk blocks read in the database (not found in shared buffers).")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::blocksRead),
      counter("postgresql.blks_hit", "{blks_hit}", DatabaseStats.class,
          "Disk blocks found already in shared buffers.")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::blocksHit),
      counter("postgresql.tup_returned", "{tup_returned}", DatabaseStats.class,
          "Rows returned by sequential scans and index entries returned by index scans.")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::rowsReturned),
      counter("postgresql.tup_fetched", "{tup_fetched}", DatabaseStats.class,
          "Live rows fetched by index scans.")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::rowsFetched),
      counter("postgresql.tup_inserted", "{tup_inserted}", DatabaseStats.class, "Rows inserted.")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::rowsInserted),
      counter("postgresql.tup_updated", "{tup_updated}", DatabaseStats.class, "Rows updated.")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::rowsUpdated),
      counter("postgresql.tup_deleted", "{tup_deleted}", DatabaseStats.class, "Rows deleted.")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::rowsDeleted),
      counter("postgresql.temp_files", "{temp_file}", DatabaseStats.class,
          "Temporary files created by queries.")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::tempFiles),
      counter("postgresql.temp.io", "By", DatabaseStats.class, "Data written to temporary files by queries.")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::tempBytes),
      counter("postgresql.deadlocks", "{deadlock}", DatabaseStats.class, "Deadlocks detected.")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::deadlocks),
      counter("postgresql.checksum_failures", "{failure}", DatabaseStats.class,
          "Data page checksum failures.")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::checksumFailures),
      counter("postgresql.parallel_workers", "{worker}", DatabaseStats.class,
          "Parallel workers queries planned and launched (PostgreSQL 18+); planned but not launched were refused for "
              + "want of max_parallel_workers or max_worker_processes.")
          .attributes(PostgresMetrics::database)
          .point(Attrs.PARALLEL_WORKERS_STATE, "planned", DatabaseStats::parallelWorkersPlanned)
          .point(Attrs.PARALLEL_WORKERS_STATE, "launched", DatabaseStats::parallelWorkersLaunched).build(),
      counter("postgresql.blk_read_time", "s", DatabaseStats.class,
          "Time backends spent reading data file blocks (needs track_io_timing).")
          .attributes(PostgresMetrics::database).doubleValue(r -> seconds(r.blockReadTimeMs())),
      counter("postgresql.blk_write_time", "s", DatabaseStats.class,
          "Time backends spent writing data file blocks (needs track_io_timing).")
          .attributes(PostgresMetrics::database).doubleValue(r -> seconds(r.blockWriteTimeMs())),
      counter("postgresql.query.conflicts", "{query}", DatabaseStats.class,
          "Queries cancelled on a standby by conflicts with recovery.")
          .attributes(PostgresMetrics::database)
          .point(Attrs.CONFLICT_TYPE, "tablespace", r -> r.conflicts().tablespace())
          .point(Attrs.CONFLICT_TYPE, "lock", r -> r.conflicts().lock())
          .point(Attrs.CONFLICT_TYPE, "snapshot", r -> r.conflicts().snapshot())
          .point(Attrs.CONFLICT_TYPE, "bufferpin", r -> r.conflicts().bufferpin())
          .point(Attrs.CONFLICT_TYPE, "deadlock", r -> r.conflicts().deadlock()).build(),
      counter("postgresql.sessions", "{session}", DatabaseStats.class,
          "Sessions established (PostgreSQL 14+).")
          .attributes(PostgresMetrics::database).longValue(sessions(DatabaseStats.Sessions::sessions)),
      counter("postgresql.sessions.ended", "{session}", DatabaseStats.class,
          "Sessions that did not end normally: client disconnected (abandoned), fatal error, or terminated (killed)"
              + " (PostgreSQL 14+).")
          .attributes(PostgresMetrics::database)
          .point(Attrs.SESSION_END, "abandoned", sessions(DatabaseStats.Sessions::abandoned))
          .point(Attrs.SESSION_END, "fatal", sessions(DatabaseStats.Sessions::fatal))
          .point(Attrs.SESSION_END, "killed", sessions(DatabaseStats.Sessions::killed)).build(),
      counter("postgresql.session.time", "s", DatabaseStats.class,
          "Time sessions spent connected (PostgreSQL 14+).")
          .attributes(PostgresMetrics::database)
          .doubleValue(sessions(s -> seconds(s.sessionTimeMs()))),
      counter("postgresql.session.active_time", "s", DatabaseStats.class,
          "Time sessions spent executing statements (PostgreSQL 14+).")
          .attributes(PostgresMetrics::database)
          .doubleValue(sessions(s -> seconds(s.activeTimeMs()))),
      counter("postgresql.session.idle_in_transaction_time", "s", DatabaseStats.class,
          "Time sessions spent idle inside a transaction (PostgreSQL 14+).")
          .attributes(PostgresMetrics::database)
          .doubleValue(sessions(s -> seconds(s.idleInTransactionTimeMs()))),
      upDown("postgresql.db_size", "By", DatabaseStats.class, "Disk space used by the database.")
          .attributes(PostgresMetrics::database).longValue(DatabaseStats::sizeBytes),
      upDown("postgresql.database.count", "{databases}", DatabaseCount.class,
          "Number of databases, templates excluded.")
          .longValue(DatabaseCount::databases),
      gauge("postgresql.uptime", "s", ServerUptime.class,
          "Time since the server started (pg_postmaster_start_time()); a drop is a restart, which resets the "
              + "server's cumulative statistics.")
          .attributes((r, b) -> b.put(Attrs.POSTGRESQL_VERSION, r.version())).doubleValue(ServerUptime::seconds),

      // pg_stat_activity, settings
      upDown("postgresql.connection.count", "{connection}", ConnectionGroup.class,
          "Server processes by database, state, application, user, backend type and wait event type.")
          .attributes(PostgresMetrics::connectionGroup).longValue(ConnectionGroup::count),
      gauge("postgresql.connection.max", "{connections}", ConnectionLimits.class,
          "Configured maximum number of client connections (max_connections).")
          .longValue(ConnectionLimits::maxConnections),
      gauge("postgresql.connection.reserved", "{connections}", ConnectionLimits.class,
          "Connection slots an ordinary role cannot use: superuser_reserved_connections, plus reserved_connections "
              + "from PostgreSQL 16.")
          .longValue(ConnectionLimits::reserved),
      gauge("postgresql.role.connection.limit", "{connection}", ConnectionLimit.class,
          "CONNECTION LIMIT of a login role (only roles with one, superusers left out): the server refuses the "
              + "role's sessions past it, whatever max_connections leaves free.")
          .attributes((r, b) -> b.put(Attrs.USER_NAME, r.name()))
          .longValue(r -> r.kind().equals("role") ? r.limit() : null),
      gauge("postgresql.database.connection.limit", "{connection}", ConnectionLimit.class,
          "CONNECTION LIMIT of a database (only databases with one): the server refuses sessions to it past it, "
              + "but a superuser's.")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.name()))
          .longValue(r -> r.kind().equals("database") ? r.limit() : null),
      gauge("postgresql.settings.pending_restart", "{setting}", PendingRestart.class,
          "Settings changed in the configuration that take effect only after a server restart (pg_settings).")
          .longValue(PendingRestart::settings),

      // pg_stat_bgwriter, pg_stat_checkpointer
      counter("postgresql.bgwriter.buffers.allocated", "{buffers}", BackgroundWriterStats.class,
          "Buffers allocated.")
          .longValue(BackgroundWriterStats::buffersAllocated),
      counter("postgresql.bgwriter.buffers.writes", "{buffers}", BackgroundWriterStats.class,
          "Buffers written, by writer (backend counters only before PostgreSQL 17).")
          .point(Attrs.SOURCE, "bgwriter", BackgroundWriterStats::buffersClean)
          .point(Attrs.SOURCE, "backend", BackgroundWriterStats::buffersBackend)
          .point(Attrs.SOURCE, "backend_fsync", BackgroundWriterStats::buffersBackendFsync).build(),
      counter("postgresql.bgwriter.buffers.writes", "{buffers}", CheckpointerStats.class,
          "Buffers written, by writer (backend counters only before PostgreSQL 17).")
          .point(Attrs.SOURCE, "checkpoints", CheckpointerStats::buffersWritten).build(),
      counter("postgresql.bgwriter.maxwritten", "1", BackgroundWriterStats.class,
          "Times the background writer stopped a cleaning scan for having written too many buffers.")
          .longValue(BackgroundWriterStats::maxwrittenClean),
      counter("postgresql.bgwriter.checkpoint.count", "{checkpoints}", CheckpointerStats.class,
          "Checkpoints performed, scheduled by checkpoint_timeout or requested.")
          .point(Attrs.TYPE, "scheduled", CheckpointerStats::timed)
          .point(Attrs.TYPE, "requested", CheckpointerStats::requested).build(),
      counter("postgresql.bgwriter.duration", "ms", CheckpointerStats.class,
          "Time checkpoints spent writing and syncing files.")
          .ofDoubles()
          .point(Attrs.TYPE, "write", CheckpointerStats::writeTimeMs)
          .point(Attrs.TYPE, "sync", CheckpointerStats::syncTimeMs).build(),
      counter("postgresql.checkpointer.restartpoint.count", "{restartpoints}", CheckpointerStats.class,
          "Restartpoints on a standby: scheduled, requested and performed (PostgreSQL 17+).")
          .point(Attrs.TYPE, "scheduled", CheckpointerStats::restartpointsTimed)
          .point(Attrs.TYPE, "requested", CheckpointerStats::restartpointsRequested)
          .point(Attrs.TYPE, "done", CheckpointerStats::restartpointsDone).build(),

      // WAL, pg_stat_wal, pg_stat_archiver
      counter("postgresql.wal.lsn", "By", WalStats.class,
          "Current WAL insert position (replayed position on a standby) in bytes; its rate is WAL generated per second.")
          .longValue(WalStats::lsnBytes),
      counter("postgresql.wal.records", "{record}", WalStats.class, "WAL records generated (PostgreSQL 14+).")
          .longValue(WalStats::records),
      counter("postgresql.wal.full_page_images", "{page}", WalStats.class,
          "WAL full page images generated (PostgreSQL 14+).")
          .longValue(WalStats::fullPageImages),
      counter("postgresql.wal.bytes", "By", WalStats.class, "WAL generated (PostgreSQL 14+).")
          .longValue(WalStats::bytes),
      counter("postgresql.wal.buffers_full", "{event}", WalStats.class,
          "Times WAL was written to disk because the WAL buffers were full (PostgreSQL 14+).")
          .longValue(WalStats::buffersFull),
      counter("postgresql.wal.writes", "{write}", WalStats.class,
          "WAL buffer writes to disk (PostgreSQL 14-17; pg_stat_io from 18).")
          .longValue(WalStats::writes),
      counter("postgresql.wal.syncs", "{sync}", WalStats.class,
          "WAL file syncs to disk (PostgreSQL 14-17; pg_stat_io from 18).")
          .longValue(WalStats::syncs),
      counter("postgresql.wal.write.time", "s", WalStats.class,
          "Time spent writing WAL (needs track_wal_io_timing; PostgreSQL 14-17).")
          .doubleValue(r -> seconds(r.writeTimeMs())),
      counter("postgresql.wal.sync.time", "s", WalStats.class,
          "Time spent syncing WAL (needs track_wal_io_timing; PostgreSQL 14-17).")
          .doubleValue(r -> seconds(r.syncTimeMs())),
      counter("postgresql.archiver.archived", "{file}", ArchiverStats.class, "WAL files archived.")
          .longValue(ArchiverStats::archived),
      counter("postgresql.archiver.failed", "{file}", ArchiverStats.class, "Failed attempts to archive WAL files.")
          .longValue(ArchiverStats::failed),
      gauge("postgresql.archiver.last_archived.age", "s", ArchiverStats.class,
          "Time since the last WAL file was archived.")
          .doubleValue(ArchiverStats::lastArchivedAgeSeconds),
      gauge("postgresql.archiver.last_failed.age", "s", ArchiverStats.class,
          "Time since the last failed archive attempt.")
          .doubleValue(ArchiverStats::lastFailedAgeSeconds),

      upDown("postgresql.wal.directory.segments", "{file}", WalDirectory.class,
          "WAL segment files in the WAL directory (pg_ls_waldir(); needs pg_monitor).")
          .longValue(WalDirectory::segments),
      upDown("postgresql.wal.directory.size", "By", WalDirectory.class,
          "Disk space of the WAL directory's files (pg_ls_waldir(); needs pg_monitor).")
          .longValue(WalDirectory::bytes),
      upDown("postgresql.archiver.pending", "{file}", WalDirectory.class,
          "WAL segments waiting for the archiver (.ready in archive_status; needs pg_monitor).")
          .longValue(WalDirectory::archivePending),
      gauge("postgresql.checkpoint.age", "s", CheckpointState.class,
          "Time since the latest checkpoint began (pg_control_checkpoint(); a restartpoint on a standby).")
          .doubleValue(CheckpointState::ageSeconds),
      gauge("postgresql.checkpoint.redo_distance", "By", CheckpointState.class,
          "WAL from the latest checkpoint's redo point to the current position: what crash recovery would replay.")
          .longValue(CheckpointState::redoDistanceBytes),
      gauge("postgresql.timeline", "{timeline}", CheckpointState.class,
          "Timeline of the latest checkpoint; a promotion (failover) moves it on.")
          .longValue(CheckpointState::timeline),

      // pg_stat_statements
      counter("postgresql.query.execution.time", "s", DatabaseQueryTime.class,
          "Execution time of the statements pg_stat_statements tracks now (drops when entries are evicted).")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database()))
          .doubleValue(r -> seconds(r.totalExecTimeMs())),
      counter("postgresql.query.calls", "{call}", QuerySeries.class,
          "Statement executions since pgintel started, by query summary.")
          .attributes(PostgresMetrics::querySeries).longValue(QuerySeries::calls),
      counter("postgresql.query.exec_time", "s", QuerySeries.class,
          "Statement execution time since pgintel started, by query summary.")
          .attributes(PostgresMetrics::querySeries).doubleValue(r -> seconds(r.execTimeMs())),
      counter("postgresql.query.rows", "{row}", QuerySeries.class,
          "Rows returned or affected since pgintel started, by query summary.")
          .attributes(PostgresMetrics::querySeries).longValue(QuerySeries::rows),
      counter("postgresql.query.shared_blks_hit", "{block}", QuerySeries.class,
          "Shared buffer hits since pgintel started, by query summary.")
          .attributes(PostgresMetrics::querySeries).longValue(QuerySeries::sharedBlocksHit),
      counter("postgresql.query.shared_blks_read", "{block}", QuerySeries.class,
          "Shared blocks read from disk or OS cache since pgintel started, by query summary.")
          .attributes(PostgresMetrics::querySeries).longValue(QuerySeries::sharedBlocksRead),
      counter("postgresql.query.temp_blks", "{block}", QuerySeries.class,
          "Temporary blocks read and written since pgintel started, by query summary.")
          .attributes(PostgresMetrics::querySeries).longValue(QuerySeries::tempBlocks),
      counter("postgresql.query.wal_bytes", "By", QuerySeries.class,
          "WAL generated since pgintel started, by query summary.")
          .attributes(PostgresMetrics::querySeries).longValue(QuerySeries::walBytes),
      upDown("postgresql.statements.entries", "{entry}", StatementsInfo.class,
          "Entries pg_stat_statements holds.")
          .longValue(StatementsInfo::entries),
      gauge("postgresql.statements.max", "{entry}", StatementsInfo.class,
          "pg_stat_statements.max: entries it can hold before evicting.")
          .longValue(StatementsInfo::max),
      counter("postgresql.statements.deallocations", "{entry}", StatementsInfo.class,
          "Entries evicted to make room for new statements (PostgreSQL 14+).")
          .longValue(StatementsInfo::deallocations),
      upDown("postgresql.statements.hidden", "{entry}", StatementsInfo.class,
          "Entries of other roles this role may not see; grant pg_read_all_stats (pg_monitor) to see them.")
          .longValue(StatementsInfo::hiddenEntries),

      // pg_stat_activity samples: active session history over the aggregation window
      gauge("postgresql.activity.wait", "{session}", ActiveSessions.class,
          "Average active sessions by wait event over the aggregation window; CPU when not waiting.")
          .attributes((r, b) -> b.put(Attrs.WAIT_EVENT_TYPE, r.waitEventType()).put(Attrs.WAIT_EVENT, r.waitEvent()))
          .doubleValue(dimension("wait")),
      gauge("postgresql.activity.state", "{session}", ActiveSessions.class,
          "Average sessions by state (idle excluded) over the aggregation window.")
          .attributes((r, b) -> b.put(Attrs.STATE, r.state()))
          .doubleValue(dimension("state")),
      gauge("postgresql.activity.database", "{session}", ActiveSessions.class,
          "Average active sessions by database over the aggregation window.")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database()))
          .doubleValue(dimension("database")),
      gauge("postgresql.activity.query", "{session}", ActiveSessions.class,
          "Average active sessions by query summary over the aggregation window (20 busiest, the rest 'other').")
          .attributes((r, b) -> b.put(Attrs.DB_QUERY_SUMMARY, r.querySummary()))
          .doubleValue(dimension("query")),
      gauge("postgresql.activity.query.wait", "{session}", ActiveSessions.class,
          "Average active sessions by query (fingerprint) and wait event over the aggregation window; CPU when not "
              + "waiting (50 busiest pairs, the rest 'other' by wait event type).")
          .attributes((r, b) -> b.put(Attrs.FINGERPRINT, r.fingerprint()).put(Attrs.DB_QUERY_SUMMARY, r.querySummary())
              .put(Attrs.WAIT_EVENT_TYPE, r.waitEventType()).put(Attrs.WAIT_EVENT, r.waitEvent()))
          .doubleValue(dimension("query_wait")),
      gauge("postgresql.activity.application", "{session}", ActiveSessions.class,
          "Average active sessions by application_name (a traceparent in it left out) and user over the aggregation "
              + "window (20 busiest, the rest 'other').")
          .attributes((r, b) -> b.put(Attrs.APPLICATION_NAME, r.application()).put(Attrs.USER_NAME, r.user()))
          .doubleValue(dimension("application")),
      upDown("postgresql.sessions.idle_in_transaction", "{session}", TransactionHorizon.class,
          "Sessions idle inside an open transaction now.")
          .longValue(TransactionHorizon::idleInTransaction),
      gauge("postgresql.transaction.oldest.age", "s", TransactionHorizon.class,
          "Age of the oldest open transaction of a client session.")
          .doubleValue(TransactionHorizon::oldestTransactionSeconds),
      gauge("postgresql.xmin.age", "{transaction}", TransactionHorizon.class,
          "Age of the oldest xmin holding back vacuum, by holder.")
          .point(Attrs.XMIN_HOLDER, "backend", TransactionHorizon::backendXminAge)
          .point(Attrs.XMIN_HOLDER, "replication_slot", TransactionHorizon::replicationSlotXminAge)
          .point(Attrs.XMIN_HOLDER, "prepared_transaction", TransactionHorizon::preparedTransactionAge).build(),
      // pgintel's own: what learning the lines of code of top queries costs
      counter("pgintel.call_sites.reads", "{read}", CallSiteReads.class,
          "Stack reads of application threads running statements (call-site-samples), by outcome: counted (a line"
              + " caught), ended (the statement ended or another began during the read: counted for nothing), no_line"
              + " (no frame of the application's). Reported by the activity collector from the first read on.")
          .attributes(PostgresMetrics::callSites)
          .point(Attrs.OUTCOME, "counted", r -> r.reads().counted())
          .point(Attrs.OUTCOME, "ended", r -> r.reads().ended())
          .point(Attrs.OUTCOME, "no_line", r -> r.reads().noLine()).build(),
      counter("pgintel.call_sites.read.time", "s", CallSiteReads.class,
          "Time those reads took on pgintel's thread: what learning the lines of top queries costs.")
          .attributes(PostgresMetrics::callSites).doubleValue(r -> r.reads().readSeconds()),
      upDown("pgintel.call_sites.queries", "{query}", CallSiteReads.class,
          "Queries whose lines of code are known (at most 2,000; beyond that the least often seen are forgotten).")
          .attributes(PostgresMetrics::callSites).longValue(r -> r.reads().queries()));

  private static void callSites(CallSiteReads r, AttributesBuilder b) {
    b.put(Attrs.DB_NAMESPACE, r.database());
  }

  private static void database(DatabaseStats r, AttributesBuilder b) {
    b.put(Attrs.DB_NAMESPACE, r.database());
  }

  private static Function<ActiveSessions, Double> dimension(String name) {
    return r -> r.dimension().equals(name) ? r.average() : null;
  }

  private static void querySeries(QuerySeries r, AttributesBuilder b) {
    b.put(Attrs.DB_NAMESPACE, r.database());
    b.put(Attrs.DB_QUERY_SUMMARY, r.summary());
  }

  private static void connectionGroup(ConnectionGroup g, AttributesBuilder b) {
    putIfPresent(b, Attrs.DB_NAMESPACE, g.database());
    putIfPresent(b, Attrs.STATE, g.state());
    putIfPresent(b, Attrs.APPLICATION_NAME, g.application());
    putIfPresent(b, Attrs.USER_NAME, g.user());
    putIfPresent(b, Attrs.BACKEND_TYPE, g.backendType());
    putIfPresent(b, Attrs.WAIT_EVENT_TYPE, g.waitEventType());
  }

  private static void putIfPresent(AttributesBuilder b, io.opentelemetry.api.common.AttributeKey<String> key,
      String value) {
    if (!value.isEmpty()) {
      b.put(key, value);
    }
  }

  private static <T extends Number> Function<DatabaseStats, T> sessions(Function<DatabaseStats.Sessions, T> f) {
    return r -> r.sessions() == null ? null : f.apply(r.sessions());
  }

  private static Double seconds(Double ms) {
    return ms == null ? null : ms / 1000.0;
  }
}
