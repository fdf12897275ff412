package io.pgintel.benchmarks;

import io.opentelemetry.instrumentation.api.incubator.semconv.db.SqlStatementSanitizer;
import io.opentelemetry.instrumentation.api.incubator.semconv.db.UncachedSanitizer;
import io.pgintel.sql.NormalizedQuery;
import io.pgintel.sql.SqlEngine;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * The SQL engine's speed as a ratio to OpenTelemetry's sanitizer, measured so that the machine's noise falls on
 * both alike: one JVM, the contestants taking turns in short slices (the order reversed every other round), and
 * the ratio taken within each round. {@link SqlEngineBenchmark} runs each contestant for its whole measurement in
 * turn, so a busy spell on this shared machine lowers one and not the other; here it lowers both in the same
 * round, and the median of the rounds' ratios is what the target names. {@link TokenBoundaries} and
 * {@link CanonicalFloor} run beside them as floors: what finding the tokens alone costs, and what printing and
 * hashing them with none of the engine's rules costs.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.pgintel.benchmarks.SqlEngineRatioBenchmark \
 *     [--corpus 100-200|mixed] [--rounds 30] [--slice-ms 400] [--warmup-rounds 10]
 * </pre>
 *
 * <p>Refuses to run when pgintel's outputs over the corpus differ from {@link SqlEngineBenchmark}'s recorded
 * digest, as that benchmark does.
 */
public final class SqlEngineRatioBenchmark {

  private static final String[] NAMES = {"pgintel", "otelSanitizerUncached", "otelSanitizer", "tokenBoundaries",
      "canonicalFloor"};
  /** Statements a contestant's loop analyses between two looks at the clock. */
  private static final int BATCH = 500;

  private static final TokenBoundaries BOUNDARIES = new TokenBoundaries();
  private static final CanonicalFloor FLOOR = new CanonicalFloor();
  private static long sink;

  private SqlEngineRatioBenchmark() {}

  public static void main(String[] args) {
    var options = new BenchmarkOptions(args, Set.of("corpus", "rounds", "slice-ms", "warmup-rounds"));
    String corpus = options.string("corpus", "100-200");
    int rounds = options.intValue("rounds", 30);
    long sliceNanos = options.intValue("slice-ms", 400) * 1_000_000L;
    int warmup = options.intValue("warmup-rounds", 10);
    String[] texts = SqlEngineBenchmark.checkedCorpus(corpus).toArray(new String[0]);
    SqlStatementSanitizer sanitizer = SqlStatementSanitizer.create(true);
    double[][] rates = new double[NAMES.length][rounds];
    for (int r = -warmup; r < rounds; r++) {
      for (int turn = 0; turn < NAMES.length; turn++) {
        int c = r % 2 == 0 ? turn : NAMES.length - 1 - turn;
        double rate = slice(c, texts, sanitizer, sliceNanos);
        if (r >= 0) {
          rates[c][r] = rate;
        }
      }
    }
    System.out.printf(Locale.ROOT, "corpus %s, %d rounds of %d ms slices after %d warm-up rounds%n", corpus, rounds,
        sliceNanos / 1_000_000, warmup);
    for (int c = 0; c < NAMES.length; c++) {
      double[] q = quartiles(rates[c]);
      System.out.printf(Locale.ROOT, "%-22s %,12.0f statements/s (quartiles %,.0f to %,.0f)%n", NAMES[c], q[1], q[0],
          q[2]);
    }
    for (int c = 1; c < NAMES.length; c++) {
      printRatio(rates, 0, c);
    }
    printRatio(rates, 3, 1);
    printRatio(rates, 4, 1);
    printRatio(rates, 4, 2);
    if (sink == 42) {
      System.out.println();
    }
  }

  /** The median and quartiles of the rounds' ratios of contestant {@code a} to {@code b}. */
  private static void printRatio(double[][] rates, int a, int b) {
    double[] ratio = new double[rates[a].length];
    for (int r = 0; r < ratio.length; r++) {
      ratio[r] = rates[a][r] / rates[b][r];
    }
    double[] q = quartiles(ratio);
    System.out.printf(Locale.ROOT, "%s / %-22s %.2fx (quartiles %.2f to %.2f)%n", NAMES[a], NAMES[b], q[1], q[0],
        q[2]);
  }

  /** Statements per second of contestant {@code c} over one slice; each contestant has a loop of its own. */
  private static double slice(int c, String[] texts, SqlStatementSanitizer sanitizer, long nanos) {
    int pos = (int) (System.nanoTime() & 0x3FFF) % texts.length;
    long t0 = System.nanoTime();
    long count = 0;
    long t;
    do {
      pos = switch (c) {
        case 0 -> pgintel(texts, pos);
        case 1 -> otelUncached(texts, pos);
        case 3 -> boundaries(texts, pos);
        case 4 -> floor(texts, pos);
        default -> otel(texts, pos, sanitizer);
      };
      count += BATCH;
    } while ((t = System.nanoTime()) - t0 < nanos);
    return count * 1e9 / (t - t0);
  }

  private static int pgintel(String[] texts, int pos) {
    long s = 0;
    for (int i = 0; i < BATCH; i++) {
      NormalizedQuery q = SqlEngine.analyzeUncached(texts[pos], false);
      s += q.fingerprint().length() + q.text().length();
      pos = pos + 1 == texts.length ? 0 : pos + 1;
    }
    sink += s;
    return pos;
  }

  private static int otelUncached(String[] texts, int pos) {
    long s = 0;
    for (int i = 0; i < BATCH; i++) {
      s += UncachedSanitizer.sanitize(texts[pos]).getFullStatement().length();
      pos = pos + 1 == texts.length ? 0 : pos + 1;
    }
    sink += s;
    return pos;
  }

  private static int boundaries(String[] texts, int pos) {
    long s = 0;
    for (int i = 0; i < BATCH; i++) {
      s += BOUNDARIES.scan(texts[pos]);
      pos = pos + 1 == texts.length ? 0 : pos + 1;
    }
    sink += s;
    return pos;
  }

  private static int floor(String[] texts, int pos) {
    long s = 0;
    for (int i = 0; i < BATCH; i++) {
      CanonicalFloor.Result r = FLOOR.print(texts[pos]);
      s += r.fingerprint().length() + r.text().length();
      pos = pos + 1 == texts.length ? 0 : pos + 1;
    }
    sink += s;
    return pos;
  }

  private static int otel(String[] texts, int pos, SqlStatementSanitizer sanitizer) {
    long s = 0;
    for (int i = 0; i < BATCH; i++) {
      s += sanitizer.sanitize(texts[pos]).getFullStatement().length();
      pos = pos + 1 == texts.length ? 0 : pos + 1;
    }
    sink += s;
    return pos;
  }

  /** First quartile, median and third quartile. */
  private static double[] quartiles(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return new double[] {v[v.length / 4], v[v.length / 2], v[(3 * v.length) / 4]};
  }
}
