package io.pgintel.sql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fingerprints, obfuscates and summarizes SQL text. Thread-safe; never throws at run time.
 *
 * <pre>{@code
 * SqlEngine sql = SqlEngine.create();
 * NormalizedQuery q = sql.jdbc("SELECT * FROM users WHERE id = ?");
 * q.fingerprint();  // same as for sql.server("SELECT * FROM users WHERE id = $1")
 * q.text();         // SELECT * FROM users WHERE id = ?
 * }</pre>
 *
 * <p>{@link #server} reads text as PostgreSQL reports it ({@code ?} is an operator character,
 * {@code $n} are parameters); {@link #jdbc} reads text as an application hands it to a JDBC
 * driver (a lone {@code ?} is a parameter, {@code ??} the operator, {@code {fn ...}} escapes
 * unwrapped). Both produce the same fingerprint for the same query.
 *
 * <p>Results are cached by input text, one cache per mode, bounded by the approximate memory of
 * keys and results. Inputs longer than {@value #MAX_CACHED_CHARS} characters bypass the cache.
 * A result's summary (operation, tables) is worked out on first use, from its normalized text.
 *
 * <p>With {@link Builder#deepAnalysis deepAnalysis(true)}, statements with CTEs or nested
 * subqueries are also read by JSqlParser in the background, on normalized text, under a time
 * budget; {@link #deepTables} and {@link #tables(NormalizedQuery)} return its table list once it
 * is known, and never wait for it.
 *
 * <h2>Normalized text</h2>
 * <ul>
 *   <li>Every constant (strings of any kind, numbers, {@code TRUE}/{@code FALSE}/{@code NULL} as
 *       values, typed literals such as {@code date '...'}, a signed number in operand position)
 *       and every bind parameter is one placeholder: {@code $1, $2, ...} numbered in order for
 *       server text, {@code ?} for JDBC text. The output is valid input in the same mode and
 *       normalizes to itself with the same fingerprint.</li>
 *   <li>Two or more constants in {@code IN (...)} or {@code ARRAY[...]} print as one placeholder
 *       followed by {@code /*, ... *}{@code /}, PostgreSQL 18's own marker: {@code IN ($1 /*, ... *}{@code /)}.
 *       Multi-row {@code VALUES} of constants keep only their first row.</li>
 *   <li>{@code SET} values, passwords, connection strings, file names, {@code COMMENT ON} texts,
 *       {@code DO} and function bodies are placeholders like any other constant.</li>
 *   <li>Kept: {@code IS [NOT] NULL/TRUE/FALSE}, {@code NOT NULL}, positional {@code ORDER BY} /
 *       {@code GROUP BY} integers, type modifiers ({@code varchar(10)}).</li>
 *   <li>Comments are dropped (sqlcommenter tags of a trailing comment are returned separately);
 *       keywords are upper case, unquoted identifiers lower case, quotes that change nothing are
 *       removed, tokens are separated by single spaces except around {@code . :: ( [} and before
 *       {@code , ) ] ;}; {@code !=} prints as {@code <>}; JDBC text prints the {@code ?} operator
 *       character as {@code ??}.</li>
 * </ul>
 * {@link NormalizedQuery#operation()} of {@code WITH ...} is the main statement's verb; of
 * {@code EXPLAIN ...} it is {@code EXPLAIN} (its tables are those of the explained statement).
 *
 * <p>Known limits: JDBC function escapes are unwrapped, not translated ({@code {fn ucase(x)}}
 * fingerprints as {@code ucase(x)}, while the driver sends {@code upper(x)}); {@code {call ...}}
 * fingerprints as {@code CALL ...}. A cast spelled differently ({@code date '...'},
 * {@code '...'::date}, {@code CAST('...' AS date)}) and a table named with and without its
 * schema ({@code public.users}, {@code users}) fingerprint apart, while PostgreSQL's queryid may
 * merge them. Per-thread buffers live in a {@link ThreadLocal}.
 */
public final class SqlEngine {

  /** Part of every fingerprint's seed: bump it when a rule change alters fingerprints. */
  static final int ALGORITHM_VERSION = 4;
  static final int MAX_CACHED_CHARS = 64 * 1024;
  static final long DEFAULT_MAX_CACHE_WEIGHT = 16L * 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(SqlEngine.class);
  private static final ThreadLocal<Normalizer> WORKSPACE = ThreadLocal.withInitial(Normalizer::new);
  private static final int ENTRY_OVERHEAD = 256;

  private final Cache<String, NormalizedQuery> serverCache;
  private final Cache<String, NormalizedQuery> jdbcCache;
  private final DeepAnalysis deep;

  private SqlEngine(Builder b) {
    serverCache = b.cache ? newCache(b.maxCacheWeight / 2) : null;
    jdbcCache = b.cache ? newCache(b.maxCacheWeight / 2) : null;
    deep = b.deepAnalysis ? new DeepAnalysis(b.deepAnalysisBudget, DeepAnalysis.DEFAULT_QUEUE) : null;
  }

  /** An engine with a cache of {@value #DEFAULT_MAX_CACHE_WEIGHT} bytes. */
  public static SqlEngine create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Analyses text as PostgreSQL reports it (pg_stat_statements, pg_stat_activity, logs). */
  public NormalizedQuery server(String sql) {
    return cached(serverCache, sql, false);
  }

  /** Analyses text as handed to a JDBC driver ({@code ?} parameters, JDBC escapes). */
  public NormalizedQuery jdbc(String sql) {
    return cached(jdbcCache, sql, true);
  }

  /**
   * Tables of {@code q} as JSqlParser finds them (tables inside CTEs and nested subqueries), once a parse in the
   * background has finished; empty until then, when deep analysis is off, for statements without nested queries
   * and when the parser could not read the statement in its time budget. Never blocks: the first call for a
   * fingerprint queues the parse.
   */
  public Optional<List<String>> deepTables(NormalizedQuery q) {
    if (deep == null || q == null) {
      return Optional.empty();
    }
    try {
      return deep.tables(q);
    } catch (RuntimeException e) {
      LOG.warn("pgintel deep SQL analysis failed ({}); using the lexer's tables", e.getClass().getName());
      return Optional.empty();
    }
  }

  /** The best table list known now: {@link #deepTables} when available, else {@link NormalizedQuery#tables}. */
  public List<String> tables(NormalizedQuery q) {
    return deepTables(q).orElseGet(q::tables);
  }

  /** Counters of deep analysis for self-telemetry; zeros when it is off. */
  public DeepAnalysisStats deepAnalysisStats() {
    return deep == null ? new DeepAnalysisStats(0, 0, 0, 0) : deep.stats();
  }

  /** Hits and misses of both caches together; zeros when caching is off. */
  public CacheStats cacheStats() {
    if (serverCache == null) {
      return new CacheStats(0, 0, 0);
    }
    var a = serverCache.stats();
    var b = jdbcCache.stats();
    long hits = a.hitCount() + b.hitCount();
    long misses = a.missCount() + b.missCount();
    return new CacheStats(hits, misses, hits + misses == 0 ? 0 : (double) hits / (hits + misses));
  }

  /** Analyses without any cache: for benchmarks and one-off use. */
  public static NormalizedQuery analyzeUncached(String sql, boolean jdbc) {
    String text = sql == null ? "" : sql;
    try {
      return WORKSPACE.get().analyze(text, jdbc);
    } catch (RuntimeException | StackOverflowError e) {
      // a bug here must not reach the host application; the text itself is never logged
      LOG.warn("pgintel could not analyse a statement ({}); reporting it as unknown", e.getClass().getName());
      WORKSPACE.remove();
      return failed();
    }
  }

  /** The summary of normalized text, for {@link NormalizedQuery}'s first use of it. */
  static Summary summarize(String normalizedText, boolean jdbc) {
    try {
      return WORKSPACE.get().summarize(normalizedText, jdbc);
    } catch (RuntimeException | StackOverflowError e) {
      LOG.warn("pgintel could not summarize a statement ({}); reporting it as unknown", e.getClass().getName());
      WORKSPACE.remove();
      return new Summary("", List.of(), "");
    }
  }

  private NormalizedQuery cached(Cache<String, NormalizedQuery> cache, String sql, boolean jdbc) {
    if (cache == null || sql == null || sql.length() > MAX_CACHED_CHARS) {
      return analyzeUncached(sql, jdbc);
    }
    return cache.get(sql, key -> analyzeUncached(key, jdbc));
  }

  private static Cache<String, NormalizedQuery> newCache(long maxWeight) {
    return Caffeine.newBuilder()
        .maximumWeight(maxWeight)
        .weigher((String key, NormalizedQuery q) -> ENTRY_OVERHEAD + 2 * (key.length() + q.text().length()))
        .recordStats()
        .build();
  }

  private static NormalizedQuery failed() {
    return new NormalizedQuery(Normalizer.hex(0), 0, "", "", List.of(), "", true, java.util.Map.of());
  }

  /** Cache counters for self-telemetry. */
  public record CacheStats(long hitCount, long missCount, double hitRate) {
  }

  /**
   * Deep analysis counters.
   *
   * @param parsed   statements JSqlParser read
   * @param failed   statements it could not read (cached: not tried again)
   * @param timedOut parses stopped at the time budget (cached as failed)
   * @param dropped  requests not queued because the queue was full (asked again on next use)
   */
  public record DeepAnalysisStats(long parsed, long failed, long timedOut, long dropped) {
  }

  /** Settings for {@link SqlEngine}; checked when set. */
  public static final class Builder {
    private long maxCacheWeight = DEFAULT_MAX_CACHE_WEIGHT;
    private boolean cache = true;
    private boolean deepAnalysis;
    private Duration deepAnalysisBudget = DeepAnalysis.DEFAULT_BUDGET;

    private Builder() {
    }

    /** Upper bound, in bytes (approximate), of both result caches together. */
    public Builder maxCacheWeight(long bytes) {
      if (bytes < 2) {
        throw new IllegalArgumentException("maxCacheWeight must be at least 2 bytes, was " + bytes
            + "; use cache(false) to turn caching off");
      }
      this.maxCacheWeight = bytes;
      return this;
    }

    /** Whether to cache results by input text (default true). */
    public Builder cache(boolean enabled) {
      this.cache = enabled;
      return this;
    }

    /**
     * Whether to read statements with CTEs or nested subqueries again with JSqlParser, in the background, for a
     * more accurate table list ({@link SqlEngine#deepTables}); default false. Uses one parser thread and one
     * deadline thread ({@code pgintel-sql-*}, daemons, ended when idle).
     */
    public Builder deepAnalysis(boolean enabled) {
      this.deepAnalysis = enabled;
      return this;
    }

    /** Time one background parse may take before it is abandoned and cached as failed (default 50 ms). */
    public Builder deepAnalysisBudget(Duration budget) {
      Objects.requireNonNull(budget, "deepAnalysisBudget");
      if (budget.isNegative() || budget.isZero() || budget.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new IllegalArgumentException("deepAnalysisBudget must be between 1 ns and 10 s, was " + budget);
      }
      this.deepAnalysisBudget = budget;
      return this;
    }

    public SqlEngine build() {
      return new SqlEngine(this);
    }
  }
}
