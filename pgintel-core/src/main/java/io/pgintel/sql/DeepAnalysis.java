package io.pgintel.sql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * Table lists from JSqlParser for statements with nested queries (CTEs, subqueries), where a parse is more
 * accurate than the lexer's walk. Off the caller's thread, under a time budget, cached by fingerprint.
 *
 * <p>Design notes:
 * <ul>
 *   <li><b>Never blocks a caller.</b> {@link #tables} answers from the cache or not at all; a miss queues a parse
 *       (one per fingerprint at a time) on a bounded queue and returns. A full queue drops the request and counts
 *       it; the statement is asked for again the next time it is seen.</li>
 *   <li><b>Bounded.</b> One parser thread and one deadline thread, daemons named {@code pgintel-sql-*}, both
 *       ending when idle. Text over {@value #MAX_CHARS} chars is not parsed. JSqlParser backtracks exponentially on
 *       some inputs (deeply nested parentheses): the deadline thread sets the parser's {@code interrupted} flag
 *       when the budget is spent, which makes it give up. {@code CCJSqlParserUtil.parse(String)} is never used: it
 *       starts an executor per call.</li>
 *   <li><b>Only normalized text</b> is parsed, so no literal reaches the parser; its error messages (which echo
 *       the input) are still never logged. Failures and time-outs are cached like results, so a statement the
 *       parser cannot read costs one attempt.</li>
 *   <li>Statement kinds the lexer reads well enough, or JSqlParser cannot read (transaction control, {@code DO},
 *       {@code COPY}, roles, {@code LISTEN}, {@code SET}, ...), are never queued.</li>
 * </ul>
 */
final class DeepAnalysis {

  static final int MAX_CHARS = 16 * 1024;
  static final Duration DEFAULT_BUDGET = Duration.ofMillis(50);
  static final int DEFAULT_QUEUE = 256;
  private static final long MAX_ENTRIES = 10_000;
  private static final long IDLE_SECONDS = 30;
  private static final Optional<List<String>> NONE = Optional.empty();
  private static final Parser JSQLPARSER = new Parser() {
    @Override
    public List<String> tables(String normalizedText, Interruptible budget) throws Exception {
      return parseTables(normalizedText, budget);
    }

    @Override
    public void warmUp() {
      try {
        parseTables("WITH w AS (SELECT a FROM b) SELECT c FROM w WHERE d IN (SELECT e FROM f WHERE g = $1)",
            new Interruptible());
      } catch (Exception | StackOverflowError e) {
        // only the class loading mattered
      }
    }
  };

  private final Cache<Long, Optional<List<String>>> outcomes =
      Caffeine.newBuilder().maximumSize(MAX_ENTRIES).build();
  private final Set<Long> pending = ConcurrentHashMap.newKeySet();
  private final Parser parser;
  private final long budgetNanos;
  private final ThreadPoolExecutor worker;
  private final ScheduledThreadPoolExecutor deadlines;
  private final LongAdder parsed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder timedOut = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  /** Written by the parser thread; volatile because an idle thread is replaced by a new one. */
  private volatile boolean warm;

  DeepAnalysis(Duration budget, int queueCapacity) {
    this(budget, queueCapacity, JSQLPARSER);
  }

  /** With another parser: for tests that need a parse to block or fail on cue. */
  DeepAnalysis(Duration budget, int queueCapacity, Parser parser) {
    this.parser = parser;
    this.budgetNanos = budget.toNanos();
    worker = new ThreadPoolExecutor(1, 1, IDLE_SECONDS, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queueCapacity),
        daemons("pgintel-sql-parse-"));
    worker.allowCoreThreadTimeOut(true);
    deadlines = new ScheduledThreadPoolExecutor(1, daemons("pgintel-sql-deadline-"));
    deadlines.setKeepAliveTime(IDLE_SECONDS, TimeUnit.SECONDS);
    deadlines.allowCoreThreadTimeOut(true);
    deadlines.setRemoveOnCancelPolicy(true);
  }

  /**
   * The parser's tables for {@code q} if a parse has finished, else empty (and a parse is queued if one is worth
   * doing). Never blocks, never throws.
   */
  Optional<List<String>> tables(NormalizedQuery q) {
    Long key = q.fingerprintBits();
    Optional<List<String>> known = outcomes.getIfPresent(key);
    if (known != null) {
      return known;
    }
    String text = q.text();
    if (!worthParsing(text)) {
      return NONE;
    }
    if (pending.add(key)) {
      try {
        worker.execute(() -> run(key, text));
      } catch (RejectedExecutionException e) {
        pending.remove(key);
        dropped.increment();
      }
    }
    return NONE;
  }

  SqlEngine.DeepAnalysisStats stats() {
    return new SqlEngine.DeepAnalysisStats(parsed.sum(), failed.sum(), timedOut.sum(), dropped.sum());
  }

  /**
   * A statement JSqlParser can read whose tables may hide where the lexer's walk is weakest: a DML statement
   * with a CTE or a nested query.
   */
  static boolean worthParsing(String text) {
    if (text.length() > MAX_CHARS) {
      return false;
    }
    boolean dml = text.startsWith("SELECT ") || text.startsWith("WITH ") || text.startsWith("INSERT ")
        || text.startsWith("UPDATE ") || text.startsWith("DELETE ") || text.startsWith("MERGE ")
        || text.startsWith("(");
    return dml && (text.startsWith("WITH ") || text.contains("(SELECT ") || text.contains("(WITH ")
        || text.contains("(VALUES "));
  }

  private void run(Long key, String text) {
    try {
      if (!warm) {
        // the first parse loads and initializes the parser's classes, which alone can exceed the budget
        warm = true;
        parser.warmUp();
      }
      Interruptible budget = new Interruptible();
      ScheduledFuture<?> deadline = deadlines.schedule(budget::interrupt, budgetNanos, TimeUnit.NANOSECONDS);
      Optional<List<String>> outcome;
      try {
        List<String> tables = parser.tables(text, budget);
        if (budget.interrupted()) {
          timedOut.increment();
          outcome = NONE;
        } else {
          parsed.increment();
          outcome = Optional.of(List.copyOf(tables));
        }
      } catch (Exception | StackOverflowError | LinkageError e) {
        // the message echoes the input, so it is not logged; a LinkageError means JSqlParser is missing or
        // of another version: each statement then fails once, as if unparseable
        if (budget.interrupted()) {
          timedOut.increment();
        } else {
          failed.increment();
        }
        outcome = NONE;
      } finally {
        deadline.cancel(false);
      }
      outcomes.put(key, outcome);
    } finally {
      pending.remove(key);
    }
  }

  /** JSqlParser's tables of {@code text}, in order of first mention, unquoted, CTE names left out. */
  private static List<String> parseTables(String text, Interruptible budget) throws Exception {
    CCJSqlParser p = CCJSqlParserUtil.newParser(text);
    budget.onInterrupt(() -> p.interrupted = true);
    Set<String> found = new TablesNamesFinder<Void>().getTables(p.Statement());
    List<String> raw = new ArrayList<>(found);
    raw.sort(Comparator.comparingInt((String name) -> {
      int at = text.indexOf(name);
      return at < 0 ? Integer.MAX_VALUE : at;
    }).thenComparing(Comparator.naturalOrder()));
    List<String> tables = new ArrayList<>(raw.size());
    for (String name : raw) {
      String canonical = canonical(name);
      if (!canonical.isEmpty() && !tables.contains(canonical)) {
        tables.add(canonical);
      }
    }
    return tables;
  }

  /** A name as PostgreSQL resolves it, as the lexer reports it: quotes removed, unquoted parts folded. */
  static String canonical(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    int i = 0;
    while (i < name.length()) {
      char c = name.charAt(i);
      if (c == '"') {
        i++;
        while (i < name.length()) {
          char d = name.charAt(i++);
          if (d == '"') {
            if (i < name.length() && name.charAt(i) == '"') {
              sb.append('"');
              i++;
            } else {
              break;
            }
          } else {
            sb.append(d);
          }
        }
      } else {
        sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        i++;
      }
    }
    return sb.toString();
  }

  private static ThreadFactory daemons(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Parses normalized text into table names; may watch {@code budget} to give up. */
  @FunctionalInterface
  interface Parser {
    List<String> tables(String normalizedText, Interruptible budget) throws Exception;

    /** Run once on the parser thread before the first timed parse. */
    default void warmUp() {
    }
  }

  /** The deadline of one parse: set once by the deadline thread, read by the parse. */
  static final class Interruptible {
    private volatile boolean interrupted;
    private volatile Runnable onInterrupt;

    void onInterrupt(Runnable action) {
      onInterrupt = action;
      if (interrupted) {
        action.run();
      }
    }

    void interrupt() {
      interrupted = true;
      Runnable action = onInterrupt;
      if (action != null) {
        action.run();
      }
    }

    boolean interrupted() {
      return interrupted;
    }
  }
}
