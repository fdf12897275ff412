package io.pgintel.runtime;

import io.pgintel.collect.connections.ConnectionGroup;
import io.pgintel.collect.connections.ConnectionLimits;
import io.pgintel.collect.connections.ConnectionsCollector;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breakers of one pgintel instance: one per collector and one for the server (the monitored
 * database's), which every collection must also pass. The server breaker opens when pgintel gets no session
 * (consecutive {@linkplain #sessionFailure session failures} of any collector) or the server is under pressure:
 * when active sessions reach a share of the connections available, as the {@code connections} collector reads
 * them, or client connections do while pgintel's sessions open connections of their own ({@link #pressure}).
 * Monitoring then backs off exactly when the database struggles; while it is open only one probe at a time goes
 * through (the {@code connections} collector's reading decides whether the pressure is over).
 *
 * <p>With a state file, open breakers are written there on every change (a temporary file moved into place, so a
 * crash leaves the old or the new file, never half of one) and read back at start, so that a restarted
 * application does not hammer a database that was sick a minute ago. A file that cannot be read is ignored with
 * a warning.
 */
public final class Breakers {

  /**
   * Name of the breaker every collection passes: it protects the server (connection pressure is server-wide) and
   * is not named after the {@code database} collector, which has a breaker of its own.
   */
  public static final String SERVER = "server";

  private static final Logger log = LoggerFactory.getLogger(Breakers.class);
  private static final String CLIENT_BACKEND = "client backend";

  private final boolean enabled;
  private final int threshold;
  private final double slowShare;
  private final double pressureShare;
  private final Duration firstPause;
  private final Duration longestPause;
  private final Path stateFile;
  private final RateLimitedLog fileLog = new RateLimitedLog(log, Duration.ofMinutes(10));
  private final Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
  private final Properties restored = new Properties();
  private final Map<String, CircuitBreaker.State> logged = new java.util.HashMap<>();
  private String serverProbe;
  /** The server breaker opened for pressure: only a reading of the connections can close it. */
  private boolean pressureTrip;
  /** Whether the connections collector's previous reading was made in a session opened for it. */
  private boolean newSessionBefore;
  private Properties unsaved;
  private final Object fileLock = new Object();
  /** The collector whose reading tells whether connection pressure is over; null when it does not run. */
  private final String limitsReader;

  /**
   * @param slowSharePercent a collection taking more than this percent of its interval counts as a failure
   * @param pressurePercent active sessions (or connections, see {@link #pressure}) at this percent of those available
   *     trip the server breaker
   * @param stateFile where open breakers are kept across restarts; null for nowhere
   */
  public Breakers(boolean enabled, int threshold, double slowSharePercent, double pressurePercent,
      Duration firstPause, Duration longestPause, Path stateFile) {
    this(enabled, threshold, slowSharePercent, pressurePercent, firstPause, longestPause, stateFile,
        ConnectionsCollector.NAME);
  }

  /**
   * @param limitsReader the collector that reads the connection limits (the {@code connections} collector), or
   *     null when it does not run: after a pressure trip only it may probe
   */
  public Breakers(boolean enabled, int threshold, double slowSharePercent, double pressurePercent,
      Duration firstPause, Duration longestPause, Path stateFile, String limitsReader) {
    this.limitsReader = limitsReader;
    this.enabled = enabled;
    this.threshold = threshold;
    this.slowShare = slowSharePercent / 100;
    this.pressureShare = pressurePercent / 100;
    // pgintel.backoff.max bounds every pause, a breaker's first one too
    this.firstPause = firstPause.compareTo(longestPause) > 0 ? longestPause : firstPause;
    this.longestPause = longestPause;
    this.stateFile = stateFile;
    if (enabled && stateFile != null) {
      load();
    }
    breaker(SERVER);
  }

  /** Whether {@code collector} may collect now. */
  public synchronized boolean allow(String collector, long now) {
    if (!enabled) {
      return true;
    }
    CircuitBreaker db = breaker(SERVER);
    CircuitBreaker own = breaker(collector);
    boolean dbWasClosed = db.state() == CircuitBreaker.State.CLOSED;
    if (!dbWasClosed && pressureTrip && limitsReader != null && !collector.equals(limitsReader)) {
      // only a reading of the connections tells that the pressure is over: the probe waits for it (a faster
      // collector taking every turn would hold the breaker half-open for good)
      return false;
    }
    if (!db.allow(now)) {
      return false;
    }
    if (!dbWasClosed) {
      serverProbe = collector;
    }
    if (!own.allow(now)) {
      if (collector.equals(serverProbe)) {
        db.abandon();
        serverProbe = null;
      }
      return false;
    }
    return true;
  }

  /**
   * {@code collector} runs now whatever its breakers say (asked for explicitly); its outcome counts as a probe of
   * the database.
   */
  public synchronized void probe(String collector) {
    if (enabled && breaker(SERVER).state() != CircuitBreaker.State.CLOSED
        && (serverProbe == null || !serverProbe.equals(limitsReader))) {
      // of several run at once, the one that can tell the pressure is over probes
      serverProbe = collector;
    }
  }

  /** A collection ended well; its records may tell the database's pressure. */
  public void succeeded(String collector, long now, Duration took, Duration interval,
      List<? extends Record> records) {
    synchronized (this) {
      if (!enabled) {
        return;
      }
      CircuitBreaker own = breaker(collector);
      boolean changed;
      if (took.toNanos() > slowShare * interval.toNanos()) {
        changed = own.failure(now, "slow: took " + took.toMillis() + " ms of a " + interval.toMillis()
            + " ms interval");
      } else {
        changed = own.success();
      }
      CircuitBreaker server = breaker(SERVER);
      boolean probe = collector.equals(serverProbe);
      ConnectionLimits limits = limits(records);
      boolean reading = limits != null;
      String pressure = null;
      if (reading) {
        // one new session is a pool renewing a connection; two in a row, a DataSource that opens one per session
        boolean opensConnections = limits.newSession() && newSessionBefore;
        newSessionBefore = limits.newSession();
        pressure = pressure(records, opensConnections);
      }
      if (pressure != null) {
        changed |= server.trip(now, pressure);
        pressureTrip = true;
      } else if (server.state() == CircuitBreaker.State.CLOSED || probe && (reading || !pressureTrip)) {
        changed |= server.success();
        pressureTrip = false;
      } else if (probe) {
        // this collector cannot tell whether the pressure is over: the connections collector's probe will
        server.abandon();
      }
      settle(probe, changed, now);
    }
    writeUnsaved();
  }

  /**
   * Whether a failure of this type is the database session's rather than the collector's: the server down or
   * restarting, at its connection limit, or refusing pgintel's credentials. Every collector meets the same cause,
   * so it counts against the server's breaker alone and is reported once for all.
   */
  public static boolean sessionFailure(String errorType) {
    return switch (errorType) {
      case "connection", "server_shutdown", "too_many_connections", "authentication" -> true;
      default -> false;
    };
  }

  /**
   * A collection failed; {@code errorType} as the scheduler classifies it.
   *
   * @param gettingSession before the collector ran: a {@linkplain #sessionFailure session failure} then counts
   *     against the server's breaker alone; once it ran, against its own too (the server's as well when the
   *     server went away)
   */
  public void failed(String collector, long now, String errorType, boolean gettingSession) {
    synchronized (this) {
      if (!enabled) {
        return;
      }
      CircuitBreaker own = breaker(collector);
      CircuitBreaker server = breaker(SERVER);
      boolean probe = collector.equals(serverProbe);
      if (collector.equals(limitsReader)) {
        // two readings in a row means with nothing between
        newSessionBefore = false;
      }
      boolean changed;
      if (gettingSession && sessionFailure(errorType)) {
        // the server's breaker opens and closes for all; the collector's own would only repeat it, later
        own.abandon();
        changed = server.failure(now, "no database session (" + errorType + ")");
        pressureTrip = false;
      } else {
        changed = own.failure(now, errorType);
        if (errorType.equals("connection") || errorType.equals("server_shutdown")) {
          changed |= server.failure(now, "server unreachable (" + errorType + ")");
          pressureTrip = false;
        } else if (probe && !pressureTrip) {
          // the server answered, if only with an error of this collector's own
          changed |= server.success();
        } else if (probe) {
          // the connections collector could not read the pressure: any collector's answer may close it from now
          // on, or the breaker would wait for a reading that may never come
          server.abandon();
          pressureTrip = false;
        }
      }
      settle(probe, changed, now);
    }
    writeUnsaved();
  }

  /** After an outcome: the probe, if this was it, is over; a change is logged and readied for the state file. */
  private void settle(boolean probe, boolean changed, long now) {
    if (probe) {
      serverProbe = null;
    }
    if (changed) {
      changed(now);
    }
  }

  /** A collection that was allowed did not happen (no free pool connection). */
  public synchronized void abandoned(String collector) {
    if (!enabled) {
      return;
    }
    breaker(collector).abandon();
    if (collector.equals(serverProbe)) {
      breaker(SERVER).abandon();
      serverProbe = null;
    }
  }

  /** When {@code collector} may next try, or 0 when nothing holds it back. */
  public synchronized long openUntil(String collector) {
    return Math.max(breaker(SERVER).openUntil(), breaker(collector).openUntil());
  }

  /** Every breaker, the database first. */
  public synchronized List<CircuitBreaker.Status> status() {
    List<CircuitBreaker.Status> out = new ArrayList<>();
    for (CircuitBreaker b : breakers.values()) {
      out.add(b.status());
    }
    return out;
  }

  private static ConnectionLimits limits(List<? extends Record> records) {
    for (Record r : records) {
      if (r instanceof ConnectionLimits l) {
        return l;
      }
    }
    return null;
  }

  /**
   * Why the database is under pressure, or null when it is not (or the records do not tell). Active sessions at the
   * share always are; so are client connections at it, idle or not, but only while pgintel's sessions open
   * connections of their own: a pool that lends pgintel a connection it holds anyway takes no slot from anyone,
   * and pausing then would blind the monitoring just when connections run short.
   *
   * @param opensConnections the connections collector's sessions were new connections twice in a row
   */
  String pressure(List<? extends Record> records, boolean opensConnections) {
    ConnectionLimits limits = null;
    long clients = 0;
    long active = 0;
    for (Record r : records) {
      if (r instanceof ConnectionLimits l) {
        limits = l;
      } else if (r instanceof ConnectionGroup g && CLIENT_BACKEND.equals(g.backendType())) {
        clients += g.count();
        if ("active".equals(g.state())) {
          active += g.count();
        }
      }
    }
    if (limits == null) {
      return null;
    }
    long available = Math.max(1, limits.maxConnections() - limits.reserved());
    double limit = pressureShare * available;
    if (active >= limit) {
      return String.format(java.util.Locale.ROOT, "pressure: %d active sessions, %d client connections, of %d "
          + "available", active, clients, available);
    }
    if (opensConnections && clients >= limit) {
      return String.format(java.util.Locale.ROOT, "pressure: %d client connections, %d active, of %d available, "
          + "and pgintel's sessions open connections of their own", clients, active, available);
    }
    return null;
  }

  private CircuitBreaker breaker(String name) {
    return breakers.computeIfAbsent(name, n -> {
      CircuitBreaker b = new CircuitBreaker(n, threshold, firstPause, longestPause);
      String until = restored.getProperty(n + ".until");
      if (until != null) {
        try {
          // never longer than the longest pause from now: the clock may have gone back, the file be another's
          long latest = System.currentTimeMillis() + longestPause.toMillis();
          b.restore(Math.min(Long.parseLong(until), latest), Long.parseLong(restored.getProperty(n + ".pause", "0")),
              restored.getProperty(n + ".reason", "restored"));
        } catch (NumberFormatException e) {
          log.warn("pgintel ignores the saved state of circuit '{}' in {}: {}", n, stateFile, e.getMessage());
        }
      }
      return b;
    });
  }

  private void changed(long now) {
    for (CircuitBreaker b : breakers.values()) {
      CircuitBreaker.Status s = b.status();
      CircuitBreaker.State before = logged.put(s.name(), s.state());
      if (s.state() == CircuitBreaker.State.OPEN && before != CircuitBreaker.State.OPEN) {
        log.warn("pgintel circuit '{}' is open until {} ({}): collection pauses", s.name(),
            java.time.Instant.ofEpochMilli(s.openUntil()), s.reason());
      } else if (s.state() == CircuitBreaker.State.CLOSED && before != null
          && before != CircuitBreaker.State.CLOSED) {
        log.info("pgintel circuit '{}' is closed again: collection resumes", s.name());
      }
    }
    if (stateFile != null) {
      unsaved = snapshot(now);
    }
  }

  private void load() {
    if (!Files.exists(stateFile)) {
      return;
    }
    try (InputStream in = Files.newInputStream(stateFile)) {
      Properties p = new Properties();
      p.load(in);
      restored.putAll(p);
    } catch (IOException | IllegalArgumentException e) {
      log.warn("pgintel cannot read the circuit state file {} and starts with every circuit closed: {}", stateFile,
          e.toString());
    }
  }

  private Properties snapshot(long now) {
    Properties p = new Properties();
    for (CircuitBreaker b : breakers.values()) {
      if (b.state() != CircuitBreaker.State.CLOSED) {
        CircuitBreaker.Status s = b.status();
        p.setProperty(b.name() + ".until", Long.toString(Math.max(s.openUntil(), now)));
        p.setProperty(b.name() + ".pause", Long.toString(b.pause()));
        p.setProperty(b.name() + ".reason", String.valueOf(s.reason()));
      }
    }
    return p;
  }

  /**
   * Writes the latest state, outside the breakers' lock: a slow file system must not hold up whoever reads the
   * breakers' status (the metric reader, the host's health checks).
   */
  private void writeUnsaved() {
    if (stateFile == null) {
      return;
    }
    synchronized (fileLock) {
      Properties p;
      synchronized (this) {
        p = unsaved;
        unsaved = null;
      }
      if (p != null) {
        write(p);
      }
    }
  }

  private void write(Properties p) {
    try {
      Path dir = stateFile.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, stateFile.getFileName().toString(), ".tmp");
      try {
        try (OutputStream out = Files.newOutputStream(tmp)) {
          p.store(out, "pgintel circuit breakers: open ones, until when (epoch ms)");
        }
        try {
          Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException | RuntimeException e) {
      fileLog.warn("pgintel cannot write the circuit state file {}: {}", stateFile, e.toString());
    }
  }
}
