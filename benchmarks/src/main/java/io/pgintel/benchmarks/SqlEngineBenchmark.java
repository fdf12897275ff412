package io.pgintel.benchmarks;

import io.opentelemetry.instrumentation.api.incubator.semconv.db.SqlStatementSanitizer;
import io.opentelemetry.instrumentation.api.incubator.semconv.db.UncachedSanitizer;
import io.pgintel.sql.NormalizedQuery;
import io.pgintel.sql.SqlEngine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Statements per second, single thread, over 10,000 distinct generated statements (so no cache answers):
 * pgintel's fingerprint + normalization against OpenTelemetry Java's {@code SqlStatementSanitizer} and
 * JSqlParser, in the same run. Two corpora ({@code -p corpus=...}): {@code mixed}, the generator's first 10,000
 * statements (mean 124 characters, 9 % of them under 100), and {@code 100-200}, the first 10,000 of its statements
 * that are 100 to 200 characters long, the length the SQL engine's speed target names.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SqlEngineBenchmark {

  /**
   * First 8 bytes of SHA-256 over every fingerprint and normalized text of the corpus, as recorded when the engine
   * was last tuned: a faster figure only counts while the measured work still gives exactly these outputs.
   */
  static final String OUTPUTS_DIGEST = "717175419bf8fedb";
  /** {@link #OUTPUTS_DIGEST} of the {@code 100-200} corpus. */
  static final String OUTPUTS_DIGEST_100_200 = "9770ffaa4fdc8569";

  @Param({"mixed", "100-200"})
  public String corpus;

  private StatementCorpus.Cycle statements;
  private final SqlStatementSanitizer sanitizer = SqlStatementSanitizer.create(true);

  @Setup
  public void setUp() {
    statements = new StatementCorpus.Cycle(checkedCorpus(corpus));
  }

  /** The corpus named {@code corpus}, once pgintel's outputs over it are found to be the recorded ones. */
  static List<String> checkedCorpus(String corpus) {
    List<String> corpusStatements = StatementCorpus.named(corpus);
    String recorded = corpus.equals("mixed") ? OUTPUTS_DIGEST : OUTPUTS_DIGEST_100_200;
    String digest = outputsDigest(corpusStatements);
    if (!digest.equals(recorded)) {
      throw new IllegalStateException("pgintel's outputs over the " + corpus + " corpus changed: digest " + digest
          + ", recorded " + recorded + ". Record the new digest only for a deliberate rule change.");
    }
    return corpusStatements;
  }

  static String outputsDigest(List<String> statements) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String s : statements) {
        NormalizedQuery q = SqlEngine.analyzeUncached(s, false);
        sha.update((q.fingerprint() + '\t' + q.text() + '\n').getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Fingerprint and normalized text, both as strings. The summary (operation, tables) is worked out on first use,
   * so it is not part of this figure.
   */
  @Benchmark
  public void pgintel(Blackhole bh) {
    NormalizedQuery q = SqlEngine.analyzeUncached(statements.next(), false);
    bh.consume(q.fingerprint());
    bh.consume(q.text());
  }

  /** OpenTelemetry's public entry: its cache (1,000 statements, never hit by this corpus) in front of its lexer. */
  @Benchmark
  public Object otelSanitizer() {
    return sanitizer.sanitize(statements.next());
  }

  /** OpenTelemetry's lexer without its cache in front, as {@link #pgintel} runs without pgintel's. */
  @Benchmark
  public Object otelSanitizerUncached() {
    return UncachedSanitizer.sanitize(statements.next());
  }

  @Benchmark
  @Warmup(iterations = 1, time = 2)
  @Measurement(iterations = 2, time = 2)
  public void jsqlparser(Blackhole bh) {
    try {
      bh.consume(CCJSqlParserUtil.parse(statements.next()));
    } catch (Exception e) {
      bh.consume(e);
    }
  }
}
