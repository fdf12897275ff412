package io.pgintel.emit;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.LogRecordBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.pgintel.collect.plans.PlanSkipped;
import io.pgintel.process.PlanChange;
import io.pgintel.process.QueryPlan;
import io.pgintel.sql.NormalizedQuery;
import io.pgintel.trace.CallSites;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code db.server.query_plan} and {@code db.server.plan_change} events.
 *
 * <p>A plan is its own event rather than attributes of {@code db.server.top_query}: the {@code plans} collector
 * runs on its own interval and explains a statement at most once an hour, so a plan would be on one top-query
 * event in sixty, and a top-query event would have to wait for, or remember, another collector's result. Both
 * events carry {@code postgresql.queryid} and {@code pgintel.query.fingerprint} to be joined on. A statement that
 * was not explained gets a {@code db.server.query_plan} event too, with {@code pgintel.plan.skipped_reason} and
 * no plan attributes, so that a user sees why it has no plan. Like the top query's, each event names the lines of
 * the application's code seen running the statement ({@code code.*}, {@code pgintel.code.locations}): a plan that
 * changed is told with the code it slows.
 */
final class PlanEvents {

  static final String QUERY_PLAN = "db.server.query_plan";
  static final String PLAN_CHANGE = "db.server.plan_change";

  static final AttributeKey<String> HASH = AttributeKey.stringKey("postgresql.plan.hash");
  static final AttributeKey<Double> TOTAL_COST = AttributeKey.doubleKey("postgresql.plan.total_cost");
  static final AttributeKey<Double> ROWS = AttributeKey.doubleKey("postgresql.plan.rows");
  static final AttributeKey<List<String>> NODE_TYPES = AttributeKey.stringArrayKey("postgresql.plan.node_types");
  static final AttributeKey<List<String>> SEQ_SCANS = AttributeKey.stringArrayKey("postgresql.plan.seq_scans");
  static final AttributeKey<List<String>> INDEX_SCANS = AttributeKey.stringArrayKey("postgresql.plan.index_scans");
  static final AttributeKey<Long> NESTED_LOOPS = AttributeKey.longKey("postgresql.plan.nested_loops");
  static final AttributeKey<Long> SORTS = AttributeKey.longKey("postgresql.plan.sorts");
  static final AttributeKey<Long> HASHES = AttributeKey.longKey("postgresql.plan.hashes");
  static final AttributeKey<Boolean> JIT = AttributeKey.booleanKey("postgresql.plan.jit");
  static final AttributeKey<Long> COMPLEXITY = AttributeKey.longKey("postgresql.plan.complexity");
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("pgintel.plan.method");
  static final AttributeKey<String> SKIPPED_REASON = AttributeKey.stringKey("pgintel.plan.skipped_reason");
  static final AttributeKey<Boolean> RETRIABLE = AttributeKey.booleanKey("pgintel.plan.retriable");
  static final AttributeKey<String> OLD_HASH = AttributeKey.stringKey("postgresql.plan.old_hash");
  static final AttributeKey<String> NEW_HASH = AttributeKey.stringKey("postgresql.plan.new_hash");
  static final AttributeKey<Double> OLD_TOTAL_COST = AttributeKey.doubleKey("postgresql.plan.old_total_cost");
  static final AttributeKey<Double> NEW_TOTAL_COST = AttributeKey.doubleKey("postgresql.plan.new_total_cost");

  private final Logger logger;
  private final AttributeGuard guard;

  PlanEvents(Logger logger, AttributeGuard guard) {
    this.logger = logger;
    this.guard = guard;
  }

  void emit(QueryPlan p, Attributes common) {
    AttributesBuilder b = query(common, p.database(), p.queryid(), p.query(), p.callSites());
    b.put(METHOD, p.method());
    b.put(HASH, p.hash());
    b.put(TOTAL_COST, p.totalCost());
    b.put(ROWS, p.planRows());
    List<String> types = new ArrayList<>();
    p.nodeTypes().forEach((type, n) -> types.add(type + "=" + n));
    b.put(NODE_TYPES, types);
    b.put(SEQ_SCANS, p.seqScans());
    b.put(INDEX_SCANS, p.indexScans());
    b.put(NESTED_LOOPS, (long) p.nestedLoops());
    b.put(SORTS, (long) p.sorts());
    b.put(HASHES, (long) p.hashes());
    b.put(JIT, p.jit());
    b.put(COMPLEXITY, (long) p.complexity());
    LogRecordBuilder record = logger.logRecordBuilder().setEventName(QUERY_PLAN).setSeverity(Severity.INFO)
        .setAllAttributes(guard.guard(b.build()));
    if (p.json() != null) {
      record.setBody(guard.text(null, p.json()));
    }
    record.emit();
  }

  void emit(PlanSkipped s, Attributes common) {
    AttributesBuilder b = query(common, s.database(), s.queryid(), s.query(), s.callSites());
    b.put(SKIPPED_REASON, s.reason());
    if (s.errorCode() != null) {
      b.put(Attrs.ERROR_TYPE, s.errorCode());
      b.put(RETRIABLE, s.retriable());
    }
    logger.logRecordBuilder().setEventName(QUERY_PLAN)
        .setSeverity(s.reason().equals(PlanSkipped.EXPLAIN_FAILED) ? Severity.WARN : Severity.INFO)
        .setAllAttributes(guard.guard(b.build())).emit();
  }

  void emit(PlanChange c, Attributes common) {
    AttributesBuilder b = query(common, c.database(), c.queryid(), c.query(), c.callSites());
    b.put(OLD_HASH, c.oldHash());
    b.put(NEW_HASH, c.newHash());
    b.put(OLD_TOTAL_COST, c.oldTotalCost());
    b.put(NEW_TOTAL_COST, c.newTotalCost());
    logger.logRecordBuilder().setEventName(PLAN_CHANGE).setSeverity(Severity.INFO)
        .setAllAttributes(guard.guard(b.build())).emit();
  }

  private static AttributesBuilder query(Attributes common, String database, long queryid, NormalizedQuery q,
      CallSites.Seen callSites) {
    AttributesBuilder b = common.toBuilder();
    b.put(Attrs.DB_NAMESPACE, database);
    b.put(Attrs.QUERYID, Long.toString(queryid));
    b.put(Attrs.DB_QUERY_TEXT, q.text());
    b.put(Attrs.FINGERPRINT, q.fingerprint());
    if (!q.summary().isEmpty()) {
      b.put(Attrs.DB_QUERY_SUMMARY, q.summary());
    }
    if (!q.operation().isEmpty()) {
      b.put(Attrs.DB_OPERATION_NAME, q.operation());
    }
    if (q.truncated()) {
      b.put(Attrs.TRUNCATED, true);
    }
    QueryEvents.callSites(b, callSites);
    return b;
  }
}
