package io.pgintel.collect;

import io.pgintel.Settings;
import io.pgintel.collect.activity.ActivityCollector;
import io.pgintel.collect.bgwriter.BackgroundWriterCollector;
import io.pgintel.collect.connections.ConnectionsCollector;
import io.pgintel.collect.database.DatabaseCollector;
import io.pgintel.collect.functions.FunctionsCollector;
import io.pgintel.collect.io.IoCollector;
import io.pgintel.collect.locks.LocksCollector;
import io.pgintel.collect.replication.ReplicationCollector;
import io.pgintel.collect.statements.StatementsCollector;
import io.pgintel.collect.tables.TablesCollector;
import io.pgintel.collect.vacuum.VacuumCollector;
import io.pgintel.collect.wal.WalCollector;
import io.pgintel.sql.SqlEngine;
import io.pgintel.trace.SessionRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The collectors pgintel ships, in the order their settings are listed. */
public final class BuiltInCollectors {

  private BuiltInCollectors() {}

  /** Name and default interval of every built-in collector, known before settings are read. */
  public static Map<String, Duration> defaultIntervals() {
    Map<String, Duration> defaults = new LinkedHashMap<>();
    defaults.put(DatabaseCollector.NAME, DatabaseCollector.DEFAULT_INTERVAL);
    defaults.put(ConnectionsCollector.NAME, ConnectionsCollector.DEFAULT_INTERVAL);
    defaults.put(BackgroundWriterCollector.NAME, BackgroundWriterCollector.DEFAULT_INTERVAL);
    defaults.put(WalCollector.NAME, WalCollector.DEFAULT_INTERVAL);
    defaults.put(ReplicationCollector.NAME, ReplicationCollector.DEFAULT_INTERVAL);
    defaults.put(StatementsCollector.NAME, StatementsCollector.DEFAULT_INTERVAL);
    defaults.put(ActivityCollector.NAME, ActivityCollector.DEFAULT_INTERVAL);
    defaults.put(TablesCollector.NAME, TablesCollector.DEFAULT_INTERVAL);
    defaults.put(VacuumCollector.NAME, VacuumCollector.DEFAULT_INTERVAL);
    defaults.put(LocksCollector.NAME, LocksCollector.DEFAULT_INTERVAL);
    defaults.put(IoCollector.NAME, IoCollector.DEFAULT_INTERVAL);
    defaults.put(FunctionsCollector.NAME, FunctionsCollector.DEFAULT_INTERVAL);
    return defaults;
  }

  /**
   * @param registry application sessions linked to spans ({@code pgintel.wrap(dataSource)})
   * @param sql the instance's SQL engine, for texts that arrive with their literals
   */
  public static List<Collector> create(Settings settings, SessionRegistry registry, SqlEngine sql) {
    return List.of(new DatabaseCollector(), new ConnectionsCollector(), new BackgroundWriterCollector(),
        new WalCollector(), new ReplicationCollector(), new StatementsCollector(settings),
        new ActivityCollector(settings, registry, sql), new TablesCollector(), new VacuumCollector(),
        new LocksCollector(), new IoCollector(), new FunctionsCollector());
  }
}
