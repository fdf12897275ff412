package io.pgintel.spring;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.MeterProvider;
import io.pgintel.PgIntel;
import io.pgintel.PgIntelBuilder;
import io.pgintel.internal.OwnConnection;
import io.pgintel.spring.DataSourceInspector.Inspected;
import io.pgintel.spring.DataSourceInspector.Kind;
import io.pgintel.spring.PgIntelMonitors.Monitor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which DataSource beans pgintel reads through and builds one {@link PgIntel} per database they reach.
 *
 * <p>Order of the decisions, each logged once: the agent already monitors this JVM (nothing at all); bean names
 * not included or excluded; routing DataSources (their targets are monitored when they are beans themselves);
 * DataSources of other databases; then beans reaching a database an earlier bean already covers.
 */
final class MonitorFactory {

  /** Set by the pgintel Java agent: it monitors this JVM, so the starter stands down. */
  static final String AGENT_ACTIVE = "pgintel.agent.active";

  private static final Logger log = LoggerFactory.getLogger(MonitorFactory.class);

  private static final String STATE_FILE = "pgintel.circuit.state-file";

  private MonitorFactory() {}

  static PgIntelMonitors create(Map<String, DataSource> beans, PgIntelProperties properties,
      OpenTelemetry openTelemetry, SessionRegistries registries) {
    if (Boolean.getBoolean(AGENT_ACTIVE)) {
      log.info("pgintel: the pgintel agent is active in this JVM (-D{}=true); the Spring starter monitors nothing",
          AGENT_ACTIVE);
      return new PgIntelMonitors(List.of(), List.of());
    }
    Map<String, List<Inspected>> byDatabase = select(beans, properties.getDatasources());
    if (openTelemetry != null) {
      warnWhenMetricsAreDropped(openTelemetry);
    }
    Map<String, Object> settings = properties.toSettings();
    // a value core refuses makes no copy: core's build then fails naming the property
    Object ownValue = settings.get(OwnSession.PROPERTY);
    boolean own = ownValue == null
        || List.of("true", "when-pool-exhausted").contains(ownValue.toString().trim().toLowerCase(Locale.ROOT));
    Duration ownWait = ownSessionWait(properties.getSession().getBorrowTimeout());
    List<Monitor> monitors = new ArrayList<>();
    List<AutoCloseable> ownSessions = new ArrayList<>();
    try {
      byDatabase.forEach((database, inspected) -> {
        Inspected chosen = inspected.get(0);
        PgIntelBuilder builder = PgIntel.builder().dataSource(chosen.target()).settings(settings)
            .sessionRegistry(registries.forDatabase(database));
        Object stateFile = settings.get(STATE_FILE);
        if (stateFile != null && byDatabase.size() > 1) {
          // one file per monitored DataSource: one database's open circuits must not come back for another's
          builder.setting(STATE_FILE, stateFile + "." + chosen.beanName());
        }
        if (openTelemetry != null) {
          builder.openTelemetry(openTelemetry);
        }
        ownSession(builder, chosen, own, ownWait, ownSessions);
        List<String> others = inspected.stream().skip(1).map(Inspected::beanName).toList();
        monitors.add(new Monitor(chosen.beanName(), database, others, build(builder)));
        if (!others.isEmpty()) {
          log.info("pgintel: DataSources {} reach the same database as '{}' ({}); monitored once", others,
              chosen.beanName(), database);
        }
      });
    } catch (RuntimeException e) {
      monitors.forEach(m -> m.pgintel().close());
      PgIntelMonitors.closeAll(ownSessions);
      throw e;
    }
    if (monitors.isEmpty()) {
      log.info("pgintel: no PostgreSQL DataSource to monitor among {}", beans.keySet());
    }
    return new PgIntelMonitors(monitors, ownSessions);
  }

  /**
   * How long a borrow from pgintel's own session waits for its one connection: longer than pgintel waits for it
   * ({@code borrow-timeout}), so that a wait pgintel gave up on is never taken for a session that cannot connect.
   */
  static Duration ownSessionWait(Duration borrowTimeout) {
    // unset: core's default (1 s), far below the floor
    return OwnConnection.waitFor(borrowTimeout == null ? Duration.ZERO : borrowTimeout);
  }

  /**
   * Gives the instance a copy of a HikariCP pool to read through as {@code pgintel.session.own-connection} says
   * (which core reads: while the pool is exhausted, or always); core makes a session of its own for the other
   * pools it knows, from what their configuration says.
   */
  private static void ownSession(PgIntelBuilder builder, Inspected chosen, boolean wanted, Duration wait,
      List<AutoCloseable> ownSessions) {
    if (!wanted || !OwnSession.copyable(chosen.target())) {
      return;
    }
    Optional<DataSource> own = OwnSession.beside(chosen.beanName(), chosen.target(), wait);
    if (own.isPresent()) {
      ownSessions.add((AutoCloseable) own.get());
      builder.exhaustedPoolDataSource(own.get());
    } else {
      // the copy failed (said so): core's plainer session would miss what the copy could not take over
      builder.setting(OwnSession.PROPERTY, "false");
    }
  }

  /** The selected PostgreSQL beans, grouped by the database they reach, in bean registration order. */
  static Map<String, List<Inspected>> select(Map<String, DataSource> beans, PgIntelProperties.DataSources names) {
    for (String name : names.getInclude()) {
      if (!beans.containsKey(name)) {
        log.warn("pgintel.datasources.include names '{}', which is not a DataSource bean; DataSource beans: {}",
            name, beans.keySet());
      }
    }
    Map<String, List<Inspected>> byDatabase = new LinkedHashMap<>();
    beans.forEach((name, bean) -> {
      if (!names.getInclude().isEmpty() && !names.getInclude().contains(name)) {
        log.debug("pgintel: DataSource '{}' is not in pgintel.datasources.include; not monitored", name);
        return;
      }
      if (names.getExclude().contains(name)) {
        log.debug("pgintel: DataSource '{}' is in pgintel.datasources.exclude; not monitored", name);
        return;
      }
      Inspected inspected = DataSourceInspector.inspect(name, bean);
      if (inspected.kind() == Kind.ROUTING) {
        log.info("pgintel: DataSource '{}' routes to other DataSources; not monitored itself (its targets are, "
            + "when they are beans)", name);
        return;
      }
      if (inspected.kind() == Kind.OTHER_DATABASE) {
        log.debug("pgintel: DataSource '{}' is not PostgreSQL ({}); not monitored", name,
            inspected.url() != null ? inspected.url() : inspected.driverClassName());
        return;
      }
      byDatabase.computeIfAbsent(inspected.databaseKey(), k -> new ArrayList<>()).add(inspected);
    });
    return byDatabase;
  }

  private static PgIntel build(PgIntelBuilder builder) {
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new InvalidPgIntelSettingException(e);
    }
  }

  /**
   * Boot 3.5 with Actuator makes an OpenTelemetry SDK of its own, whose meter provider has no reader unless the
   * application declares one; the SDK then hands out no-op meters and pgintel's metrics go nowhere. Using the
   * bean is still right (it is the application's choice, and its logs may be exported), but say so.
   */
  private static void warnWhenMetricsAreDropped(OpenTelemetry openTelemetry) {
    Class<?> noop = MeterProvider.noop().get("io.pgintel").getClass();
    if (openTelemetry.getMeterProvider().get("io.pgintel").getClass() == noop) {
      log.warn("pgintel: the application's OpenTelemetry bean has no metric reader, so pgintel's metrics are "
          + "dropped; give its SDK a metric reader (an SdkMeterProvider bean with an exporter)");
    }
  }
}
