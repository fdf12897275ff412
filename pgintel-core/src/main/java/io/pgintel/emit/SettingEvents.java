package io.pgintel.emit;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.pgintel.collect.settings.SettingChange;
import io.pgintel.collect.settings.SettingsSnapshot;
import java.util.List;

/**
 * {@code db.server.settings} (the configuration as first read) and {@code db.server.setting_change} events.
 *
 * <p>The snapshot's settings are its body, one {@code name = value} line each, rather than an attribute each: a
 * configured server has more of them than the SDK's default limit of 128 attributes on a log record, which would
 * drop the rest without a word.
 */
final class SettingEvents {

  static final String SETTINGS = "db.server.settings";
  static final String SETTING_CHANGE = "db.server.setting_change";

  static final AttributeKey<String> NAME = AttributeKey.stringKey("postgresql.setting.name");
  static final AttributeKey<String> CHANGE = AttributeKey.stringKey("postgresql.setting.change");
  static final AttributeKey<String> OLD_VALUE = AttributeKey.stringKey("postgresql.setting.old_value");
  static final AttributeKey<String> NEW_VALUE = AttributeKey.stringKey("postgresql.setting.new_value");
  static final AttributeKey<String> UNIT = AttributeKey.stringKey("postgresql.setting.unit");
  static final AttributeKey<String> CONTEXT = AttributeKey.stringKey("postgresql.setting.context");
  static final AttributeKey<String> SOURCE = AttributeKey.stringKey("postgresql.setting.source");
  static final AttributeKey<Boolean> PENDING_RESTART = AttributeKey.booleanKey("postgresql.setting.pending_restart");
  static final AttributeKey<Long> COUNT = AttributeKey.longKey("pgintel.settings.count");
  static final AttributeKey<List<String>> PENDING = AttributeKey.stringArrayKey("pgintel.settings.pending_restart");
  static final AttributeKey<Long> CHANGES = AttributeKey.longKey("pgintel.settings.changes");

  private final Logger logger;
  private final AttributeGuard guard;

  SettingEvents(Logger logger, AttributeGuard guard) {
    this.logger = logger;
    this.guard = guard;
  }

  void emit(SettingsSnapshot s, Attributes common) {
    AttributesBuilder b = common.toBuilder();
    b.put(COUNT, (long) s.settings().size());
    if (!s.pendingRestart().isEmpty()) {
      b.put(PENDING, s.pendingRestart());
    }
    if (s.changes() > 0) {
      b.put(CHANGES, (long) s.changes());
    }
    StringBuilder body = new StringBuilder();
    s.settings().forEach((name, value) -> body.append(name).append(" = ").append(value).append('\n'));
    logger.logRecordBuilder().setEventName(SETTINGS).setSeverity(Severity.INFO)
        .setAllAttributes(guard.guard(b.build())).setBody(guard.text(null, body.toString())).emit();
  }

  void emit(SettingChange c, Attributes common) {
    AttributesBuilder b = common.toBuilder();
    b.put(NAME, c.name());
    b.put(CHANGE, c.change());
    if (c.oldValue() != null) {
      b.put(OLD_VALUE, c.oldValue());
    }
    if (c.newValue() != null) {
      b.put(NEW_VALUE, c.newValue());
    }
    if (!c.unit().isEmpty()) {
      b.put(UNIT, c.unit());
    }
    if (c.context() != null) {
      b.put(CONTEXT, c.context());
    }
    if (c.source() != null) {
      b.put(SOURCE, c.source());
    }
    b.put(PENDING_RESTART, c.pendingRestart());
    logger.logRecordBuilder().setEventName(SETTING_CHANGE).setSeverity(Severity.INFO)
        .setAllAttributes(guard.guard(b.build())).setBody(guard.text(null, describe(c))).emit();
  }

  /** One readable line: {@code work_mem changed from 4MB to 64MB (configuration file)}. */
  static String describe(SettingChange c) {
    String what = switch (c.change()) {
      case SettingChange.PENDING_RESTART -> c.name() + " was changed in the configuration and waits for a restart"
          + " (now " + c.newValue() + ")";
      case SettingChange.SET -> c.name() + " set to " + c.newValue();
      case SettingChange.RESET -> c.name() + " reset (was " + c.oldValue() + ")";
      default -> c.name() + " changed from " + c.oldValue() + " to " + c.newValue()
          + (c.pendingRestart() ? ", and waits for a restart for a further change" : "");
    };
    return c.source() == null ? what : what + " (" + c.source() + ")";
  }
}
