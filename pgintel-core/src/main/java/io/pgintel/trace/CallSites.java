package io.pgintel.trace;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which lines of the application's code run each query (by fingerprint), learnt from statements caught running
 * ({@link SessionRegistry#sampleStatements}): how many times each line was seen running it.
 *
 * <p>Bounded twice: {@link #MAX_QUERIES} queries (the least used go first) and {@link #TRACKED} lines a query. A
 * query run from more lines than that keeps the lines seen most, as the space-saving algorithm does: a new line
 * takes the place of the least seen one and its count plus one, so that a line seen more often than one sample in
 * {@link #TRACKED} is always among those kept, and a count overstates by at most what it inherited.
 */
public final class CallSites {

  static final int MAX_QUERIES = 2_000;
  static final int TRACKED = 8;

  private final Cache<Long, Lines> byFingerprint = Caffeine.newBuilder().maximumSize(MAX_QUERIES).build();

  /** A line of code seen running a query, and how many samples caught it there. */
  public record Count(CallSite site, long samples) {}

  /** One sample: {@code site} was running the query of {@code fingerprint}. */
  public void record(long fingerprint, CallSite site) {
    byFingerprint.get(fingerprint, f -> new Lines()).add(site);
  }

  /** The lines seen running a query, most seen first (ties by name); empty when none was. */
  public List<Count> of(long fingerprint) {
    Lines lines = byFingerprint.getIfPresent(fingerprint);
    return lines == null ? List.of() : lines.counts();
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

    synchronized void add(CallSite site) {
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

    synchronized List<Count> counts() {
      List<Count> out = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        out.add(new Count(sites[i], samples[i]));
      }
      out.sort(Comparator.comparingLong(Count::samples).reversed()
          .thenComparing(c -> c.site().toString()));
      return out;
    }
  }
}
