package io.pgintel;

import io.pgintel.collect.BuiltInCollectors;
import io.pgintel.collect.custom.CustomQuery;
import io.pgintel.process.Condition;
import io.pgintel.process.Sampler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The validated settings of one pgintel instance. Built from a map of {@code pgintel.*} keys (and
 * {@code otel.*} keys, handed to pgintel's own OpenTelemetry SDK when it needs one).
 *
 * <p>Keys are matched loosely, so that every way in spells them its own way: {@code pgintel.session.lock-timeout},
 * {@code pgintel.session.lockTimeout} and the environment's {@code PGINTEL_SESSION_LOCK_TIMEOUT} are one key.
 */
public final class Settings {

  private final boolean enabled;
  private final Map<String, Boolean> collectorEnabled;
  private final Map<String, Duration> collectorInterval;
  private final Duration statementTimeout;
  private final Duration lockTimeout;
  private final Duration borrowTimeout;
  private final Duration maxBackoff;
  private final Map<String, String> openTelemetryProperties;
  private final Map<Setting, Object> values;
  private final List<Sampler.Rule> samplingRules;
  private final List<CustomQuery> customQueries;

  private Settings(Parser p) {
    this.enabled = (Boolean) p.value(Setting.ENABLED);
    this.collectorEnabled = Collections.unmodifiableMap(p.collectorEnabled);
    this.collectorInterval = Collections.unmodifiableMap(p.collectorInterval);
    this.statementTimeout = (Duration) p.value(Setting.STATEMENT_TIMEOUT);
    this.lockTimeout = (Duration) p.value(Setting.LOCK_TIMEOUT);
    this.borrowTimeout = (Duration) p.value(Setting.BORROW_TIMEOUT);
    this.maxBackoff = (Duration) p.value(Setting.MAX_BACKOFF);
    this.openTelemetryProperties = Collections.unmodifiableMap(p.otel);
    this.values = Collections.unmodifiableMap(p.values);
    this.samplingRules = p.rules();
    this.customQueries = p.queries();
  }

  /**
   * Parses raw settings. With {@code problems == null} the first bad key throws
   * {@link IllegalArgumentException}; otherwise each bad key is reported there and falls back to its default
   * (the agent's way: one warning per key, the application starts anyway).
   *
   * @param collectorDefaults every known collector and its default interval
   */
  static Settings parse(Map<String, ?> raw, Map<String, Duration> collectorDefaults, Consumer<String> problems) {
    return new Settings(new Parser(raw, collectorDefaults, problems));
  }

  /**
   * Checks raw settings without throwing, for integrations that must never stop the application (the Java
   * agent): each bad key is reported to {@code problems} with a message naming it, and falls back to its
   * default in the result. Knows the built-in collectors only.
   */
  public static Settings lenient(Map<String, ?> raw, Consumer<String> problems) {
    return parse(raw, BuiltInCollectors.defaultIntervals(), Objects.requireNonNull(problems, "problems"));
  }

  /**
   * Turns {@code PGINTEL_*} environment variables into {@code pgintel.*} keys and {@code OTEL_*} into
   * {@code otel.*}; everything else is left out.
   */
  public static Map<String, String> fromEnvironment(Map<String, String> environment) {
    Map<String, String> out = new TreeMap<>();
    environment.forEach((name, value) -> {
      if (name.startsWith("PGINTEL_") || name.startsWith("OTEL_")) {
        out.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
      }
    });
    return out;
  }

  public boolean enabled() {
    return enabled;
  }

  /** Names of the collectors that are switched on, in registration order. */
  public List<String> enabledCollectors() {
    List<String> names = new ArrayList<>();
    collectorEnabled.forEach((name, on) -> {
      if (on) {
        names.add(name);
      }
    });
    return names;
  }

  public Duration interval(String collector) {
    Duration d = collectorInterval.get(collector);
    if (d == null) {
      throw new IllegalArgumentException("unknown collector '" + collector + "'");
    }
    return d;
  }

  public Duration statementTimeout() {
    return statementTimeout;
  }

  public Duration lockTimeout() {
    return lockTimeout;
  }

  public Duration borrowTimeout() {
    return borrowTimeout;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** The value of a setting that is not per collector: Boolean, Duration, Integer or String (a choice). */
  public Object value(Setting setting) {
    Object v = values.get(setting);
    if (v == null) {
      throw new IllegalArgumentException("no value for " + setting.key());
    }
    return v;
  }

  public int intValue(Setting setting) {
    return (Integer) value(setting);
  }

  public String choice(Setting setting) {
    return (String) value(setting);
  }

  /** The value of a setting that takes a SQL name; empty when none is set. */
  public String sqlName(Setting setting) {
    return (String) value(setting);
  }

  /** The values of a setting that takes several choices. */
  @SuppressWarnings("unchecked")
  public List<String> choices(Setting setting) {
    return (List<String>) value(setting);
  }

  /** Double value of a percent setting. */
  public double percent(Setting setting) {
    return (Double) value(setting);
  }

  /** Sampling rules ({@code pgintel.sampler.rules.<rule>.*}), their conditions parsed, in the order given. */
  public List<Sampler.Rule> samplingRules() {
    return samplingRules;
  }

  /** Custom queries ({@code pgintel.queries.<query>.*}), checked, in the order given. */
  public List<CustomQuery> customQueries() {
    return customQueries;
  }

  /**
   * The custom query a {@code pgintel.queries.*} key belongs to, as the settings name it ({@code orders_by_status}
   * for {@code pgintel.queries.orders-by-status.sql} and {@code PGINTEL_QUERIES_ORDERS_BY_STATUS_SQL}); null for
   * another key. For integrations that check settings one query at a time.
   */
  public static String customQueryName(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    if (!lower.startsWith(Setting.QUERY_PREFIX)) {
      return null;
    }
    Map.Entry<String, Setting> member = Parser.member(Parser.QUERIES, lower.substring(Setting.QUERY_PREFIX.length()));
    return member == null ? null : member.getKey();
  }

  /** {@code otel.*} keys given with the settings, for pgintel's own SDK. */
  public Map<String, String> openTelemetryProperties() {
    return openTelemetryProperties;
  }

  @Override
  public String toString() {
    return "Settings{enabled=" + enabled + ", intervals=" + collectorInterval + ", collectors=" + collectorEnabled
        + ", statementTimeout=" + statementTimeout + ", lockTimeout=" + lockTimeout + ", borrowTimeout="
        + borrowTimeout + ", maxBackoff=" + maxBackoff + "}";
  }

  /** Loose form of a key: lower case without separators. */
  static String canonical(String key) {
    StringBuilder sb = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c != '.' && c != '-' && c != '_') {
        sb.append(Character.toLowerCase(c));
      }
    }
    return sb.toString();
  }

  private static final class Parser {
    final Map<Setting, Object> values = new LinkedHashMap<>();
    final Map<String, Boolean> collectorEnabled = new LinkedHashMap<>();
    final Map<String, Duration> collectorInterval = new LinkedHashMap<>();
    final Map<String, String> otel = new TreeMap<>();
    final Map<String, Map<Setting, Object>> ruleValues = new LinkedHashMap<>();
    final Map<String, Map<Setting, Object>> queryValues = new LinkedHashMap<>();
    final Consumer<String> problems;

    Parser(Map<String, ?> raw, Map<String, Duration> collectorDefaults, Consumer<String> problems) {
      this.problems = problems;
      Map<String, Setting> plain = new LinkedHashMap<>();
      for (Setting s : Setting.ALL) {
        if (!s.key().contains("<")) {
          plain.put(canonical(s.key()), s);
          values.put(s, s.parse(s.key(), s.defaultValue()));
        }
      }
      Map<String, String> collectorKeys = new LinkedHashMap<>();
      collectorDefaults.forEach((name, interval) -> {
        collectorEnabled.put(name, BuiltInCollectors.enabledByDefault(name));
        collectorInterval.put(name, interval);
        collectorKeys.put(canonical("pgintel.collectors." + name + ".enabled"), name);
        collectorKeys.put(canonical("pgintel.collectors." + name + ".interval"), name);
      });
      Set<String> known = collectorDefaults.keySet();
      raw.forEach((key, value) -> {
        if (key == null || value == null) {
          return;
        }
        try {
          apply(key, value, plain, collectorKeys, known);
        } catch (IllegalArgumentException e) {
          if (problems == null) {
            throw e;
          }
          problems.accept(e.getMessage());
        }
      });
    }

    private void apply(String key, Object value, Map<String, Setting> plain, Map<String, String> collectorKeys,
        Set<String> known) {
      String lower = key.toLowerCase(Locale.ROOT);
      if (lower.startsWith("otel.")) {
        otel.put(lower, String.valueOf(value));
        return;
      }
      if (!lower.startsWith("pgintel.")) {
        return;
      }
      String c = canonical(key);
      Setting setting = plain.get(c);
      // messages name a known key as it is documented, however it was spelled (PGINTEL_SESSION_LOCK_TIMEOUT
      // arrives as pgintel.session.lock.timeout)
      if (setting != null) {
        values.put(setting, setting.parse(setting.key(), value));
        return;
      }
      if (lower.startsWith(Setting.RULE_PREFIX)) {
        named(RULES, key, lower.substring(Setting.RULE_PREFIX.length()), value, ruleValues);
        return;
      }
      if (lower.startsWith(Setting.QUERY_PREFIX)) {
        named(QUERIES, key, lower.substring(Setting.QUERY_PREFIX.length()), value, queryValues);
        return;
      }
      String collector = collectorKeys.get(c);
      if (collector != null) {
        String prefix = "pgintel.collectors." + collector;
        if (c.endsWith("enabled")) {
          collectorEnabled.put(collector, (Boolean) Setting.COLLECTOR_ENABLED_SETTING.parse(prefix + ".enabled",
              value));
        } else {
          collectorInterval.put(collector, (Duration) Setting.COLLECTOR_INTERVAL_SETTING.parse(prefix + ".interval",
              value));
        }
        return;
      }
      if (c.startsWith("pgintelcollectors")) {
        String[] parts = lower.split("\\.");
        String name = parts.length > 2 ? parts[2] : "";
        if (parts.length > 2 && !known.contains(name)) {
          throw new IllegalArgumentException(key + ": unknown collector '" + name + "'; known collectors: "
              + String.join(", ", known));
        }
        throw new IllegalArgumentException(key + ": unknown collector setting; a collector takes "
            + "pgintel.collectors.<collector>.enabled and pgintel.collectors.<collector>.interval");
      }
      throw new IllegalArgumentException(key + ": unknown setting; known settings: " + knownKeys());
    }

    /**
     * Settings that come in named groups: sampling rules, custom queries. Each group's keys are its prefix, the
     * member's name, a dot and one of {@code settings}.
     *
     * @param reserved a name no member may take
     */
    private record Group(String prefix, String member, List<Setting> settings, String reserved) {}

    private static final Group RULES = new Group(Setting.RULE_PREFIX, "rule", List.of(Setting.RULE_WHEN,
        Setting.RULE_RATE, Setting.RULE_PRIORITY, Setting.RULE_MAX_PER_MINUTE), Sampler.DEFAULT_RULE);
    private static final Group QUERIES = new Group(Setting.QUERY_PREFIX, "query", List.of(Setting.QUERY_SQL,
        Setting.QUERY_GAUGES, Setting.QUERY_COUNTERS, Setting.QUERY_INTERVAL, Setting.QUERY_MAX_ROWS), null);

    /** {@code rest} is what follows the group's prefix: the member's name, a dot and the member's setting. */
    private void named(Group group, String key, String rest, Object value, Map<String, Map<Setting, Object>> into) {
      Map.Entry<String, Setting> member = member(group, rest);
      if (member == null) {
        StringBuilder takes = new StringBuilder();
        for (Setting s : group.settings()) {
          takes.append(takes.length() == 0 ? s.key() : ", " + s.key().substring(s.key().lastIndexOf('.')));
        }
        throw new IllegalArgumentException(key + ": unknown " + group.member() + " setting; a " + group.member()
            + " takes " + takes);
      }
      String name = member.getKey();
      Setting s = member.getValue();
      if (!name.matches("[a-z0-9][a-z0-9_]{0,62}") || name.equals(group.reserved())) {
        throw new IllegalArgumentException(key + ": a " + group.member() + " name is 1 to 63 letters, digits,"
            + " '-' or '_'" + (group.reserved() == null ? "" : ", and not '" + group.reserved() + "'"));
      }
      String documented = group.prefix() + name + s.key().substring(s.key().lastIndexOf('.'));
      Object parsed = s.parse(documented, value);
      if (s == Setting.RULE_WHEN) {
        try {
          Condition.parse((String) parsed, Sampler.knownFields());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(documented + ": rule '" + name + "' " + e.getMessage());
        }
      }
      into.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(s, parsed);
    }

    /**
     * The member's name and setting in {@code rest} (lower case, after the group's prefix), or null for none of
     * the group's settings. The setting is read from the end, so that a name may hold '_' or '-' and the
     * environment's form (PGINTEL_SAMPLER_RULES_SLOW_QUERIES_MAX_PER_MINUTE) names the same rule as
     * slow_queries.max-per-minute.
     */
    static Map.Entry<String, Setting> member(Group group, String rest) {
      String[] parts = rest.split("\\.");
      for (int k = 1; k < parts.length; k++) {
        String property = canonical(String.join(".", java.util.Arrays.copyOfRange(parts, k, parts.length)));
        for (Setting s : group.settings()) {
          if (canonical(s.key().substring(s.key().lastIndexOf('.') + 1)).equals(property)) {
            String name = String.join("_", java.util.Arrays.copyOfRange(parts, 0, k)).replace('-', '_');
            return Map.entry(name, s);
          }
        }
      }
      return null;
    }

    /** A member that cannot be used: fails parsing, or is reported and left out (the agent's way). */
    private boolean refused(String message) {
      if (problems == null) {
        throw new IllegalArgumentException(message);
      }
      problems.accept(message + "; it is ignored");
      return false;
    }

    List<Sampler.Rule> rules() {
      List<Sampler.Rule> out = new ArrayList<>();
      ruleValues.forEach((name, v) -> {
        String when = (String) v.get(Setting.RULE_WHEN);
        if (when == null || when.isEmpty()) {
          refused(Setting.RULE_PREFIX + name + ".when: rule '" + name + "' has no condition");
          return;
        }
        out.add(new Sampler.Rule(name, Condition.parse(when, Sampler.knownFields()),
            (Double) v.getOrDefault(Setting.RULE_RATE, 100.0), (Integer) v.getOrDefault(Setting.RULE_PRIORITY, 0),
            (Integer) v.getOrDefault(Setting.RULE_MAX_PER_MINUTE, 0)));
      });
      return List.copyOf(out);
    }

    List<CustomQuery> queries() {
      List<CustomQuery> out = new ArrayList<>();
      queryValues.forEach((name, v) -> {
        String prefix = Setting.QUERY_PREFIX + name;
        String sql = (String) v.getOrDefault(Setting.QUERY_SQL, "");
        List<String> gauges = columns(prefix + ".gauges", (String) v.getOrDefault(Setting.QUERY_GAUGES, ""));
        List<String> counters = columns(prefix + ".counters", (String) v.getOrDefault(Setting.QUERY_COUNTERS, ""));
        if (gauges == null || counters == null || !readOnlySelect(prefix + ".sql", name, sql)) {
          return;
        }
        if (gauges.isEmpty() && counters.isEmpty()) {
          refused(prefix + ".gauges: query '" + name + "' names no column to report; give .gauges or .counters");
          return;
        }
        for (String g : gauges) {
          if (counters.contains(g)) {
            refused(prefix + ".counters: column '" + g + "' of query '" + name + "' is also a gauge");
            return;
          }
        }
        out.add(new CustomQuery(name, sql, gauges, counters,
            (Duration) v.getOrDefault(Setting.QUERY_INTERVAL, Duration.ofSeconds(60)),
            (Integer) v.getOrDefault(Setting.QUERY_MAX_ROWS, 100)));
      });
      return List.copyOf(out);
    }

    /** Column names of a list setting, or null when one is not a plain lower-case name (reported). */
    private List<String> columns(String key, String list) {
      List<String> out = new ArrayList<>();
      for (String part : list.split(",")) {
        String column = part.trim();
        if (column.isEmpty()) {
          continue;
        }
        if (column.equals("pgintel_rows")) {
          refused(key + ": 'pgintel_rows' is the name of pgintel's own count of the query's rows; alias the column"
              + " otherwise");
          return null;
        }
        if (!column.matches("[a-z_][a-z0-9_]{0,62}")) {
          refused(key + ": '" + column + "' is not a plain lower-case column name (what PostgreSQL names an"
              + " unquoted column alias)");
          return null;
        }
        if (!out.contains(column)) {
          out.add(column);
        }
      }
      return out;
    }

    /** Whether {@code sql} is one SELECT, as pgintel's SQL engine reads it (reported when not). */
    private boolean readOnlySelect(String key, String name, String sql) {
      if (sql.isEmpty()) {
        return refused(key + ": query '" + name + "' has no SQL");
      }
      io.pgintel.sql.NormalizedQuery q = io.pgintel.sql.SqlEngine.analyzeUncached(sql, false);
      if (!"SELECT".equals(q.operation()) || q.truncated()) {
        return refused(key + ": query '" + name + "' is not one complete SELECT (" + (q.truncated()
            ? "it is cut short" : "it reads as " + (q.operation().isEmpty() ? "no statement" : q.operation()))
            + ")");
      }
      if (io.pgintel.sql.OneStatement.of(sql) == null) {
        return refused(key + ": query '" + name + "' is not one complete SELECT (a second statement follows a"
            + " semicolon, or its parentheses do not match)");
      }
      return true;
    }

    private static String knownKeys() {
      List<String> keys = new ArrayList<>();
      for (Setting s : Setting.ALL) {
        keys.add(s.key());
      }
      return String.join(", ", keys);
    }

    Object value(Setting s) {
      return values.get(s);
    }
  }
}
