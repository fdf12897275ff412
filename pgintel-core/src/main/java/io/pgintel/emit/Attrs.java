package io.pgintel.emit;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributesBuilder;
import io.pgintel.trace.CallSite;

/** Attribute keys pgintel emits: stable semantic conventions first, the Collector receiver's names otherwise. */
final class Attrs {

  static final AttributeKey<String> DB_SYSTEM_NAME = AttributeKey.stringKey("db.system.name");
  static final AttributeKey<String> DB_NAMESPACE = AttributeKey.stringKey("db.namespace");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> USER_NAME = AttributeKey.stringKey("user.name");
  static final AttributeKey<String> DB_QUERY_TEXT = AttributeKey.stringKey("db.query.text");
  static final AttributeKey<String> DB_QUERY_SUMMARY = AttributeKey.stringKey("db.query.summary");
  static final AttributeKey<String> DB_OPERATION_NAME = AttributeKey.stringKey("db.operation.name");
  static final AttributeKey<String> DB_COLLECTION_NAME = AttributeKey.stringKey("db.collection.name");
  static final AttributeKey<String> QUERYID = AttributeKey.stringKey("postgresql.queryid");
  static final AttributeKey<String> ROLNAME = AttributeKey.stringKey("postgresql.rolname");
  static final AttributeKey<Boolean> TOPLEVEL = AttributeKey.booleanKey("postgresql.toplevel");
  static final AttributeKey<Double> MEAN_EXEC_TIME = AttributeKey.doubleKey("postgresql.mean_exec_time");
  static final AttributeKey<String> FINGERPRINT = AttributeKey.stringKey("pgintel.query.fingerprint");
  static final AttributeKey<Long> RANK = AttributeKey.longKey("pgintel.query.rank");
  static final AttributeKey<Long> ENTRIES = AttributeKey.longKey("pgintel.query.entries");
  static final AttributeKey<Double> INTERVAL = AttributeKey.doubleKey("pgintel.interval");
  static final AttributeKey<Boolean> TRUNCATED = AttributeKey.booleanKey("pgintel.query.truncated");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> CODE_FUNCTION = AttributeKey.stringKey("code.function");
  static final AttributeKey<String> CODE_NAMESPACE = AttributeKey.stringKey("code.namespace");
  static final AttributeKey<Long> CODE_LINENO = AttributeKey.longKey("code.lineno");

  static final AttributeKey<String> STATE = AttributeKey.stringKey("postgresql.state");
  static final AttributeKey<String> APPLICATION_NAME = AttributeKey.stringKey("postgresql.application_name");
  static final AttributeKey<String> BACKEND_TYPE = AttributeKey.stringKey("postgresql.backend_type");
  static final AttributeKey<String> WAIT_EVENT_TYPE = AttributeKey.stringKey("postgresql.wait_event_type");
  static final AttributeKey<String> WAIT_EVENT = AttributeKey.stringKey("postgresql.wait_event");
  static final AttributeKey<String> XMIN_HOLDER = AttributeKey.stringKey("postgresql.xmin.holder");
  static final AttributeKey<String> CONFLICT_TYPE = AttributeKey.stringKey("postgresql.conflict.type");
  static final AttributeKey<String> SESSION_END = AttributeKey.stringKey("postgresql.session.end");
  static final AttributeKey<String> PARALLEL_WORKERS_STATE =
      AttributeKey.stringKey("postgresql.parallel_workers.state");
  /** Receiver name for a buffer write's source (bgwriter, checkpoints, backend, backend_fsync). */
  static final AttributeKey<String> SOURCE = AttributeKey.stringKey("source");
  /** Receiver name for checkpoint kinds (scheduled, requested) and duration kinds (write, sync). */
  static final AttributeKey<String> TYPE = AttributeKey.stringKey("type");

  static final AttributeKey<String> INDEX_NAME = AttributeKey.stringKey("postgresql.index.name");
  static final AttributeKey<String> RELATION_NAME = AttributeKey.stringKey("postgresql.relation.name");
  static final AttributeKey<String> RELATION_KIND = AttributeKey.stringKey("postgresql.relation.kind");
  static final AttributeKey<String> BUFFER_STATE = AttributeKey.stringKey("postgresql.buffercache.state");
  static final AttributeKey<String> INDEX_COVERED_BY = AttributeKey.stringKey("postgresql.index.covered_by");
  static final AttributeKey<String> CONSTRAINT_NAME = AttributeKey.stringKey("postgresql.constraint.name");
  static final AttributeKey<String> FOREIGN_KEY_REFERENCES =
      AttributeKey.stringKey("postgresql.foreign_key.references");
  /** Receiver name for a row's state (live, dead). */
  static final AttributeKey<String> ROW_STATE = AttributeKey.stringKey("state");
  /** Receiver name for an operation: a row operation (ins, upd, del, hot_upd) or a WAL lag (write, flush, replay). */
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("operation");
  /** Receiver names for pg_locks' lock type and mode. */
  static final AttributeKey<String> LOCK_TYPE = AttributeKey.stringKey("lock_type");
  static final AttributeKey<String> LOCK_MODE = AttributeKey.stringKey("mode");
  static final AttributeKey<Boolean> LOCK_GRANTED = AttributeKey.booleanKey("postgresql.lock.granted");
  static final AttributeKey<String> MAINTENANCE_KIND = AttributeKey.stringKey("postgresql.maintenance.kind");
  static final AttributeKey<String> MAINTENANCE_PHASE = AttributeKey.stringKey("postgresql.maintenance.phase");
  static final AttributeKey<String> MAINTENANCE_STARTED_BY =
      AttributeKey.stringKey("postgresql.maintenance.started_by");
  static final AttributeKey<Long> PID = AttributeKey.longKey("postgresql.pid");
  static final AttributeKey<String> IO_OBJECT = AttributeKey.stringKey("postgresql.io.object");
  static final AttributeKey<String> IO_CONTEXT = AttributeKey.stringKey("postgresql.io.context");
  static final AttributeKey<String> IO_OPERATION = AttributeKey.stringKey("postgresql.io.operation");
  static final AttributeKey<String> SLRU_NAME = AttributeKey.stringKey("postgresql.slru.name");
  static final AttributeKey<String> SLRU_OPERATION = AttributeKey.stringKey("postgresql.slru.operation");
  /** Receiver name for a function's name. */
  static final AttributeKey<String> FUNCTION = AttributeKey.stringKey("function");

  static final AttributeKey<String> COLLECTOR = AttributeKey.stringKey("pgintel.collector");
  static final AttributeKey<String> SKIP_REASON = AttributeKey.stringKey("pgintel.skip.reason");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("pgintel.outcome");
  static final AttributeKey<String> CUSTOM_QUERY = AttributeKey.stringKey("pgintel.custom.query");
  static final AttributeKey<String> POSTGRESQL_VERSION = AttributeKey.stringKey("postgresql.version");
  static final AttributeKey<String> SEQUENCE_NAME = AttributeKey.stringKey("postgresql.sequence.name");
  static final AttributeKey<String> CACHE_RESULT = AttributeKey.stringKey("pgintel.cache.result");
  static final AttributeKey<String> CIRCUIT = AttributeKey.stringKey("pgintel.circuit");
  static final AttributeKey<String> PROCESSOR = AttributeKey.stringKey("pgintel.processor");
  static final AttributeKey<String> REASON = AttributeKey.stringKey("pgintel.reason");
  static final AttributeKey<String> PII_KIND = AttributeKey.stringKey("pgintel.pii.kind");

  /** Receiver name for a standby streaming from the server: {@code application_name@client_addr} in pgintel. */
  static final AttributeKey<String> REPLICATION_CLIENT = AttributeKey.stringKey("replication_client");
  static final AttributeKey<String> SYNC_STATE = AttributeKey.stringKey("postgresql.replication.sync_state");
  static final AttributeKey<String> SLOT_NAME = AttributeKey.stringKey("postgresql.replication_slot.name");
  static final AttributeKey<String> SUBSCRIPTION_NAME = AttributeKey.stringKey("postgresql.subscription.name");
  static final AttributeKey<String> SUBSCRIPTION_ERROR = AttributeKey.stringKey("postgresql.subscription.error");
  static final AttributeKey<String> SLOT_TYPE = AttributeKey.stringKey("postgresql.replication_slot.type");
  static final AttributeKey<String> SLOT_WAL_STATUS = AttributeKey.stringKey("postgresql.replication_slot.wal_status");
  static final AttributeKey<String> SLOT_INVALIDATION_REASON =
      AttributeKey.stringKey("postgresql.replication_slot.invalidation_reason");
  static final AttributeKey<String> WAL_RECEIVER_STATUS = AttributeKey.stringKey("postgresql.wal_receiver.status");

  private Attrs() {}

  /** {@code code.namespace}, {@code code.function} and {@code code.lineno} (when known) of a line of code. */
  static void putCode(AttributesBuilder b, CallSite site) {
    if (site != null) {
      b.put(CODE_NAMESPACE, site.namespace());
      b.put(CODE_FUNCTION, site.function());
      if (site.line() > 0) {
        b.put(CODE_LINENO, (long) site.line());
      }
    }
  }
}
