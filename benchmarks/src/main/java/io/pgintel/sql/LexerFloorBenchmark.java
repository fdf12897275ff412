package io.pgintel.sql;

import io.pgintel.benchmarks.StatementCorpus;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How fast the SQL engine could be at most with its lexer: the statement read out of its {@code String} and every
 * token found (words hashed and looked up as keywords), handed to a receiver that only counts, over the same corpora
 * as {@code SqlEngineBenchmark}; run both in one JMH run to compare with OpenTelemetry's sanitizer. Everything the
 * engine does beyond this (classifying, collapsing lists, printing, hashing tokens, making the result) can only add
 * to it, so the ratio of {@link #lexOnly} to {@code SqlEngineBenchmark.otelSanitizer} bounds the ratio the whole
 * engine can reach.
 *
 * <p>In package {@code io.pgintel.sql} because the lexer is internal to it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LexerFloorBenchmark {

  @Param({"mixed", "100-200"})
  public String corpus;

  private StatementCorpus.Cycle statements;
  private char[] chars = new char[512];
  private final Counter counter = new Counter();

  @Setup
  public void setUp() {
    statements = new StatementCorpus.Cycle(StatementCorpus.named(corpus));
  }

  /** Read the statement and find its tokens, nothing else; returns what the receiver saw so none of it is dead. */
  @Benchmark
  public long lexOnly() {
    String s = statements.next();
    int n = s.length();
    if (chars.length < n) {
      chars = new char[n * 2];
    }
    s.getChars(0, n, chars, 0);
    Counter c = counter;
    c.seen = 0;
    Lexer.lex(chars, n, false, c);
    return c.seen;
  }

  /** Takes every token and keeps a sum of what it was told, no more. */
  static final class Counter implements Lexer.Sink {
    long seen;

    @Override
    public void word(int start, int end, int keyword, long hash) {
      seen += end + keyword + hash;
    }

    @Override
    public void token(int kind, int start, int end) {
      seen += end + kind;
    }
  }
}
