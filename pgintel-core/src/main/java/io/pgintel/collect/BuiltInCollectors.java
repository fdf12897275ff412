package io.pgintel.collect;

import io.pgintel.Settings;
import io.pgintel.collect.activity.ActivityCollector;
import io.pgintel.collect.bgwriter.BackgroundWriterCollector;
import io.pgintel.collect.buffercache.BuffercacheCollector;
import io.pgintel.collect.connections.ConnectionsCollector;
import io.pgintel.collect.database.DatabaseCollector;
import io.pgintel.collect.functions.FunctionsCollector;
import io.pgintel.collect.io.IoCollector;
import io.pgintel.collect.locks.LocksCollector;
import io.pgintel.collect.plans.PlansCollector;
import io.pgintel.collect.replication.ReplicationCollector;
import io.pgintel.collect.schema.SchemaCollector;
import io.pgintel.collect.settings.SettingsCollector;
import io.pgintel.collect.statements.StatementsCollector;
import io.pgintel.collect.tables.TablesCollector;
import io.pgintel.collect.vacuum.VacuumCollector;
import io.pgintel.collect.wal.WalCollector;
import io.pgintel.sql.SqlEngine;
import io.pgintel.trace.SessionRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The collectors pgintel ships, in the order their settings are listed: one list, so that the names and default
 * intervals known before settings are read and the collectors made after cannot drift apart.
 */
public final class BuiltInCollectors {

  /** What a collector may need when it is made. */
  private record Context(Settings settings, SessionRegistry registry, SqlEngine sql) {}

  private record BuiltIn(String name, Duration defaultInterval, Function<Context, Collector> make) {}

  /**
   * Collectors that run only when switched on: {@code plans} sends statements of the application's to the server
   * (as {@code EXPLAIN}), which an operator should choose to allow; {@code buffercache} needs an extension and
   * reads a row per shared buffer.
   */
  private static final Set<String> OFF_BY_DEFAULT = Set.of(PlansCollector.NAME, BuffercacheCollector.NAME);

  private static final List<BuiltIn> ALL = List.of(
      new BuiltIn(DatabaseCollector.NAME, DatabaseCollector.DEFAULT_INTERVAL, c -> new DatabaseCollector()),
      new BuiltIn(ConnectionsCollector.NAME, ConnectionsCollector.DEFAULT_INTERVAL, c -> new ConnectionsCollector()),
      new BuiltIn(BackgroundWriterCollector.NAME, BackgroundWriterCollector.DEFAULT_INTERVAL,
          c -> new BackgroundWriterCollector()),
      new BuiltIn(WalCollector.NAME, WalCollector.DEFAULT_INTERVAL, c -> new WalCollector()),
      new BuiltIn(ReplicationCollector.NAME, ReplicationCollector.DEFAULT_INTERVAL, c -> new ReplicationCollector()),
      new BuiltIn(StatementsCollector.NAME, StatementsCollector.DEFAULT_INTERVAL,
          c -> new StatementsCollector(c.settings(), c.registry() == null ? null : c.registry().callSites())),
      new BuiltIn(ActivityCollector.NAME, ActivityCollector.DEFAULT_INTERVAL,
          c -> new ActivityCollector(c.settings(), c.registry(), c.sql())),
      new BuiltIn(TablesCollector.NAME, TablesCollector.DEFAULT_INTERVAL, c -> new TablesCollector()),
      new BuiltIn(VacuumCollector.NAME, VacuumCollector.DEFAULT_INTERVAL, c -> new VacuumCollector()),
      new BuiltIn(LocksCollector.NAME, LocksCollector.DEFAULT_INTERVAL, c -> new LocksCollector()),
      new BuiltIn(IoCollector.NAME, IoCollector.DEFAULT_INTERVAL, c -> new IoCollector()),
      new BuiltIn(FunctionsCollector.NAME, FunctionsCollector.DEFAULT_INTERVAL, c -> new FunctionsCollector()),
      new BuiltIn(SettingsCollector.NAME, SettingsCollector.DEFAULT_INTERVAL, c -> new SettingsCollector()),
      new BuiltIn(SchemaCollector.NAME, SchemaCollector.DEFAULT_INTERVAL, c -> new SchemaCollector()),
      new BuiltIn(PlansCollector.NAME, PlansCollector.DEFAULT_INTERVAL, c -> new PlansCollector(c.settings(),
          c.registry() == null ? null : c.registry().callSites())),
      new BuiltIn(BuffercacheCollector.NAME, BuffercacheCollector.DEFAULT_INTERVAL, c -> new BuffercacheCollector()));

  private BuiltInCollectors() {}

  /** Name and default interval of every built-in collector, known before settings are read. */
  public static Map<String, Duration> defaultIntervals() {
    Map<String, Duration> defaults = new LinkedHashMap<>();
    for (BuiltIn b : ALL) {
      defaults.put(b.name(), b.defaultInterval());
    }
    return defaults;
  }

  /** Whether a collector runs when settings do not say; true for every collector not built in. */
  public static boolean enabledByDefault(String name) {
    return !OFF_BY_DEFAULT.contains(name);
  }

  /**
   * @param registry application sessions linked to spans ({@code pgintel.wrap(dataSource)})
   * @param sql the instance's SQL engine, for texts that arrive with their literals
   */
  public static List<Collector> create(Settings settings, SessionRegistry registry, SqlEngine sql) {
    Context context = new Context(settings, registry, sql);
    List<Collector> out = new ArrayList<>(ALL.size());
    for (BuiltIn b : ALL) {
      out.add(b.make().apply(context));
    }
    return List.copyOf(out);
  }
}
