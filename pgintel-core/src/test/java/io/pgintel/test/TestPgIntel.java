package io.pgintel.test;

import io.pgintel.PgIntel;
import io.pgintel.PgIntelBuilder;
import io.pgintel.collect.BuiltInCollectors;
import java.time.Duration;

/** Builders for tests: the server's postgres database, the test's telemetry, and patience for a busy machine. */
public final class TestPgIntel {

  private TestPgIntel() {}

  /**
   * A builder on a non-pooling DataSource. Opening a session can take longer than the default borrow timeout
   * on a loaded 2-core CI machine, and a skipped tick would make a test read stale values.
   */
  public static PgIntelBuilder builder(PgServer pg, TestTelemetry otel) {
    return PgIntel.builder().dataSource(pg.dataSource()).openTelemetry(otel.openTelemetry())
        .borrowTimeout(Duration.ofSeconds(10));
  }

  /** Switches off every built-in collector except the named ones. */
  public static PgIntelBuilder only(PgIntelBuilder builder, String... keep) {
    java.util.Set<String> wanted = java.util.Set.of(keep);
    for (String name : BuiltInCollectors.defaultIntervals().keySet()) {
      if (!wanted.contains(name)) {
        builder.collectorEnabled(name, false);
      }
    }
    return builder;
  }
}
