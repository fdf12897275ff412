package io.pgintel.trace;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.opentelemetry.api.trace.SpanContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Which lines of the application's code run each query (by fingerprint), learnt from statements caught running
 * ({@link SessionRegistry#sampleStatements}): how many times each line was seen running it, and the latest span of
 * the application's seen running it (a trace to look at for an example).
 *
 * <p>Bounded twice: {@link #MAX_QUERIES} queries (the least used go first) and {@link #TRACKED} lines a query. A
 * query run from more lines than that keeps the lines seen most, as the space-saving algorithm does: a new line
 * takes the place of the least seen one and its count plus one, so that a line seen more often than one sample in
 * {@link #TRACKED} is always among those kept, and a count overstates by at most what it inherited.
 */
public final class CallSites {

  static final int MAX_QUERIES = 2_000;
  static final int TRACKED = 8;
  static final int VARIANTS = 4;
  /** How long a span stays the query's example: a trace that old may be gone from the tracing backend. */
  static final long EXAMPLE_NANOS = 15L * 60 * 1_000_000_000L;

  private final Cache<Long, Lines> byFingerprint = Caffeine.newBuilder().maximumSize(MAX_QUERIES).build();
  /**
   * The fingerprints pg_stat_activity showed running under each query id: PostgreSQL gives one query id to texts
   * that differ only by their aliases (or a schema, a cast), whose fingerprints differ, and pg_stat_statements
   * keeps the text it saw first. At most {@link #VARIANTS} a query id.
   */
  private final Cache<Long, long[]> fingerprintsByQueryId = Caffeine.newBuilder().maximumSize(MAX_QUERIES).build();
  private final LongAdder counted = new LongAdder();
  private final LongAdder ended = new LongAdder();
  private final LongAdder noLine = new LongAdder();
  private final LongAdder readNanos = new LongAdder();

  /**
   * Stack reads since pgintel started, by outcome, and the time they took: what learning the lines costs.
   *
   * @param counted reads that caught a statement's line
   * @param ended reads the statement did not last through (it ended, or another began): counted for nothing
   * @param noLine reads that found no frame of the application's (all JDBC, pool, framework or JDK code)
   * @param readSeconds time the reads took, on pgintel's thread
   * @param queries queries with lines known now
   */
  public record Reads(long counted, long ended, long noLine, double readSeconds, long queries) {}

  /** What the stack reads came to so far. */
  public Reads reads() {
    return new Reads(counted.sum(), ended.sum(), noLine.sum(), readNanos.sum() / 1e9, byFingerprint.estimatedSize());
  }

  /** One round of stack reads: {@code nanos} for all of them, and how many caught a line or not. */
  void read(long nanos, int caught, int endedMeanwhile, int withoutLine) {
    readNanos.add(nanos);
    counted.add(caught);
    ended.add(endedMeanwhile);
    noLine.add(withoutLine);
  }

  /** A line of code seen running a query, and how many samples caught it there. */
  public record Count(CallSite site, long samples) {}

  /**
   * What is known of a query's lines.
   *
   * @param sites most seen first (ties by name); empty when none was seen
   * @param span the latest span a sample caught it running in within the last 15 minutes, or null
   */
  public record Seen(List<Count> sites, SpanContext span) {
    public static final Seen NONE = new Seen(List.of(), null);
  }

  /**
   * One sample: {@code site} was running the query of {@code fingerprint}.
   *
   * @param span the application's span it ran in, or null
   */
  public void record(long fingerprint, CallSite site, SpanContext span) {
    byFingerprint.get(fingerprint, f -> new Lines()).add(site, span);
  }

  /** What is known of a query's lines; {@link Seen#NONE} when nothing is. */
  public Seen of(long fingerprint) {
    Lines lines = byFingerprint.getIfPresent(fingerprint);
    return lines == null ? Seen.NONE : lines.seen();
  }

  /**
   * What is known of the lines of a pg_stat_statements entry: those of its text's fingerprint, else those of a text
   * pg_stat_activity showed running under its query id (the application's text may differ from the one the entry
   * kept by an alias).
   */
  public Seen of(long fingerprint, long queryId) {
    Seen seen = of(fingerprint);
    long[] variants = seen.sites().isEmpty() ? fingerprintsByQueryId.getIfPresent(queryId) : null;
    if (variants != null) {
      for (long variant : variants) {
        Seen other = of(variant);
        if (!other.sites().isEmpty()) {
          return other;
        }
      }
    }
    return seen;
  }

  /** pg_stat_activity showed a statement of {@code fingerprint} running under {@code queryId}. */
  public void runsAs(long fingerprint, long queryId) {
    long[] known = fingerprintsByQueryId.getIfPresent(queryId);
    if (known == null) {
      fingerprintsByQueryId.put(queryId, new long[] {fingerprint});
      return;
    }
    for (long f : known) {
      if (f == fingerprint) {
        return;
      }
    }
    if (known.length < VARIANTS) {
      long[] more = java.util.Arrays.copyOf(known, known.length + 1);
      more[known.length] = fingerprint;
      fingerprintsByQueryId.put(queryId, more);
    }
  }

  /** The lines of one query; written by the sampler, read by whoever reports the query. */
  private static final class Lines {
    private final CallSite[] sites = new CallSite[TRACKED];
    private final long[] samples = new long[TRACKED];
    private int size;
    private SpanContext span;
    private long spanAt;

    synchronized void add(CallSite site, SpanContext sampleSpan) {
      if (sampleSpan != null) {
        span = sampleSpan;
        spanAt = System.nanoTime();
      }
      int least = 0;
      for (int i = 0; i < size; i++) {
        if (sites[i].equals(site)) {
          samples[i]++;
          return;
        }
        if (samples[i] < samples[least]) {
          least = i;
        }
      }
      if (size < TRACKED) {
        sites[size] = site;
        samples[size++] = 1;
      } else {
        sites[least] = site;
        samples[least]++;
      }
    }

    synchronized Seen seen() {
      List<Count> out = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        out.add(new Count(sites[i], samples[i]));
      }
      out.sort(Comparator.comparingLong(Count::samples).reversed()
          .thenComparing(c -> c.site().toString()));
      boolean recent = span != null && System.nanoTime() - spanAt < EXAMPLE_NANOS;
      return new Seen(List.copyOf(out), recent ? span : null);
    }
  }
}
