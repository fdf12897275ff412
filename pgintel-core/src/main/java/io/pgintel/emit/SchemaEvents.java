package io.pgintel.emit;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.pgintel.collect.schema.SchemaChange;
import io.pgintel.collect.schema.SchemaSummary;

/**
 * {@code db.server.schema_change} events: a table or index of the monitored database created, dropped, altered,
 * renamed, attached as a partition or detached from one.
 */
final class SchemaEvents {

  static final String SCHEMA_CHANGE = "db.server.schema_change";

  static final AttributeKey<String> CHANGE = AttributeKey.stringKey("postgresql.schema.change");
  static final AttributeKey<String> KIND = Attrs.RELATION_KIND;
  static final AttributeKey<String> OLD_NAME = AttributeKey.stringKey("postgresql.relation.old_name");
  static final AttributeKey<String> PARENT = AttributeKey.stringKey("postgresql.partition.parent");
  static final AttributeKey<Long> UNTOLD = AttributeKey.longKey("pgintel.schema.untold");

  private final Logger logger;
  private final AttributeGuard guard;

  SchemaEvents(Logger logger, AttributeGuard guard) {
    this.logger = logger;
    this.guard = guard;
  }

  void emit(SchemaChange c, Attributes common) {
    AttributesBuilder b = common.toBuilder();
    b.put(Attrs.DB_NAMESPACE, c.database());
    boolean index = c.table() != null;
    b.put(Attrs.DB_COLLECTION_NAME, index ? c.table() : c.relation());
    if (index) {
      b.put(Attrs.INDEX_NAME, c.relation());
    }
    b.put(KIND, c.kind());
    b.put(CHANGE, c.change());
    if (c.oldName() != null) {
      b.put(OLD_NAME, c.oldName());
    }
    if (c.parent() != null) {
      b.put(PARENT, c.parent());
    }
    logger.logRecordBuilder().setEventName(SCHEMA_CHANGE).setSeverity(Severity.INFO)
        .setAllAttributes(guard.guard(b.build())).setBody(guard.text(null, describe(c))).emit();
  }

  /** The changes of one reading beyond those told one by one, as one event that counts them. */
  void emit(SchemaSummary s, Attributes common) {
    if (s.untold() == 0) {
      return;
    }
    AttributesBuilder b = common.toBuilder();
    b.put(Attrs.DB_NAMESPACE, s.database());
    b.put(CHANGE, "more");
    b.put(UNTOLD, s.untold());
    logger.logRecordBuilder().setEventName(SCHEMA_CHANGE).setSeverity(Severity.INFO)
        .setAllAttributes(guard.guard(b.build()))
        .setBody(s.untold() + " more changes to tables and indexes since the last reading").emit();
  }

  /** One readable line: {@code index items_v_idx created on public.items}. */
  static String describe(SchemaChange c) {
    String what = c.kind() + " " + c.relation() + " " + c.change();
    if (c.oldName() != null) {
      what += " from " + c.oldName();
    }
    if (c.change().equals(SchemaChange.ALTERED)) {
      what += c.table() != null ? " (its definition)" : " (its columns)";
    }
    if (c.parent() != null) {
      what += (c.change().equals(SchemaChange.ATTACHED) ? " to " : " from ") + c.parent();
    }
    return c.table() != null ? what + " on " + c.table() : what;
  }
}
