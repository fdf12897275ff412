package io.pgintel.trace;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.opentelemetry.api.trace.SpanContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

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
  /** How long a span stays the query's example: a trace that old may be gone from the tracing backend. */
  static final long EXAMPLE_NANOS = 15L * 60 * 1_000_000_000L;

  private final Cache<Long, Lines> byFingerprint = Caffeine.newBuilder().maximumSize(MAX_QUERIES).build();

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

  /** Queries with lines known; for tests and self-telemetry. */
  public long queries() {
    return byFingerprint.estimatedSize();
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
