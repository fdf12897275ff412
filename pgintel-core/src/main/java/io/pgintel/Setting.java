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
    BOOLEAN, DURATION, INTEGER, CHOICE, CHOICES, PERCENT, TEXT,
    /** A SQL name, optionally schema-qualified ({@code pgintel.explain_dml}); empty for none. */
    SQL_NAME
  }

  public static final String COLLECTOR_ENABLED = "pgintel.collectors.<collector>.enabled";
  public static final String COLLECTOR_INTERVAL = "pgintel.collectors.<collector>.interval";
  /** Keys of one sampling rule start with this, then the rule's name. */
  public static final String RULE_PREFIX = "pgintel.sampler.rules.";
  /** Keys of one custom query start with this, then the query's name. */
  public static final String QUERY_PREFIX = "pgintel.queries.";

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
  public static final Setting EXHAUSTED_POOL_INTERVAL = new Setting("pgintel.session.exhausted-pool-interval",
      Type.DURATION, "10s", "100ms", "1h", Tier.FREQUENT,
      "Once the application's pool (HikariCP, DBCP 2, Tomcat JDBC, c3p0) is found with no idle connection and no"
      + " room for another, for this long a collector borrows at most this often; its ticks in between are skipped"
      + " and counted (pool_exhausted).");
  public static final Setting OWN_CONNECTION = new Setting("pgintel.session.own-connection", Type.CHOICE,
      "when-pool-exhausted", "when-pool-exhausted|true|false", null, Tier.FREQUENT,
      "when-pool-exhausted: while the application's pool has no connection to spare, collectors read through one"
      + " session of pgintel's own instead of borrowing (application_name pgintel, opened from the pool's"
      + " configuration, closed after 10 minutes unused); true: only ever through that session; false: only ever"
      + " borrow.");
  public static final Setting LEADER_ELECTION_ENABLED = new Setting("pgintel.leader-election.enabled", Type.BOOLEAN,
      "false", null, null, Tier.FREQUENT,
      "For an application that runs several instances: only the one that holds a PostgreSQL advisory lock (per"
      + " database and group) collects; the others stand by, their collectors STANDBY, and one takes over within"
      + " about an election interval of its end, so that each view is read and reported once.");
  public static final Setting LEADER_ELECTION_GROUP = new Setting("pgintel.leader-election.group", Type.TEXT,
      "pgintel", "1", "200", Tier.RARE,
      "Instances of one group (and database) elect one leader; give applications that should each report their"
      + " own a group each.");
  public static final Setting LEADER_ELECTION_INTERVAL = new Setting("pgintel.leader-election.interval",
      Type.DURATION, "15s", "1s", "10m", Tier.RARE,
      "How often an instance standing by tries for the lock (opening a session of pgintel's own to do so); the"
      + " leader checks three times as often that its session still holds it. About the longest time without a"
      + " leader.");
  public static final Setting MAX_BACKOFF = new Setting("pgintel.backoff.max", Type.DURATION, "5m", "1s", "24h",
      Tier.RARE, "Longest pause of a failing collector; pauses double from its interval up to this.");

  public static final Setting STATEMENTS_TOP_N = new Setting("pgintel.collectors.statements.top-n", Type.INTEGER,
      "50", "1", "1000", Tier.FREQUENT,
      "How many statements each interval reports as db.server.top_query events; the rest are folded into one 'other' event.");
  public static final Setting STATEMENTS_RANK_BY = new Setting("pgintel.collectors.statements.rank-by",
      Type.CHOICE, "total_exec_time", "total_exec_time|calls|rows|shared_blks_read|wal_bytes", null, Tier.RARE,
      "The interval delta that ranks statements for the top list.");
  public static final Setting STATEMENTS_GROUP_BY = new Setting("pgintel.collectors.statements.group-by",
      Type.CHOICE, "queryid", "queryid|fingerprint", null, Tier.RARE,
      "queryid: one entry per pg_stat_statements entry; fingerprint: entries whose text is the same query to pgintel"
          + " (IN lists of other lengths, other roles) are summed into one.");
  public static final Setting STATEMENTS_MAX_SERIES = new Setting("pgintel.collectors.statements.max-series",
      Type.INTEGER, "200", "1", "10000", Tier.RARE,
      "Most (database, query summary) series of the per-query metrics; later ones are counted in 'other'.");

  public static final Setting ACTIVITY_AGGREGATION = new Setting("pgintel.collectors.activity.aggregation-interval",
      Type.DURATION, "15s", "100ms", "1h", Tier.RARE,
      "Window over which activity samples are averaged into active-session metrics.");
  public static final Setting ACTIVITY_LONG_QUERY = new Setting("pgintel.collectors.activity.long-query-threshold",
      Type.DURATION, "1s", "10ms", "24h", Tier.FREQUENT,
      "A statement running longer than this is reported once as a db.server.query_sample event.");
  public static final Setting ACTIVITY_LOCK_WAIT = new Setting("pgintel.collectors.activity.lock-wait-threshold",
      Type.DURATION, "1s", "10ms", "24h", Tier.FREQUENT,
      "A session waiting on a lock longer than this makes its blocking chain a db.server.blocking_chain event.");
  public static final Setting ACTIVITY_LONG_TRANSACTION = new Setting(
      "pgintel.collectors.activity.long-transaction-threshold", Type.DURATION, "1m", "1s", "24h", Tier.FREQUENT,
      "A client session's transaction open longer than this is reported once as a db.server.long_transaction event.");
  public static final Setting ACTIVITY_CALL_SITES = new Setting(
      "pgintel.collectors.activity.call-site-samples", Type.INTEGER, "4", "0", "64", Tier.RARE,
      "Most statements, running in the application at an activity sample, whose thread's stack is read to learn"
          + " which line of code runs each query (db.server.top_query's code.*); a read stops the thread read (on"
          + " Java 17 and 18 the JVM, once a sample) for tens to hundreds of microseconds; 0 switches it off.");
  public static final Setting ACTIVITY_SAMPLES_PER_MINUTE = new Setting(
      "pgintel.collectors.activity.samples-per-minute", Type.INTEGER, "2", "1", "10000", Tier.RARE,
      "Most query samples per minute for one query (fingerprint); more executions of it are not reported.");

  public static final Setting PII_ENABLED = new Setting("pgintel.pii.enabled", Type.BOOLEAN, "true", null, null,
      Tier.FREQUENT, "Replaces personal data and secrets in every emitted string with [REDACTED:<kind>] and counts them.");
  public static final Setting PII_DETECTORS = new Setting("pgintel.pii.detectors", Type.CHOICES,
      "email,card,ssn,phone,iban,ip,jwt,bearer,cloud_key", "email|card|ssn|phone|iban|ip|jwt|bearer|cloud_key", null,
      Tier.RARE, "The detectors that run, comma separated; leave one out to switch it off.");

  public static final Setting SAMPLER_DEFAULT_RATE = new Setting("pgintel.sampler.default-rate", Type.PERCENT, "100",
      "0", "100", Tier.FREQUENT, "Percent of events kept that no sampling rule matches.");
  public static final Setting RULE_WHEN = new Setting(RULE_PREFIX + "<rule>.when", Type.TEXT, "", null, null,
      Tier.FREQUENT, "Condition of a sampling rule over event fields; required for each rule.");
  public static final Setting RULE_RATE = new Setting(RULE_PREFIX + "<rule>.rate", Type.PERCENT, "100", "0", "100",
      Tier.FREQUENT, "Percent of the events matching the rule that are kept.");
  public static final Setting RULE_PRIORITY = new Setting(RULE_PREFIX + "<rule>.priority", Type.INTEGER, "0",
      "-1000", "1000", Tier.FREQUENT, "Rules with a higher priority are tried first; the first match decides.");
  public static final Setting RULE_MAX_PER_MINUTE = new Setting(RULE_PREFIX + "<rule>.max-per-minute",
      Type.INTEGER, "0", "0", "1000000", Tier.FREQUENT, "Most events the rule keeps per minute; 0 for no cap.");
  public static final Setting SAMPLER_DEDUP_WINDOW = new Setting("pgintel.sampler.dedup-window", Type.DURATION,
      "10m", "0s", "24h", Tier.RARE, "How long an event's occurrence is remembered so that a duplicate is dropped.");

  public static final Setting CIRCUIT_ENABLED = new Setting("pgintel.circuit.enabled", Type.BOOLEAN, "true", null,
      null, Tier.FREQUENT, "Circuit breakers per collector and for the database.");
  public static final Setting CIRCUIT_FAILURES = new Setting("pgintel.circuit.failure-threshold", Type.INTEGER, "3",
      "1", "100", Tier.RARE, "Consecutive failed, timed-out or slow collections that open a collector's breaker.");
  public static final Setting CIRCUIT_SLOW_SHARE = new Setting("pgintel.circuit.slow-share", Type.PERCENT, "80", "1",
      "100", Tier.RARE, "A collection taking more than this percent of its interval counts like a failure.");
  public static final Setting CIRCUIT_PRESSURE = new Setting("pgintel.circuit.pressure-threshold", Type.PERCENT, "90",
      "1", "100", Tier.RARE,
      "Active sessions at this percent of the connections available open the database breaker; so do client "
          + "connections while pgintel's sessions open connections of their own (a DataSource that does not pool).");
  public static final Setting CIRCUIT_OPEN_DURATION = new Setting("pgintel.circuit.open-duration", Type.DURATION,
      "30s", "100ms", "1h", Tier.RARE, "First pause of an open breaker; it doubles after each failed probe.");
  public static final Setting CIRCUIT_STATE_FILE = new Setting("pgintel.circuit.state-file", Type.TEXT, "", null, null,
      Tier.RARE, "File that keeps open breakers across restarts.");

  public static final Setting VERIFY_ENABLED = new Setting("pgintel.verify.enabled", Type.BOOLEAN, "true", null, null,
      Tier.RARE, "Data-quality checks of every record before it is emitted.");
  public static final Setting MAX_SERIES_PER_METRIC = new Setting("pgintel.cardinality.max-series", Type.INTEGER,
      "2000", "10", "1000000", Tier.RARE, "Most series of one metric family; later ones are reported as other.");

  public static final Setting PLANS_HELPER_FUNCTION = new Setting("pgintel.collectors.plans.helper-function",
      Type.SQL_NAME, "", null, null, Tier.FREQUENT,
      "A SECURITY DEFINER function (text) returning the JSON plan of a statement, through which the plans collector"
          + " explains INSERT, UPDATE, DELETE and MERGE; without it DML is not explained.");
  public static final Setting PLANS_MAX_PER_INTERVAL = new Setting("pgintel.collectors.plans.max-per-interval",
      Type.INTEGER, "5", "1", "100", Tier.RARE, "Most statements the plans collector explains in one interval.");
  public static final Setting PLANS_REEXPLAIN_AFTER = new Setting("pgintel.collectors.plans.re-explain-after",
      Type.DURATION, "1h", "1s", "24h", Tier.RARE,
      "A statement is explained again at most this often; a plan change is seen at the next explain.");

  public static final Setting QUERY_SQL = new Setting(QUERY_PREFIX + "<query>.sql", Type.TEXT, "", null, null,
      Tier.FREQUENT, "A SELECT of the application's own, run like a collector (read-only, with the session's"
      + " timeouts) and reported as metrics postgresql.custom.<query>.<column>; required for each query.");
  public static final Setting QUERY_GAUGES = new Setting(QUERY_PREFIX + "<query>.gauges", Type.TEXT, "", null,
      null, Tier.FREQUENT, "Numeric columns of the query reported as gauges, comma separated; every column named"
      + " neither here nor in .counters is an attribute of them.");
  public static final Setting QUERY_COUNTERS = new Setting(QUERY_PREFIX + "<query>.counters", Type.TEXT, "", null,
      null, Tier.FREQUENT, "Numeric columns that only grow (totals since some start), reported as counters.");
  public static final Setting QUERY_INTERVAL = new Setting(QUERY_PREFIX + "<query>.interval", Type.DURATION, "60s",
      "1s", "24h", Tier.RARE, "How often the custom query runs.");
  public static final Setting QUERY_MAX_ROWS = new Setting(QUERY_PREFIX + "<query>.max-rows", Type.INTEGER, "100",
      "1", "10000", Tier.RARE, "Most rows of a custom query reported per run (series per metric); the rest are"
      + " counted in pgintel.custom.rows as dropped.");

  /** Every setting, in README order. */
  public static final List<Setting> ALL = List.of(ENABLED, COLLECTOR_ENABLED_SETTING, COLLECTOR_INTERVAL_SETTING,
      STATEMENT_TIMEOUT, LOCK_TIMEOUT, BORROW_TIMEOUT, EXHAUSTED_POOL_INTERVAL, OWN_CONNECTION,
      LEADER_ELECTION_ENABLED, STATEMENTS_TOP_N,
      ACTIVITY_LONG_QUERY, ACTIVITY_LOCK_WAIT, ACTIVITY_LONG_TRANSACTION, PII_ENABLED, SAMPLER_DEFAULT_RATE,
      RULE_WHEN, RULE_RATE, RULE_PRIORITY, RULE_MAX_PER_MINUTE, CIRCUIT_ENABLED, PLANS_HELPER_FUNCTION, QUERY_SQL,
      QUERY_GAUGES, QUERY_COUNTERS, MAX_BACKOFF, PII_DETECTORS, STATEMENTS_RANK_BY, STATEMENTS_GROUP_BY,
      STATEMENTS_MAX_SERIES, ACTIVITY_AGGREGATION, ACTIVITY_SAMPLES_PER_MINUTE, ACTIVITY_CALL_SITES,
      SAMPLER_DEDUP_WINDOW, CIRCUIT_FAILURES, CIRCUIT_SLOW_SHARE, CIRCUIT_PRESSURE, CIRCUIT_OPEN_DURATION,
      CIRCUIT_STATE_FILE, VERIFY_ENABLED, MAX_SERIES_PER_METRIC, PLANS_MAX_PER_INTERVAL, PLANS_REEXPLAIN_AFTER,
      QUERY_INTERVAL, QUERY_MAX_ROWS, LEADER_ELECTION_GROUP, LEADER_ELECTION_INTERVAL);

  /** Parses and range-checks a value given for {@code key}; messages name the key and what is allowed. */
  Object parse(String key, Object value) {
    return switch (type) {
      case BOOLEAN -> parseBoolean(key, value);
      case DURATION -> parseDuration(key, value);
      case INTEGER -> parseInteger(key, value);
      case CHOICE -> parseChoice(key, value);
      case CHOICES -> parseChoices(key, value);
      case PERCENT -> parsePercent(key, value);
      case TEXT -> parseText(key, value);
      case SQL_NAME -> parseSqlName(key, value);
    };
  }

  /** Text, trimmed; of {@code min} to {@code max} characters where the setting has them. */
  private String parseText(String key, Object value) {
    String t = String.valueOf(value).trim();
    if (min != null && (t.length() < Integer.parseInt(min) || t.length() > Integer.parseInt(max))) {
      throw new IllegalArgumentException(key + ": '" + value + "' is not allowed; use " + min + " to " + max
          + " characters");
    }
    return t;
  }

  private Double parsePercent(String key, Object value) {
    double d;
    if (value instanceof Number num) {
      d = num.doubleValue();
    } else {
      String t = String.valueOf(value).trim();
      t = t.endsWith("%") ? t.substring(0, t.length() - 1).trim() : t;
      try {
        d = Double.parseDouble(t);
      } catch (NumberFormatException e) {
        d = Double.NaN;
      }
    }
    if (Double.isNaN(d) || d < Double.parseDouble(min) || d > Double.parseDouble(max)) {
      throw new IllegalArgumentException(key + ": '" + value + "' is not a percent from " + min + " to " + max);
    }
    return d;
  }

  private static final java.util.regex.Pattern SQL_NAME_PATTERN =
      java.util.regex.Pattern.compile("([a-z_][a-z0-9_$]*\\.)?[a-z_][a-z0-9_$]*");

  /**
   * A plain lower-case name, schema-qualified or not, or empty: it is written into SQL as it is, so anything that
   * would need quoting (or could be more than a name) is refused.
   */
  private static String parseSqlName(String key, Object value) {
    String v = String.valueOf(value).trim();
    if (!v.isEmpty() && !SQL_NAME_PATTERN.matcher(v).matches()) {
      throw new IllegalArgumentException(key + ": '" + value + "' is not a plain SQL name; use lower-case letters,"
          + " digits and _, optionally schema-qualified (pgintel.explain_dml)");
    }
    return v;
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

  private Integer parseInteger(String key, Object value) {
    long n;
    if (value instanceof Number num) {
      n = num.longValue();
    } else {
      try {
        n = Long.parseLong(String.valueOf(value).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + ": '" + value + "' is not a whole number; allowed from " + min
            + " to " + max);
      }
    }
    if (n < Long.parseLong(min) || n > Long.parseLong(max)) {
      throw new IllegalArgumentException(key + ": " + n + " is out of range; allowed from " + min + " to " + max);
    }
    return (int) n;
  }

  /** For a CHOICE, {@code min} holds the allowed values separated by '|'. */
  private String parseChoice(String key, Object value) {
    String v = String.valueOf(value).trim().toLowerCase(Locale.ROOT);
    for (String allowed : min.split("\\|")) {
      if (allowed.equals(v)) {
        return allowed;
      }
    }
    throw new IllegalArgumentException(key + ": '" + value + "' is not allowed; choose one of "
        + min.replace("|", ", "));
  }

  /** A comma-separated list of CHOICE values (none is allowed: an empty string). */
  private java.util.List<String> parseChoices(String key, Object value) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String part : String.valueOf(value).split(",")) {
      if (!part.isBlank()) {
        String v = parseChoice(key, part);
        if (!out.contains(v)) {
          out.add(v);
        }
      }
    }
    return java.util.List.copyOf(out);
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
