package io.pgintel;

import io.pgintel.internal.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * One pgintel setting as users write it: the key (the same in builder calls, {@code -D} system properties,
 * {@code PGINTEL_*} environment variables and Spring properties), what it takes, its default and its range.
 * Keys containing {@code <collector>} exist once per collector.
 */
public record Setting(String key, Type type, String defaultValue, String min, String max, Tier tier,
    String description) {

  /** How often users need a setting; the README lists them in these groups. */
  public enum Tier {
    ESSENTIAL, FREQUENT, RARE
  }

  /** What a setting's value is. */
  public enum Type {
    BOOLEAN, DURATION
  }

  public static final String COLLECTOR_ENABLED = "pgintel.collectors.<collector>.enabled";
  public static final String COLLECTOR_INTERVAL = "pgintel.collectors.<collector>.interval";

  public static final Setting ENABLED = new Setting("pgintel.enabled", Type.BOOLEAN, "true", null, null,
      Tier.ESSENTIAL, "Master switch. When false, start() does nothing and no connection is borrowed.");
  public static final Setting COLLECTOR_ENABLED_SETTING = new Setting(COLLECTOR_ENABLED, Type.BOOLEAN, "true", null,
      null, Tier.ESSENTIAL, "Turns one collector on or off (collectors are listed under Metrics).");
  public static final Setting COLLECTOR_INTERVAL_SETTING = new Setting(COLLECTOR_INTERVAL, Type.DURATION,
      "per collector", "100ms", "24h", Tier.ESSENTIAL,
      "How often one collector reads its views. Ticks are aligned to the interval; a collection never overlaps itself.");
  public static final Setting STATEMENT_TIMEOUT = new Setting("pgintel.session.statement-timeout", Type.DURATION,
      "2s", "10ms", "10m", Tier.FREQUENT,
      "SET LOCAL statement_timeout of every collection: a slower query is cancelled by the server and counted.");
  public static final Setting LOCK_TIMEOUT = new Setting("pgintel.session.lock-timeout", Type.DURATION, "100ms",
      "1ms", "1m", Tier.FREQUENT, "SET LOCAL lock_timeout of every collection: pgintel never queues behind a lock.");
  public static final Setting BORROW_TIMEOUT = new Setting("pgintel.session.borrow-timeout", Type.DURATION, "1s",
      "1ms", "1m", Tier.FREQUENT,
      "Longest wait for a pool connection; when the pool has none free the tick is skipped and counted.");
  public static final Setting MAX_BACKOFF = new Setting("pgintel.backoff.max", Type.DURATION, "5m", "1s", "24h",
      Tier.RARE, "Longest pause of a failing collector; pauses double from its interval up to this.");

  /** Every setting, in README order. */
  public static final List<Setting> ALL = List.of(ENABLED, COLLECTOR_ENABLED_SETTING, COLLECTOR_INTERVAL_SETTING,
      STATEMENT_TIMEOUT, LOCK_TIMEOUT, BORROW_TIMEOUT, MAX_BACKOFF);

  /** The environment variable for this key: {@code PGINTEL_SESSION_STATEMENT_TIMEOUT}. */
  public String environmentVariable() {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** Parses and range-checks a value given for {@code key}; messages name the key and what is allowed. */
  Object parse(String key, Object value) {
    return switch (type) {
      case BOOLEAN -> parseBoolean(key, value);
      case DURATION -> parseDuration(key, value);
    };
  }

  private static Boolean parseBoolean(String key, Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    String s = String.valueOf(value).trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true", "yes", "on", "1" -> Boolean.TRUE;
      case "false", "no", "off", "0" -> Boolean.FALSE;
      default -> throw new IllegalArgumentException(key + ": '" + value + "' is not a boolean; use true or false");
    };
  }

  private Duration parseDuration(String key, Object value) {
    Duration d;
    if (value instanceof Duration given) {
      d = given;
    } else {
      try {
        d = Durations.parse(String.valueOf(value));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ": " + e.getMessage());
      }
    }
    Duration lo = Durations.parse(min);
    Duration hi = Durations.parse(max);
    if (d.compareTo(lo) < 0 || d.compareTo(hi) > 0) {
      throw new IllegalArgumentException(key + ": " + (d.isNegative() ? "-" + Durations.format(d.negated()) : Durations.format(d))
          + " is out of range; allowed from " + min + " to " + max);
    }
    return d;
  }
}
