package io.pgintel.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code pgintel.*} properties. Names are core's setting keys (see {@code io.pgintel.Setting}), so a key
 * reads the same in {@code application.properties}, as {@code -Dpgintel...} and as {@code PGINTEL_...}.
 *
 * <p>Core settings left unset stay {@code null} here and are not passed on: core's defaults are the only ones,
 * and core validates what is passed ({@link #toSettings()}). Defaults shown by IDEs come from
 * {@code additional-spring-configuration-metadata.json}, which a test keeps equal to core's.
 */
@ConfigurationProperties(prefix = "pgintel")
public class PgIntelProperties {

  /** Master switch. When false, the starter creates nothing and no connection is borrowed. */
  private boolean enabled = true;

  /**
   * Per collector: pgintel.collectors.&lt;collector&gt;.enabled and .interval, and a collector's own settings
   * (pgintel.collectors.statements.top-n, ...). Passed to core as they are, so that every setting core knows
   * works here and core rejects, by name, what it does not know.
   */
  private Map<String, Map<String, Object>> collectors = new LinkedHashMap<>();

  /**
   * Sampling of events: pgintel.sampler.default-rate, .dedup-window and rules (pgintel.sampler.rules.&lt;rule&gt;.when,
   * .rate, .priority, .max-per-minute). Passed to core as they are.
   */
  private Map<String, Object> sampler = new LinkedHashMap<>();

  /**
   * Custom queries by name: pgintel.queries.&lt;query&gt;.sql, .gauges, .counters, .interval, .max-rows. Passed to
   * core as they are.
   */
  private Map<String, Map<String, Object>> queries = new LinkedHashMap<>();

  /** Circuit breakers: pgintel.circuit.enabled, .failure-threshold, .slow-share, ... Passed to core as they are. */
  private Map<String, Object> circuit = new LinkedHashMap<>();

  /** Data-quality checks: pgintel.verify.enabled. Passed to core as it is. */
  private Map<String, Object> verify = new LinkedHashMap<>();

  /** Series limits: pgintel.cardinality.max-series. Passed to core as it is. */
  private Map<String, Object> cardinality = new LinkedHashMap<>();

  private final Session session = new Session();

  private final Backoff backoff = new Backoff();

  private final LeaderElection leaderElection = new LeaderElection();

  private final Pii pii = new Pii();

  private final DataSources datasources = new DataSources();

  private final Correlation correlation = new Correlation();

  private final Health health = new Health();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Map<String, Map<String, Object>> getCollectors() {
    return collectors;
  }

  public void setCollectors(Map<String, Map<String, Object>> collectors) {
    this.collectors = collectors;
  }

  public Map<String, Object> getSampler() {
    return sampler;
  }

  public void setSampler(Map<String, Object> sampler) {
    this.sampler = sampler;
  }

  public Map<String, Map<String, Object>> getQueries() {
    return queries;
  }

  public void setQueries(Map<String, Map<String, Object>> queries) {
    this.queries = queries;
  }

  public Map<String, Object> getCircuit() {
    return circuit;
  }

  public void setCircuit(Map<String, Object> circuit) {
    this.circuit = circuit;
  }

  public Map<String, Object> getVerify() {
    return verify;
  }

  public void setVerify(Map<String, Object> verify) {
    this.verify = verify;
  }

  public Map<String, Object> getCardinality() {
    return cardinality;
  }

  public void setCardinality(Map<String, Object> cardinality) {
    this.cardinality = cardinality;
  }

  public Session getSession() {
    return session;
  }

  public Pii getPii() {
    return pii;
  }

  public Backoff getBackoff() {
    return backoff;
  }

  public LeaderElection getLeaderElection() {
    return leaderElection;
  }

  public DataSources getDatasources() {
    return datasources;
  }

  public Correlation getCorrelation() {
    return correlation;
  }

  public Health getHealth() {
    return health;
  }

  /**
   * Core's flat settings: the properties that were set, under the keys {@code PgIntel.builder().settings(map)}
   * reads. Starter-only properties (datasources, correlation, health) are not part of it.
   */
  Map<String, Object> toSettings() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("pgintel.enabled", enabled);
    collectors.forEach((name, values) -> flatten(out, "pgintel.collectors." + name, values));
    flatten(out, "pgintel.sampler", sampler);
    queries.forEach((name, values) -> flatten(out, "pgintel.queries." + name, values));
    flatten(out, "pgintel.circuit", circuit);
    flatten(out, "pgintel.verify", verify);
    flatten(out, "pgintel.cardinality", cardinality);
    putIfSet(out, "pgintel.session.statement-timeout", session.getStatementTimeout());
    putIfSet(out, "pgintel.session.lock-timeout", session.getLockTimeout());
    putIfSet(out, "pgintel.session.borrow-timeout", session.getBorrowTimeout());
    putIfSet(out, "pgintel.session.exhausted-pool-interval", session.getExhaustedPoolInterval());
    putIfSet(out, "pgintel.session.own-connection", session.getOwnConnection());
    putIfSet(out, "pgintel.backoff.max", backoff.getMax());
    putIfSet(out, "pgintel.leader-election.enabled", leaderElection.getEnabled());
    putIfSet(out, "pgintel.leader-election.group", leaderElection.getGroup());
    putIfSet(out, "pgintel.leader-election.interval", leaderElection.getInterval());
    putIfSet(out, "pgintel.pii.enabled", pii.getEnabled());
    if (pii.getDetectors() != null) {
      out.put("pgintel.pii.detectors", String.join(",", pii.getDetectors()));
    }
    return out;
  }

  /** Values stay as bound (text): core parses them, with the same rules as system properties. */
  private static void flatten(Map<String, Object> out, String prefix, Map<?, ?> values) {
    values.forEach((key, value) -> {
      if (value instanceof Map<?, ?> nested) {
        flatten(out, prefix + "." + key, nested);
      } else {
        putIfSet(out, prefix + "." + key, value);
      }
    });
  }

  private static void putIfSet(Map<String, Object> out, String key, Object value) {
    if (value != null) {
      out.put(key, value);
    }
  }

  /** The database session every collection runs in. */
  public static class Session {

    /**
     * SET LOCAL statement_timeout of every collection: a slower query is cancelled by the server and counted.
     */
    private Duration statementTimeout;

    /** SET LOCAL lock_timeout of every collection: pgintel never queues behind a lock. */
    private Duration lockTimeout;

    /**
     * Longest wait for a pool connection; when the pool has none free the tick is skipped and counted.
     */
    private Duration borrowTimeout;

    /**
     * Once the application's pool is found with no idle connection and no room for another, for this long a
     * collector borrows at most this often; its ticks in between are skipped and counted.
     */
    private Duration exhaustedPoolInterval;

    /**
     * What pgintel reads through: 'when-pool-exhausted' (default) borrows from the application's pool (HikariCP,
     * DBCP 2, Tomcat JDBC or c3p0) while it has a connection to spare and otherwise uses one session of pgintel's
     * own (application_name pgintel, opened from the pool's configuration, closed after 10 minutes unused); 'true'
     * always uses that session; 'false' always borrows, from an exhausted pool at most once per
     * exhausted-pool-interval.
     */
    private String ownConnection;

    public String getOwnConnection() {
      return ownConnection;
    }

    public void setOwnConnection(String ownConnection) {
      this.ownConnection = ownConnection;
    }

    public Duration getExhaustedPoolInterval() {
      return exhaustedPoolInterval;
    }

    public void setExhaustedPoolInterval(Duration exhaustedPoolInterval) {
      this.exhaustedPoolInterval = exhaustedPoolInterval;
    }

    public Duration getStatementTimeout() {
      return statementTimeout;
    }

    public void setStatementTimeout(Duration statementTimeout) {
      this.statementTimeout = statementTimeout;
    }

    public Duration getLockTimeout() {
      return lockTimeout;
    }

    public void setLockTimeout(Duration lockTimeout) {
      this.lockTimeout = lockTimeout;
    }

    public Duration getBorrowTimeout() {
      return borrowTimeout;
    }

    public void setBorrowTimeout(Duration borrowTimeout) {
      this.borrowTimeout = borrowTimeout;
    }
  }

  /** Pauses of a failing collector. */
  public static class Backoff {

    /** Longest pause of a failing collector; pauses double from its interval up to this. */
    private Duration max;

    public Duration getMax() {
      return max;
    }

    public void setMax(Duration max) {
      this.max = max;
    }
  }

  /** One instance collecting for all the instances of the application on a database. */
  public static class LeaderElection {

    /**
     * For an application that runs several instances: only the one that holds a PostgreSQL advisory lock (per
     * database and group) collects; the others stand by, their collectors STANDBY, and one takes over within about
     * an election interval of its end, so that each view is read and reported once.
     */
    private Boolean enabled;

    /**
     * Instances of one group (and database) elect one leader; give applications that should each report their own
     * a group each.
     */
    private String group;

    /**
     * How often an instance standing by tries for the lock (opening a session of pgintel's own to do so); the
     * leader checks three times as often that its session still holds it. About the longest time without a leader.
     */
    private Duration interval;

    public Boolean getEnabled() {
      return enabled;
    }

    public void setEnabled(Boolean enabled) {
      this.enabled = enabled;
    }

    public String getGroup() {
      return group;
    }

    public void setGroup(String group) {
      this.group = group;
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }
  }

  /** The check of every emitted string for personal data and secrets. */
  public static class Pii {

    /**
     * Whether every emitted string is checked, and personal data and secrets replaced with [REDACTED:kind].
     */
    private Boolean enabled;

    /** The detectors that run: email, card, ssn, phone, iban, ip, jwt, bearer, cloud_key. */
    private List<String> detectors;

    public Boolean getEnabled() {
      return enabled;
    }

    public void setEnabled(Boolean enabled) {
      this.enabled = enabled;
    }

    public List<String> getDetectors() {
      return detectors;
    }

    public void setDetectors(List<String> detectors) {
      this.detectors = detectors;
    }
  }

  /** Which DataSource beans are monitored. */
  public static class DataSources {

    /** Bean names of the DataSources to monitor; empty means every PostgreSQL DataSource. */
    private List<String> include = new ArrayList<>();

    /** Bean names of DataSources never to monitor; wins over include. */
    private List<String> exclude = new ArrayList<>();

    public List<String> getInclude() {
      return include;
    }

    public void setInclude(List<String> include) {
      this.include = include;
    }

    public List<String> getExclude() {
      return exclude;
    }

    public void setExclude(List<String> exclude) {
      this.exclude = exclude;
    }
  }

  /** Tying database activity to application traces. */
  public static class Correlation {

    /**
     * Whether pgintel ties what the database does to the application's spans: PostgreSQL DataSource beans are
     * proxied (keeping their type) so that activity samples, query samples and blocking chains carry the span and
     * line of code that ran each statement.
     */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** The pgintel Actuator health contributor. */
  public static class Health {

    /**
     * Whether a failing collector turns the pgintel health contributor DOWN. By default it stays UP and shows
     * the failure in its details, so that monitoring trouble never takes the application out of service.
     */
    private boolean failOnError = false;

    public boolean isFailOnError() {
      return failOnError;
    }

    public void setFailOnError(boolean failOnError) {
      this.failOnError = failOnError;
    }
  }
}
