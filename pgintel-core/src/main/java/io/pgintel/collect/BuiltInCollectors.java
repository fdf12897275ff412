package io.pgintel.collect;

import io.pgintel.collect.bgwriter.BackgroundWriterCollector;
import io.pgintel.collect.connections.ConnectionsCollector;
import io.pgintel.collect.database.DatabaseCollector;
import io.pgintel.collect.wal.WalCollector;
import java.util.List;

/** The collectors pgintel ships, in the order their settings are listed. */
public final class BuiltInCollectors {

  private BuiltInCollectors() {}

  public static List<Collector> all() {
    return List.of(new DatabaseCollector(), new ConnectionsCollector(), new BackgroundWriterCollector(),
        new WalCollector());
  }
}
