package io.pgintel.collect;

import java.time.Duration;
import java.util.Objects;

/** A collector whose name and default interval are fixed when it is made: every built-in one. */
public abstract class NamedCollector implements Collector {

  private final String name;
  private final Duration defaultInterval;

  protected NamedCollector(String name, Duration defaultInterval) {
    this.name = Objects.requireNonNull(name, "name");
    this.defaultInterval = Objects.requireNonNull(defaultInterval, "defaultInterval");
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final Duration defaultInterval() {
    return defaultInterval;
  }
}
