package io.pgintel.agent;

import io.pgintel.agent.bootstrap.Bridge;
import io.pgintel.trace.DriverHooks;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's handler until the application first borrows a connection. Then, on a thread of its own, it looks for
 * the OpenTelemetry pgintel should report through ({@link HostOpenTelemetry}) and starts {@link Discovery}: in a
 * copy of pgintel linked to that OpenTelemetry ({@link LinkingClassLoader}), or as it is, with pgintel's own SDK,
 * when there is none. From then on every connection goes to that discovery.
 *
 * <p>Waiting for the first connection is what makes the choice late enough: by then the application's startup code
 * has usually run, and with it whatever sets its global OpenTelemetry; an application that has the OpenTelemetry
 * API but no global yet gets up to ten seconds more. The connections borrowed while the choice is being made are
 * returned untouched; the DataSource is seen on a later one.
 */
final class DeferredDiscovery implements BiFunction<Object, Object, Object> {

  private static final Logger log = LoggerFactory.getLogger(DeferredDiscovery.class);
  private static final long GLOBAL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int MAX_PENDING_DRIVER_CALLS = 16;

  private final AgentSettings settings;
  private final AtomicBoolean begun = new AtomicBoolean();
  private volatile BiFunction<Object, Object, Object> discovery;
  private volatile BiConsumer<Object, Object> inner;
  private volatile BiFunction<Object[], Object, Object> driver;
  /**
   * Driver connects seen before discovery was ready, replayed to it once: a DriverManager-only application may
   * connect just once.
   */
  private final List<Object[]> pendingDriverCalls = new ArrayList<>();
  private volatile Runnable close;
  private volatile boolean closed;

  DeferredDiscovery(AgentSettings settings) {
    this.settings = settings;
  }

  @Override
  public Object apply(Object dataSource, Object connection) {
    BiFunction<Object, Object, Object> d = discovery;
    if (d != null) {
      return d.apply(dataSource, connection);
    }
    begin();
    return connection;
  }

  /** The bridge's inner handler: before discovery is ready there is nothing to learn from it. */
  void onInner(Object dataSource, Object connection) {
    BiConsumer<Object, Object> i = inner;
    if (i != null) {
      i.accept(dataSource, connection);
    }
  }

  /** The bridge's driver handler. */
  Object onDriver(Object[] call, Object connection) {
    if (call.length > 3 && Boolean.FALSE.equals(call[3]) && !settings.ownConnection()) {
      return connection; // a DataSource connecting: only pgintel.agent.own-connection asks how it connects
    }
    BiFunction<Object[], Object, Object> d = driver;
    if (d != null) {
      return d.apply(call, connection);
    }
    synchronized (pendingDriverCalls) {
      if (driver == null && pendingDriverCalls.size() < MAX_PENDING_DRIVER_CALLS) {
        pendingDriverCalls.add(new Object[] {call, connection});
      }
    }
    begin();
    return connection;
  }

  private void begin() {
    if (begun.compareAndSet(false, true)) {
      // the application's class loader is the borrowing thread's; the choice itself is not made on its thread
      ClassLoader application = Thread.currentThread().getContextClassLoader();
      Thread t = new Thread(() -> begin(application), "pgintel-agent-link");
      t.setDaemon(true);
      t.start();
    }
  }

  private void begin(ClassLoader application) {
    try {
      if (settings.compilerDirectives()) {
        compilerDirectives();
      }
      Optional<HostOpenTelemetry> host = awaitHost(application);
      if (host.isPresent() && link(host.get())) {
        return;
      }
      if (host.isEmpty()) {
        log.info("pgintel agent: no OpenTelemetry javaagent and no global OpenTelemetry set by the application; "
            + "reporting through pgintel's own SDK, configured by the otel.* settings");
      }
      ready(parts(new Discovery(settings)));
    } catch (Throwable t) {
      log.warn("pgintel agent: could not start; the application runs unmonitored", t);
      synchronized (pendingDriverCalls) {
        pendingDriverCalls.clear(); // never replayed: the application's connections are not kept
      }
    }
  }

  /** Keeps pgintel's background code on C1; a JVM without the management API must not keep pgintel from starting. */
  private static void compilerDirectives() {
    try {
      log.info("pgintel agent: background code {}", CompilerDirectives.add());
    } catch (LinkageError e) {
      log.info("pgintel agent: background code left to the JVM's defaults: {}", e.toString());
    }
  }

  /**
   * The host OpenTelemetry, waiting a little for an application that has the API but has not set its global yet:
   * its first connection may come from startup code (a migration, a pool's warm-up) that runs before the code that
   * sets up OpenTelemetry.
   */
  private Optional<HostOpenTelemetry> awaitHost(ClassLoader application) throws InterruptedException {
    Optional<HostOpenTelemetry> host = HostOpenTelemetry.find(application);
    long deadline = System.nanoTime() + GLOBAL_WAIT_NANOS;
    while (host.isEmpty() && !closed && HostOpenTelemetry.hasApi(application) && System.nanoTime() < deadline) {
      Thread.sleep(250);
      host = HostOpenTelemetry.find(application);
    }
    return host;
  }

  /** Starts discovery in a copy of pgintel linked to {@code host}; false, having said why, when it cannot. */
  private boolean link(HostOpenTelemetry host) {
    LinkingClassLoader linked = LinkingClassLoader.to(host);
    if (linked == null) {
      log.warn("pgintel agent: found {} but this jar cannot be linked to it (not the packaged agent jar); reporting "
          + "through pgintel's own OpenTelemetry SDK instead", host.description());
      return false;
    }
    try {
      long start = System.nanoTime();
      Method open = Class.forName(DeferredDiscovery.class.getName(), true, linked)
          .getDeclaredMethod("open", Map.class, boolean.class, boolean.class, boolean.class, String[].class);
      open.setAccessible(true);
      OwnLogin login = settings.ownLogin();
      ready((Object[]) open.invoke(null, settings.core(), settings.correlation(), settings.ownConnection(),
          settings.ownWhenPoolExhausted(), login == null ? null : new String[] {login.user(), login.password()}));
      log.info("pgintel agent: reporting through {} (linked in {} ms)", host.description(),
          (System.nanoTime() - start) / 1_000_000);
      return true;
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      // e.g. an API too old for what pgintel calls; pgintel's own SDK still reports
      log.warn("pgintel agent: could not link to {}; reporting through pgintel's own OpenTelemetry SDK instead",
          host.description(), e);
      return false;
    }
  }

  /**
   * A discovery as JDK types the agent's own copy can hold, whichever copy of pgintel it lives in: its handler, its
   * close, its inner handler, its driver handler, and its statement hooks (before, after, linked pid).
   */
  private static Object[] parts(Discovery d) {
    DriverHooks hooks = d.hooks();
    return new Object[] {(BiFunction<Object, Object, Object>) d::onConnection, (Runnable) d::close,
        (BiConsumer<Object, Object>) d::onInnerConnection, (BiFunction<Object[], Object, Object>) d::onDriverConnect,
        (BiFunction<Object, Object, Object>) hooks::enter, (Consumer<Object>) hooks::exit,
        (ToIntFunction<Object>) hooks::linkedPid};
  }

  /** {@code parts}: what {@link #parts} made, in this copy or in a linked one. */
  @SuppressWarnings("unchecked")
  private void ready(Object[] parts) {
    Runnable closer = (Runnable) parts[1];
    close = closer;
    inner = (BiConsumer<Object, Object>) parts[2];
    BiFunction<Object[], Object, Object> d = (BiFunction<Object[], Object, Object>) parts[3];
    List<Object[]> pending;
    synchronized (pendingDriverCalls) {
      driver = d;
      pending = new ArrayList<>(pendingDriverCalls);
      pendingDriverCalls.clear();
    }
    for (Object[] p : pending) {
      d.apply((Object[]) p[0], p[1]);
    }
    if (settings.correlation()) {
      Bridge.statementHandlers((BiFunction<Object, Object, Object>) parts[4], (Consumer<Object>) parts[5],
          (ToIntFunction<Object>) parts[6]);
    }
    discovery = (BiFunction<Object, Object, Object>) parts[0];
    if (closed) {
      closer.run(); // the JVM began to exit while this was starting
    }
  }

  /**
   * In the linked copy: a discovery whose pgintel reports through the host's OpenTelemetry (and whose statement
   * hooks read the host's current span), as {@link #parts}.
   */
  static Object[] open(Map<String, Object> core, boolean correlation, boolean ownConnection,
      boolean ownWhenPoolExhausted, String[] login) {
    // the compiler directives are the agent's own copy's business, added before it linked this one
    return parts(new Discovery(new AgentSettings(core, correlation, false, ownConnection, ownWhenPoolExhausted,
        login == null ? null : new OwnLogin(login[0], login[1]), List.of())));
  }

  /** Stops the discovery, if it started; for the JVM's shutdown. */
  void close() {
    closed = true;
    Runnable c = close;
    if (c != null) {
      c.run();
    }
  }
}
