package io.pgintel.spring;

import io.pgintel.PgIntel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * The {@link PgIntel} instances of an application, one per PostgreSQL database its DataSource beans reach. They
 * are built (and their settings checked) when this bean is created, start once the context has been refreshed
 * and close when it shuts down.
 *
 * <p>Inject it to reach an instance: {@code monitors.forDataSource("dataSource").collectNow()}.
 */
public final class PgIntelMonitors implements SmartLifecycle, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(PgIntelMonitors.class);

  private final List<Monitor> monitors;
  /** Sessions of pgintel's own ({@code pgintel.session.own-connection}), closed after the instances. */
  private final List<AutoCloseable> ownSessions;
  private volatile boolean running;

  PgIntelMonitors(List<Monitor> monitors, List<AutoCloseable> ownSessions) {
    this.monitors = List.copyOf(monitors);
    this.ownSessions = List.copyOf(ownSessions);
  }

  /**
   * One monitored database.
   *
   * @param dataSource the name of the DataSource bean pgintel borrows connections from
   * @param database what identifies the database: {@code host:port/name} from the JDBC URL, or
   *     {@code bean:<name>} when the DataSource does not expose its URL
   * @param sharedWith other DataSource beans that reach the same database and so are not monitored twice
   */
  public record Monitor(String dataSource, String database, List<String> sharedWith, PgIntel pgintel) {

    public Monitor {
      sharedWith = List.copyOf(sharedWith);
    }
  }

  public List<Monitor> monitors() {
    return monitors;
  }

  /** Instances by the name of the DataSource bean each one reads through, in bean registration order. */
  public Map<String, PgIntel> byDataSource() {
    Map<String, PgIntel> out = new LinkedHashMap<>();
    for (Monitor m : monitors) {
      out.put(m.dataSource(), m.pgintel());
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * The instance that monitors the database of this DataSource bean (also when another bean reaching the same
   * database was chosen to read it), or null.
   */
  public PgIntel forDataSource(String beanName) {
    for (Monitor m : monitors) {
      if (m.dataSource().equals(beanName) || m.sharedWith().contains(beanName)) {
        return m.pgintel();
      }
    }
    return null;
  }

  /** Runs every collector of every instance once, now, on the calling thread. For tests and tools. */
  public void collectNow() {
    for (Monitor m : monitors) {
      m.pgintel().collectNow();
    }
  }

  @Override
  public void start() {
    for (Monitor m : monitors) {
      m.pgintel().start();
    }
    running = true;
  }

  /** Closes every instance: a {@link PgIntel} cannot be started again once stopped. */
  @Override
  public void stop() {
    running = false;
    for (Monitor m : monitors) {
      try {
        m.pgintel().close();
      } catch (RuntimeException e) {
        // shutting down: one instance's failure must not keep the others (or the DataSources) open
        log.warn("pgintel: closing the monitor of DataSource '{}' failed: {}", m.dataSource(), e.toString());
      }
    }
    closeAll(ownSessions);
  }

  /** Sessions of pgintel's own, made for {@code pgintel.session.own-connection}; for tests. */
  List<AutoCloseable> ownSessions() {
    return ownSessions;
  }

  /** Closes each of {@code sessions}; one that fails is logged and the rest are still closed. */
  static void closeAll(List<AutoCloseable> sessions) {
    for (AutoCloseable own : sessions) {
      try {
        own.close();
      } catch (Exception e) {
        log.warn("pgintel: closing its own session failed: {}", e.toString());
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Last to start and first to stop, so that collection stops before any pool closes. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE;
  }

  @Override
  public void destroy() {
    // the context may be closed without ever having started (a failed refresh): still release everything
    stop();
  }
}
