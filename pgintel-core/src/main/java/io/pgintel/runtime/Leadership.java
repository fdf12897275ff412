package io.pgintel.runtime;

import java.time.Instant;

/**
 * Whether this instance collects: always, or only while it leads the instances of an application that share a
 * database ({@link LeaderElection}).
 */
@FunctionalInterface
public interface Leadership {

  /** An instance alone: it collects from the start. */
  Leadership ALWAYS = () -> Instant.EPOCH;

  /** Since when this instance collects; null while it stands by for another instance that does. */
  Instant since();
}
