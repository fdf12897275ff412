package io.pgintel.emit;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.pgintel.collect.activity.ActivitySample;
import io.pgintel.collect.activity.BlockingChain;
import io.pgintel.collect.activity.LongTransaction;
import io.pgintel.collect.activity.QuerySample;
import io.pgintel.trace.TraceLink;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code db.server.query_sample}, {@code db.server.blocking_chain} and {@code db.server.long_transaction}
 * events. Each carries, as its log record's context, the application span the session served when pgintel knows
 * it, so that backends show the event on the trace; the line of code goes into {@code code.function} /
 * {@code code.namespace}. Query texts are the SQL engine's obfuscated ones only.
 */
final class ActivityEvents {

  static final String QUERY_SAMPLE = "db.server.query_sample";
  static final String BLOCKING_CHAIN = "db.server.blocking_chain";
  static final String LONG_TRANSACTION = "db.server.long_transaction";

  private static final AttributeKey<Long> PID = AttributeKey.longKey("postgresql.pid");
  private static final AttributeKey<String> WAIT_EVENT = AttributeKey.stringKey("postgresql.wait_event");
  static final AttributeKey<String> QUERY_ID = AttributeKey.stringKey("postgresql.query_id");
  private static final AttributeKey<String> PEER = AttributeKey.stringKey("network.peer.address");
  private static final AttributeKey<List<Long>> BLOCKING_PIDS = AttributeKey.longArrayKey("postgresql.blocking.pids");
  private static final AttributeKey<Double> DURATION = AttributeKey.doubleKey("pgintel.query.duration");
  private static final AttributeKey<Double> TRANSACTION_AGE = AttributeKey.doubleKey("pgintel.transaction.age");
  private static final AttributeKey<Double> STATE_DURATION = AttributeKey.doubleKey("pgintel.state.duration");
  private static final AttributeKey<Long> XID_AGE = AttributeKey.longKey("pgintel.transaction.xid_age");
  private static final AttributeKey<Long> XMIN_AGE = AttributeKey.longKey("pgintel.transaction.xmin_age");
  private static final AttributeKey<Long> WAITERS = AttributeKey.longKey("pgintel.blocking.waiters");
  private static final AttributeKey<Double> LONGEST = AttributeKey.doubleKey("pgintel.blocking.longest_wait");
  private static final AttributeKey<List<Long>> WAITER_PIDS = AttributeKey.longArrayKey("pgintel.blocking.waiter.pids");
  private static final AttributeKey<List<String>> WAITER_STATES =
      AttributeKey.stringArrayKey("pgintel.blocking.waiter.states");
  private static final AttributeKey<List<String>> WAITER_TEXTS =
      AttributeKey.stringArrayKey("pgintel.blocking.waiter.query_texts");
  private static final AttributeKey<List<String>> WAITER_SUMMARIES =
      AttributeKey.stringArrayKey("pgintel.blocking.waiter.query_summaries");
  private static final AttributeKey<List<String>> WAITER_LOCK_TYPES =
      AttributeKey.stringArrayKey("pgintel.blocking.waiter.lock_types");
  private static final AttributeKey<List<String>> WAITER_MODES =
      AttributeKey.stringArrayKey("pgintel.blocking.waiter.lock_modes");
  private static final AttributeKey<List<String>> WAITER_RELATIONS =
      AttributeKey.stringArrayKey("pgintel.blocking.waiter.relations");
  private static final AttributeKey<List<Double>> WAITER_WAITS =
      AttributeKey.doubleArrayKey("pgintel.blocking.waiter.wait_seconds");
  private static final AttributeKey<List<Long>> WAITER_BLOCKED_BY =
      AttributeKey.longArrayKey("pgintel.blocking.waiter.blocked_by");

  private final Logger logger;
  private final AttributeGuard guard;

  ActivityEvents(Logger logger, AttributeGuard guard) {
    this.logger = logger;
    this.guard = guard;
  }

  void emit(QuerySample sample, Attributes common) {
    ActivitySample s = sample.session();
    AttributesBuilder b = common.toBuilder();
    session(b, s, s.trace());
    if (!s.blockingPids().isEmpty()) {
      b.put(BLOCKING_PIDS, s.blockingPids().stream().map(Integer::longValue).toList());
    }
    logger.logRecordBuilder().setEventName(QUERY_SAMPLE).setSeverity(QueryEvents.severity(sample))
        .setContext(context(s.trace()))
        .setAllAttributes(guard.guard(b.build())).emit();
  }

  void emit(BlockingChain chain, Attributes common) {
    ActivitySample root = chain.root();
    AttributesBuilder b = common.toBuilder();
    session(b, root, root.trace());
    b.put(WAITERS, (long) chain.waiters().size());
    b.put(LONGEST, chain.longestWaitSeconds());
    List<Long> pids = new ArrayList<>();
    List<String> states = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    List<String> summaries = new ArrayList<>();
    List<String> types = new ArrayList<>();
    List<String> modes = new ArrayList<>();
    List<String> relations = new ArrayList<>();
    List<Double> waits = new ArrayList<>();
    List<Long> blockedBy = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    body.append(String.format(Locale.ROOT, "pid %d (%s%s) blocks %d session(s)", root.pid(),
        root.state() == null ? "state unknown" : root.state(),
        root.transactionAge() == null ? "" : String.format(Locale.ROOT, ", transaction open %.1f s",
            root.transactionAge()), chain.waiters().size()));
    for (BlockingChain.Waiter w : chain.waiters()) {
      ActivitySample s = w.session();
      pids.add((long) s.pid());
      states.add(s.state() == null ? "" : s.state());
      texts.add(s.query() == null ? "" : s.query().text());
      summaries.add(s.query() == null ? "" : s.query().summary());
      types.add(w.lockType());
      modes.add(w.mode());
      relations.add(w.relation() == null ? "" : w.relation());
      waits.add(w.waitSeconds());
      blockedBy.add(w.blockedBy().isEmpty() ? 0L : w.blockedBy().get(0));
      body.append(String.format(Locale.ROOT, "; pid %d waits %.1f s for %s on %s%s", s.pid(), w.waitSeconds(),
          w.mode(), w.lockType(), w.relation() == null ? "" : " (" + w.relation() + ")"));
    }
    b.put(WAITER_PIDS, pids).put(WAITER_STATES, states).put(WAITER_TEXTS, texts).put(WAITER_SUMMARIES, summaries)
        .put(WAITER_LOCK_TYPES, types).put(WAITER_MODES, modes).put(WAITER_RELATIONS, relations)
        .put(WAITER_WAITS, waits).put(WAITER_BLOCKED_BY, blockedBy);
    logger.logRecordBuilder().setEventName(BLOCKING_CHAIN).setSeverity(QueryEvents.severity(chain))
        .setContext(context(root.trace()))
        .setBody(guard.text(null, body.toString())).setAllAttributes(guard.guard(b.build())).emit();
  }

  void emit(LongTransaction transaction, Attributes common) {
    ActivitySample s = transaction.session();
    AttributesBuilder b = common.toBuilder();
    session(b, s, transaction.holder());
    if (!s.active()) {
      // the last statement's start, not a duration of anything running
      b.remove(DURATION);
    }
    if (s.stateAge() != null) {
      b.put(STATE_DURATION, s.stateAge());
    }
    if (s.xidAge() != null) {
      b.put(XID_AGE, s.xidAge());
    }
    if (s.xminAge() != null) {
      b.put(XMIN_AGE, s.xminAge());
    }
    String body = String.format(Locale.ROOT, "pid %d: transaction open %.1f s, %s%s", s.pid(), s.transactionAge(),
        s.state() == null ? "state unknown" : s.state(),
        s.stateAge() == null ? "" : String.format(Locale.ROOT, " for %.1f s", s.stateAge()));
    logger.logRecordBuilder().setEventName(LONG_TRANSACTION).setSeverity(QueryEvents.severity(transaction))
        .setContext(context(transaction.holder()))
        .setBody(guard.text(null, body)).setAllAttributes(guard.guard(b.build())).emit();
  }

  /**
   * What the receiver's query sample carries about a session, plus pgintel's query identity and the code location
   * of {@code link}.
   */
  private static void session(AttributesBuilder b, ActivitySample s, TraceLink link) {
    b.put(PID, (long) s.pid());
    put(b, Attrs.DB_NAMESPACE, s.database());
    put(b, Attrs.USER_NAME, s.user());
    put(b, Attrs.STATE, s.state());
    put(b, Attrs.APPLICATION_NAME, s.application());
    put(b, PEER, s.clientAddress());
    put(b, Attrs.WAIT_EVENT_TYPE, s.waitEventType());
    put(b, WAIT_EVENT, s.waitEvent());
    if (s.queryId() != null) {
      b.put(QUERY_ID, Long.toString(s.queryId()));
    }
    if (s.queryAge() != null) {
      b.put(DURATION, s.queryAge());
    }
    if (s.transactionAge() != null) {
      b.put(TRANSACTION_AGE, s.transactionAge());
    }
    if (s.query() != null) {
      b.put(Attrs.DB_QUERY_TEXT, s.query().text());
      put(b, Attrs.DB_QUERY_SUMMARY, s.query().summary());
      put(b, Attrs.DB_OPERATION_NAME, s.query().operation());
      put(b, Attrs.FINGERPRINT, s.query().fingerprint());
      if (s.query().truncated()) {
        b.put(Attrs.TRUNCATED, true);
      }
    }
    if (link != null) {
      Attrs.putCode(b, link.code());
    }
  }

  private static Context context(TraceLink link) {
    if (link == null || link.traceId() == null) {
      return Context.root();
    }
    SpanContext span = SpanContext.create(link.traceId(), link.spanId(), TraceFlags.getSampled(),
        TraceState.getDefault());
    return span.isValid() ? Context.root().with(Span.wrap(span)) : Context.root();
  }

  private static void put(AttributesBuilder b, AttributeKey<String> key, String value) {
    if (value != null && !value.isEmpty()) {
      b.put(key, value);
    }
  }
}
