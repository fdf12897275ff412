package io.pgintel.emit;

import static io.pgintel.emit.MetricDef.counter;
import static io.pgintel.emit.MetricDef.gauge;
import static io.pgintel.emit.MetricDef.upDown;

import io.opentelemetry.api.common.AttributesBuilder;
import io.pgintel.collect.functions.FunctionStats;
import io.pgintel.collect.io.IoStats;
import io.pgintel.collect.io.SlruStats;
import io.pgintel.collect.buffercache.BufferCacheSummary;
import io.pgintel.collect.buffercache.RelationBuffers;
import io.pgintel.collect.locks.LockCount;
import io.pgintel.collect.locks.TableLocks;
import io.pgintel.collect.schema.RedundantIndex;
import io.pgintel.collect.schema.SchemaSummary;
import io.pgintel.collect.schema.TablesWithoutPrimaryKey;
import io.pgintel.collect.schema.UnindexedForeignKey;
import io.pgintel.collect.tables.IndexStats;
import io.pgintel.collect.tables.SequenceUsage;
import io.pgintel.collect.tables.TableStats;
import io.pgintel.collect.tables.PartitionedTable;
import io.pgintel.collect.tables.TablesSummary;
import io.pgintel.collect.vacuum.DatabaseAge;
import io.pgintel.collect.vacuum.MaintenanceProgress;
import io.pgintel.collect.vacuum.TransactionIds;
import java.util.List;

/** Tables, indexes, vacuum and wraparound, maintenance progress and locks: the server health metrics. */
final class HealthMetrics {

  private HealthMetrics() {}

  static final List<MetricDef<?>> ALL = List.of(
      // pg_stat_user_tables and sizes
      upDown("postgresql.table.count", "{table}", TablesSummary.class,
          "User tables and materialized views in the database (partitioned tables, which hold no rows, left out).")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database())).longValue(TablesSummary::tables),
      upDown("postgresql.partitioned_table.partitions", "{partition}", PartitionedTable.class,
          "Leaf partitions with storage of a partitioned table, at any depth (foreign ones left out; the 100 largest "
              + "partitioned tables).")
          .attributes(HealthMetrics::partitioned).longValue(PartitionedTable::partitions),
      upDown("postgresql.partitioned_table.rows", "1", PartitionedTable.class,
          "Live and dead rows of a partitioned table's leaf partitions (estimates kept by the server).")
          .attributes(HealthMetrics::partitioned)
          .point(Attrs.ROW_STATE, "live", PartitionedTable::liveRows)
          .point(Attrs.ROW_STATE, "dead", PartitionedTable::deadRows).build(),
      upDown("postgresql.partitioned_table.size", "By", PartitionedTable.class,
          "Main forks of a partitioned table's leaf partitions, from the catalog (relpages, as of their last vacuum"
              + " or analyze).")
          .attributes(HealthMetrics::partitioned).longValue(PartitionedTable::bytes),
      upDown("postgresql.table.size.skipped", "{table}", TablesSummary.class,
          "Reported tables whose size was not read because an ACCESS EXCLUSIVE lock was held or waited for.")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database())).longValue(TablesSummary::sizeSkipped),
      upDown("postgresql.sequence.unread", "{sequence}", TablesSummary.class,
          "Sequences that could end but were not read: beyond the 100 with the narrowest ranges read a collection.")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database())).longValue(TablesSummary::sequencesUnread),
      upDown("postgresql.table.size", "By", TableStats.class, "Disk space of the table's main fork.")
          .attributes(HealthMetrics::table).longValue(TableStats::tableBytes),
      upDown("postgresql.table.toast.size", "By", TableStats.class, "Disk space of the table's TOAST data.")
          .attributes(HealthMetrics::table).longValue(TableStats::toastBytes),
      upDown("postgresql.table.indexes.size", "By", TableStats.class, "Disk space of the table's indexes.")
          .attributes(HealthMetrics::table).longValue(TableStats::indexBytes),
      gauge("postgresql.table.bloat", "By", TableStats.class,
          "Estimated space beyond what the live rows need, from catalog statistics.")
          .attributes(HealthMetrics::table).longValue(TableStats::bloatBytes),
      upDown("postgresql.rows", "1", TableStats.class, "Live and dead rows (estimates kept by the server).")
          .attributes(HealthMetrics::table)
          .point(Attrs.ROW_STATE, "live", TableStats::liveRows)
          .point(Attrs.ROW_STATE, "dead", TableStats::deadRows).build(),
      counter("postgresql.operations", "1", TableStats.class, "Rows inserted, updated, deleted and HOT-updated, and "
          + "updated onto another page (newpage_upd, PostgreSQL 16+: no room left on the row's page, never HOT).")
          .attributes(HealthMetrics::table)
          .point(Attrs.OPERATION, "ins", TableStats::inserted)
          .point(Attrs.OPERATION, "upd", TableStats::updated)
          .point(Attrs.OPERATION, "del", TableStats::deleted)
          .point(Attrs.OPERATION, "hot_upd", TableStats::hotUpdated)
          .point(Attrs.OPERATION, "newpage_upd", TableStats::newPageUpdated).build(),
      counter("postgresql.sequential_scans", "{sequential_scan}", TableStats.class, "Sequential scans of the table.")
          .attributes(HealthMetrics::table).longValue(TableStats::seqScans),
      counter("postgresql.table.index_scans", "{scan}", TableStats.class, "Index scans on the table's indexes.")
          .attributes(HealthMetrics::table).longValue(TableStats::indexScans),
      counter("postgresql.table.sequential_scan.rows", "{row}", TableStats.class,
          "Live rows read by sequential scans of the table (seq_tup_read).")
          .attributes(HealthMetrics::table).longValue(TableStats::seqRowsRead),
      gauge("postgresql.table.sequential_scan.age", "s", TableStats.class,
          "Time since the table was last read by a sequential scan (PostgreSQL 16+).")
          .attributes(HealthMetrics::table).doubleValue(TableStats::seqScanAgeSeconds),
      counter("postgresql.table.index_scan.rows", "{row}", TableStats.class,
          "Live rows fetched by index scans of the table (idx_tup_fetch).")
          .attributes(HealthMetrics::table).longValue(TableStats::indexRowsFetched),
      upDown("postgresql.table.inserts_since_vacuum", "{row}", TableStats.class,
          "Rows inserted since the table was last vacuumed: what triggers an insert autovacuum.")
          .attributes(HealthMetrics::table).longValue(TableStats::insertedSinceVacuum),
      counter("postgresql.blocks_read", "1", TableStats.class,
          "Blocks of the table, its indexes, its TOAST table and TOAST index read from the operating system or "
              + "found in shared buffers (pg_statio_user_tables).")
          .attributes(HealthMetrics::table)
          .point(Attrs.SOURCE, "heap_read", r -> r.blocks().heapRead())
          .point(Attrs.SOURCE, "heap_hit", r -> r.blocks().heapHit())
          .point(Attrs.SOURCE, "idx_read", r -> r.blocks().indexRead())
          .point(Attrs.SOURCE, "idx_hit", r -> r.blocks().indexHit())
          .point(Attrs.SOURCE, "toast_read", r -> r.blocks().toastRead())
          .point(Attrs.SOURCE, "toast_hit", r -> r.blocks().toastHit())
          .point(Attrs.SOURCE, "tidx_read", r -> r.blocks().toastIndexRead())
          .point(Attrs.SOURCE, "tidx_hit", r -> r.blocks().toastIndexHit()).build(),
      counter("postgresql.table.vacuum.count", "{vacuum}", TableStats.class, "Manual vacuums of the table.")
          .attributes(HealthMetrics::table).longValue(TableStats::vacuums),
      counter("postgresql.table.autovacuum.count", "{vacuum}", TableStats.class, "Autovacuums of the table.")
          .attributes(HealthMetrics::table).longValue(TableStats::autovacuums),
      counter("postgresql.table.analyze.count", "{analyze}", TableStats.class, "Manual analyzes of the table.")
          .attributes(HealthMetrics::table).longValue(TableStats::analyzes),
      counter("postgresql.table.autoanalyze.count", "{analyze}", TableStats.class, "Autoanalyzes of the table.")
          .attributes(HealthMetrics::table).longValue(TableStats::autoanalyzes),
      counter("postgresql.table.vacuum.time", "s", TableStats.class,
          "Time manual vacuums spent on the table (PostgreSQL 18+).")
          .attributes(HealthMetrics::table).doubleValue(t -> t.maintenanceTime().vacuumSeconds()),
      counter("postgresql.table.autovacuum.time", "s", TableStats.class,
          "Time autovacuums spent on the table (PostgreSQL 18+): which tables autovacuum is busy with.")
          .attributes(HealthMetrics::table).doubleValue(t -> t.maintenanceTime().autovacuumSeconds()),
      counter("postgresql.table.analyze.time", "s", TableStats.class,
          "Time manual analyzes spent on the table (PostgreSQL 18+).")
          .attributes(HealthMetrics::table).doubleValue(t -> t.maintenanceTime().analyzeSeconds()),
      counter("postgresql.table.autoanalyze.time", "s", TableStats.class,
          "Time autoanalyzes spent on the table (PostgreSQL 18+).")
          .attributes(HealthMetrics::table).doubleValue(t -> t.maintenanceTime().autoanalyzeSeconds()),
      gauge("postgresql.table.vacuum.age", "s", TableStats.class, "Time since the table was last vacuumed.")
          .attributes(HealthMetrics::table).doubleValue(TableStats::vacuumAgeSeconds),
      gauge("postgresql.table.analyze.age", "s", TableStats.class, "Time since the table was last analyzed.")
          .attributes(HealthMetrics::table).doubleValue(TableStats::analyzeAgeSeconds),
      upDown("postgresql.table.modifications_since_analyze", "{row}", TableStats.class,
          "Rows changed since the table was last analyzed.")
          .attributes(HealthMetrics::table).longValue(TableStats::modifiedSinceAnalyze),
      gauge("postgresql.table.frozen_xid.age", "{transaction}", TableStats.class,
          "Age of the table's relfrozenxid; autovacuum freezes it before autovacuum_freeze_max_age.")
          .attributes(HealthMetrics::table).longValue(TableStats::frozenXidAge),
      gauge("postgresql.table.vacuum.due", "1", TableStats.class,
          "Dead rows over the count that makes autovacuum vacuum the table (its storage parameters, else the "
              + "server's settings): above 1 it is due; staying above 1, autovacuum is behind or off.")
          .attributes(HealthMetrics::table).doubleValue(t -> t.autovacuum().vacuumDue()),
      gauge("postgresql.table.insert_vacuum.due", "1", TableStats.class,
          "Rows inserted since the last vacuum over the count that makes autovacuum vacuum the table (none when "
              + "insert vacuums are off): above 1 it is due.")
          .attributes(HealthMetrics::table).doubleValue(t -> t.autovacuum().insertVacuumDue()),
      gauge("postgresql.table.analyze.due", "1", TableStats.class,
          "Rows changed since the last analyze over the count that makes autovacuum analyze the table: above 1 "
              + "it is due, and the planner works from older statistics.")
          .attributes(HealthMetrics::table).doubleValue(t -> t.autovacuum().analyzeDue()),
      gauge("postgresql.table.autovacuum.disabled", "{table}", TableStats.class,
          "1 for a table whose autovacuum_enabled storage parameter is off (only such tables): only a manual or "
              + "an anti-wraparound vacuum reaches it.")
          .attributes(HealthMetrics::table).longValue(t -> t.autovacuum().disabled() ? 1L : null),

      // pg_class, for the schema collector
      upDown("postgresql.schema.relations", "{relation}", SchemaSummary.class,
          "Tables, partitioned tables, materialized views, foreign tables and indexes of the database, temporary "
              + "and system ones left out.")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database())).longValue(SchemaSummary::relations),
      upDown("postgresql.schema.unwatched", "{relation}", SchemaSummary.class,
          "Relations beyond the 20,000 the schema collector compares for changes.")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database())).longValue(SchemaSummary::unwatched),
      gauge("postgresql.foreign_key.unindexed", "{row}", UnindexedForeignKey.class,
          "A foreign key that no index of its table serves: the table's estimated rows, which each delete or key "
              + "update in the referenced table scans (the 100 largest).")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database()).put(Attrs.DB_COLLECTION_NAME, r.table())
              .put(Attrs.CONSTRAINT_NAME, r.constraint()).put(Attrs.FOREIGN_KEY_REFERENCES, r.references()))
          .longValue(UnindexedForeignKey::rows),
      gauge("postgresql.index.redundant", "By", RedundantIndex.class,
          "A B-tree index whose key columns lead another index of its table (same order, operator classes, "
              + "collations; not unique, partial or on expressions): its size, which every write still maintains "
              + "(the 100 largest).")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database()).put(Attrs.DB_COLLECTION_NAME, r.table())
              .put(Attrs.INDEX_NAME, r.index()).put(Attrs.INDEX_COVERED_BY, r.coveredBy()))
          .longValue(RedundantIndex::bytes),
      upDown("postgresql.table.no_primary_key", "{table}", TablesWithoutPrimaryKey.class,
          "Tables and partitioned tables without a primary key (partitions left out).")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database())).longValue(TablesWithoutPrimaryKey::tables),

      // pg_stat_user_indexes
      counter("postgresql.index.scans", "{scans}", IndexStats.class, "Scans of the index.")
          .attributes(HealthMetrics::index).longValue(IndexStats::scans),
      gauge("postgresql.index.size", "By", IndexStats.class, "Disk space of the index.")
          .attributes(HealthMetrics::index).longValue(IndexStats::bytes),
      counter("postgresql.index.tuples.read", "{tuple}", IndexStats.class, "Index entries returned by scans.")
          .attributes(HealthMetrics::index).longValue(IndexStats::tuplesRead),
      counter("postgresql.index.tuples.fetched", "{tuple}", IndexStats.class,
          "Live table rows fetched by simple index scans.")
          .attributes(HealthMetrics::index).longValue(IndexStats::tuplesFetched),
      counter("postgresql.index.blocks_read", "1", IndexStats.class,
          "Blocks of the index read from the operating system or found in shared buffers (pg_statio_user_indexes).")
          .attributes(HealthMetrics::index)
          .point(Attrs.SOURCE, "idx_read", IndexStats::blocksRead)
          .point(Attrs.SOURCE, "idx_hit", IndexStats::blocksHit).build(),
      gauge("postgresql.index.scan.age", "s", IndexStats.class,
          "Time since the index was last scanned (PostgreSQL 16+): an index unused for months, even with scans "
              + "counted long ago.")
          .attributes(HealthMetrics::index).doubleValue(IndexStats::scanAgeSeconds),
      gauge("postgresql.index.unused", "{index}", IndexStats.class,
          "1 for an index never scanned since statistics were reset and backing no constraint (only such indexes).")
          .attributes(HealthMetrics::index).longValue(r -> r.unused() ? 1L : null),
      gauge("postgresql.index.bloat", "By", IndexStats.class,
          "Estimated space of a B-tree index beyond what its rows need at its fill factor, from catalog "
              + "statistics (none for other index types and expression indexes).")
          .attributes(HealthMetrics::index).longValue(IndexStats::bloatBytes),
      gauge("postgresql.index.invalid", "{index}", IndexStats.class,
          "1 for an invalid index, e.g. a failed concurrent build (only such indexes).")
          .attributes(HealthMetrics::index).longValue(r -> r.invalid() ? 1L : null),

      // pg_sequences
      gauge("postgresql.sequence.usage", "1", SequenceUsage.class,
          "Share of a sequence's range used, by the narrower of its bounds and its integer column's (0 to 1).")
          .attributes(HealthMetrics::sequence).doubleValue(SequenceUsage::used),
      gauge("postgresql.sequence.remaining", "{value}", SequenceUsage.class,
          "Values a sequence can still give before nextval() fails or its column overflows.")
          .attributes(HealthMetrics::sequence).longValue(SequenceUsage::remaining),

      // wraparound, maintenance progress
      gauge("postgresql.database.frozen_xid.age", "{transaction}", DatabaseAge.class,
          "age(datfrozenxid): transaction IDs since the database's oldest unfrozen one.")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database())).longValue(DatabaseAge::xidAge),
      gauge("postgresql.database.frozen_mxid.age", "{multixact}", DatabaseAge.class,
          "mxid_age(datminmxid): multixact IDs since the database's oldest one.")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database())).longValue(DatabaseAge::mxidAge),
      gauge("postgresql.database.wraparound.remaining", "{transaction}", DatabaseAge.class,
          "Transaction IDs left before the server refuses new ones: 2^31 - 1 - age, less the 3 million it keeps back "
              + "(1 million before PostgreSQL 14).")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database())).longValue(DatabaseAge::xidRemaining),
      gauge("postgresql.autovacuum.freeze_max_age", "{transaction}", DatabaseAge.class,
          "autovacuum_freeze_max_age: the age at which autovacuum forces a freeze.")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database())).longValue(DatabaseAge::freezeMaxAge),
      gauge("postgresql.autovacuum.multixact_freeze_max_age", "{multixact}", DatabaseAge.class,
          "autovacuum_multixact_freeze_max_age: the multixact age at which autovacuum forces a freeze.")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database()))
          .longValue(DatabaseAge::multixactFreezeMaxAge),
      counter("postgresql.transaction.ids", "{transaction}", TransactionIds.class,
          "The server's transaction ID counter (64 bits, never wraps): its rate is how fast transaction IDs are "
              + "consumed.")
          .longValue(TransactionIds::next),
      gauge("postgresql.maintenance.progress", "1", MaintenanceProgress.class,
          "Share of the current phase done by a running vacuum, analyze, index build or cluster (0 to 1), by the "
              + "measure that phase advances; none in a phase without one.")
          .attributes(HealthMetrics::maintenance).doubleValue(MaintenanceProgress::fraction),
      gauge("postgresql.maintenance.duration", "s", MaintenanceProgress.class,
          "How long a running vacuum, analyze, index build or cluster has been running, in every phase.")
          .attributes(HealthMetrics::maintenance).doubleValue(MaintenanceProgress::runningSeconds),
      gauge("postgresql.maintenance.index_passes", "{pass}", MaintenanceProgress.class,
          "Passes a running vacuum has made over the table's indexes; one made while the heap is still scanned, or "
              + "more than one, means its dead tuple memory (maintenance_work_mem, autovacuum_work_mem) filled before "
              + "the heap was scanned.")
          .attributes(HealthMetrics::maintenance).longValue(MaintenanceProgress::indexPasses),
      gauge("postgresql.maintenance.dead_tuple_memory", "1", MaintenanceProgress.class,
          "Share of a running vacuum's dead tuple memory used (0 to 1); when full, it stops scanning the heap to "
              + "vacuum the indexes.")
          .attributes(HealthMetrics::maintenance).doubleValue(MaintenanceProgress::deadMemoryShare),
      gauge("postgresql.autovacuum.max_workers", "{worker}", TransactionIds.class,
          "autovacuum_max_workers: the most tables autovacuum works on at once; the connections collector counts "
              + "the autovacuum workers running.")
          .longValue(r -> (long) r.autovacuumMaxWorkers()),

      // pg_buffercache (opt-in)
      upDown("postgresql.buffercache.buffers", "{buffer}", BufferCacheSummary.class,
          "Shared buffers used (holding a page) and unused, from pg_buffercache.")
          .point(Attrs.BUFFER_STATE, "used", BufferCacheSummary::used)
          .point(Attrs.BUFFER_STATE, "unused", BufferCacheSummary::unused).build(),
      upDown("postgresql.buffercache.dirty", "{buffer}", BufferCacheSummary.class,
          "Shared buffers written to but not yet written out.")
          .longValue(BufferCacheSummary::dirty),
      upDown("postgresql.buffercache.pinned", "{buffer}", BufferCacheSummary.class,
          "Shared buffers a backend holds pinned right now.")
          .longValue(BufferCacheSummary::pinned),
      gauge("postgresql.buffercache.usage_count.average", "1", BufferCacheSummary.class,
          "Average usage count of the used shared buffers (0 to 5): near 5, with no unused buffer left, the cache "
              + "is hot and each page read evicts a page in use.")
          .doubleValue(BufferCacheSummary::usageCountAverage),
      upDown("postgresql.relation.buffers", "{buffer}", RelationBuffers.class,
          "Shared buffers holding pages of a relation of the monitored database, its free space and visibility "
              + "maps included (the 50 with the most).")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database()).put(Attrs.RELATION_NAME, r.relation())
              .put(Attrs.RELATION_KIND, r.kind()))
          .longValue(RelationBuffers::buffers),

      // pg_stat_io (16+), pg_stat_slru
      counter("postgresql.io.operations", "{operation}", IoStats.class,
          "I/O operations by backend type, object, context and operation (PostgreSQL 16+).")
          .attributes(HealthMetrics::io)
          .point(Attrs.IO_OPERATION, "read", IoStats::reads)
          .point(Attrs.IO_OPERATION, "write", IoStats::writes)
          .point(Attrs.IO_OPERATION, "writeback", IoStats::writebacks)
          .point(Attrs.IO_OPERATION, "extend", IoStats::extends_)
          .point(Attrs.IO_OPERATION, "hit", IoStats::hits)
          .point(Attrs.IO_OPERATION, "eviction", IoStats::evictions)
          .point(Attrs.IO_OPERATION, "reuse", IoStats::reuses)
          .point(Attrs.IO_OPERATION, "fsync", IoStats::fsyncs).build(),
      counter("postgresql.io.bytes", "By", IoStats.class,
          "Bytes read, written and extended by backend type, object and context (PostgreSQL 16+).")
          .attributes(HealthMetrics::io)
          .point(Attrs.IO_OPERATION, "read", IoStats::readBytes)
          .point(Attrs.IO_OPERATION, "write", IoStats::writeBytes)
          .point(Attrs.IO_OPERATION, "extend", IoStats::extendBytes).build(),
      counter("postgresql.io.time", "s", IoStats.class,
          "Time spent in I/O by backend type, object, context and operation (needs track_io_timing; 16+).")
          .attributes(HealthMetrics::io).ofDoubles()
          .point(Attrs.IO_OPERATION, "read", r -> seconds(r.readTimeMs()))
          .point(Attrs.IO_OPERATION, "write", r -> seconds(r.writeTimeMs()))
          .point(Attrs.IO_OPERATION, "writeback", r -> seconds(r.writebackTimeMs()))
          .point(Attrs.IO_OPERATION, "extend", r -> seconds(r.extendTimeMs()))
          .point(Attrs.IO_OPERATION, "fsync", r -> seconds(r.fsyncTimeMs())).build(),
      counter("postgresql.slru.operations", "{operation}", SlruStats.class,
          "Operations on each SLRU cache (commit log, multixact, subtransactions, ...).")
          .attributes((r, b) -> b.put(Attrs.SLRU_NAME, r.name()))
          .point(Attrs.SLRU_OPERATION, "zeroed", SlruStats::zeroed)
          .point(Attrs.SLRU_OPERATION, "hit", SlruStats::hit)
          .point(Attrs.SLRU_OPERATION, "read", SlruStats::read)
          .point(Attrs.SLRU_OPERATION, "written", SlruStats::written)
          .point(Attrs.SLRU_OPERATION, "exists", SlruStats::exists)
          .point(Attrs.SLRU_OPERATION, "flush", SlruStats::flushes)
          .point(Attrs.SLRU_OPERATION, "truncate", SlruStats::truncates).build(),

      // pg_stat_user_functions
      counter("postgresql.function.calls", "{call}", FunctionStats.class,
          "Calls of a user function (needs track_functions).")
          .attributes(HealthMetrics::function).longValue(FunctionStats::calls),
      counter("postgresql.function.total_time", "s", FunctionStats.class,
          "Time spent in a user function and everything it called.")
          .attributes(HealthMetrics::function).doubleValue(r -> seconds(r.totalTimeMs())),
      counter("postgresql.function.self_time", "s", FunctionStats.class,
          "Time spent in a user function itself, without the functions it called.")
          .attributes(HealthMetrics::function).doubleValue(r -> seconds(r.selfTimeMs())),

      // pg_locks
      gauge("postgresql.database.locks", "{lock}", LockCount.class,
          "Locks by database, lock type, mode and whether granted or waited for.")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database()).put(Attrs.LOCK_TYPE, r.lockType())
              .put(Attrs.LOCK_MODE, r.mode()).put(Attrs.LOCK_GRANTED, r.granted()))
          .longValue(LockCount::count),
      gauge("postgresql.table.locks", "{lock}", TableLocks.class,
          "Locks on a table of the monitored database or its rows: waits for the table (relation) or a row behind "
              + "another waiter (tuple), and table locks from SHARE UPDATE EXCLUSIVE up (vacuum, CREATE INDEX, "
              + "ALTER TABLE), granted or waited for.")
          .attributes((r, b) -> b.put(Attrs.DB_NAMESPACE, r.database()).put(Attrs.DB_COLLECTION_NAME, r.table())
              .put(Attrs.LOCK_TYPE, r.lockType()).put(Attrs.LOCK_MODE, r.mode()).put(Attrs.LOCK_GRANTED, r.granted()))
          .longValue(TableLocks::count));

  private static void partitioned(PartitionedTable r, AttributesBuilder b) {
    b.put(Attrs.DB_NAMESPACE, r.database()).put(Attrs.DB_COLLECTION_NAME, r.name());
  }

  private static void table(TableStats r, AttributesBuilder b) {
    b.put(Attrs.DB_NAMESPACE, r.database()).put(Attrs.DB_COLLECTION_NAME, r.name());
  }

  private static void io(IoStats r, AttributesBuilder b) {
    b.put(Attrs.BACKEND_TYPE, r.backendType()).put(Attrs.IO_OBJECT, r.object()).put(Attrs.IO_CONTEXT, r.context());
  }

  private static void function(FunctionStats r, AttributesBuilder b) {
    b.put(Attrs.DB_NAMESPACE, r.database()).put(Attrs.FUNCTION, r.function());
  }

  private static Double seconds(Double ms) {
    return ms == null ? null : ms / 1000.0;
  }

  private static void sequence(SequenceUsage r, AttributesBuilder b) {
    b.put(Attrs.DB_NAMESPACE, r.database()).put(Attrs.SEQUENCE_NAME, r.name());
  }

  private static void maintenance(MaintenanceProgress r, AttributesBuilder b) {
    b.put(Attrs.MAINTENANCE_KIND, r.kind()).put(Attrs.PID, (long) r.pid()).put(Attrs.DB_NAMESPACE, r.database())
        .put(Attrs.DB_COLLECTION_NAME, r.relation()).put(Attrs.MAINTENANCE_PHASE, r.phase())
        .put(Attrs.MAINTENANCE_STARTED_BY, r.startedBy());
  }

  private static void index(IndexStats r, AttributesBuilder b) {
    b.put(Attrs.DB_NAMESPACE, r.database()).put(Attrs.DB_COLLECTION_NAME, r.table())
        .put(Attrs.INDEX_NAME, r.name());
  }
}
