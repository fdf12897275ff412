package io.pgintel.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which application span each database session (backend pid) serves, recorded while the application runs
 * statements (by {@link TracingDataSource}'s wrappers, or by the agent's hooks in the driver through
 * {@link DriverHooks}), read by the activity sampler.
 *
 * <p>The statement path only stores the current span and thread into the session's entry, which a borrowed
 * connection (or, through the hooks, a driver connection) finds once: a flag set before and cleared after each
 * statement, the span and thread only when they changed. The line of code is found at sampling time, from the
 * thread's stack, and only for sessions the sampler
 * sees active: stack walks cost microseconds and would not fit the per-statement budget, and most statements end
 * before any sample sees them.
 *
 * <p>A session's entry outlives its borrowing (a pool hands the same session out again and again, and looking it up
 * again costs more than keeping it); returning a connection only clears what the entry links to. Entries of
 * sessions that ended, or ran no statement for a while, are dropped when the map has grown past a bound, so it
 * holds about as many entries as the pools have connections.
 */
public final class SessionRegistry {

  /**
   * Frames of these packages are infrastructure, not the application's code. OpenTelemetry's and Byte Buddy's are
   * built at run time: the agent jar relocates both and its shade plugin would rewrite a literal to the relocated
   * name, leaving the application's (and the OpenTelemetry javaagent's) frames counted as application code.
   */
  private static final String[] INFRASTRUCTURE = {"java.", "javax.", "jdk.", "sun.", "com.sun.", "org.postgresql.",
      "com.zaxxer.hikari.", "org.apache.commons.dbcp2.", "org.apache.commons.pool2.", "org.apache.tomcat.jdbc.",
      "com.mchange.", "org.springframework.", "org.hibernate.", "org.jooq.", "org.jdbi.", "org.mybatis.",
      "org.apache.ibatis.", "io.micrometer.", String.join(".", "io", "opentelemetry", ""),
      String.join(".", "net", "bytebuddy", ""),
      "io.pgintel.trace.",
      "io.pgintel.collect.", "io.pgintel.internal.", "org.junit.", "org.apache.maven.surefire."};
  /** Entries kept before those of ended sessions are dropped. */
  static final int SWEEP_AT = 1024;
  /** Slots of the cache by driver connection; a power of two. */
  private static final int KNOWN = 64;

  private final Map<Integer, Session> byPid = new ConcurrentHashMap<>();
  /** The session of a driver connection, found without its pid or a map lookup; written only on a miss. */
  private final WeakIdentitySlots<Session> known = new WeakIdentitySlots<>(KNOWN);
  private volatile int sweepAt = SWEEP_AT;
  private final AtomicBoolean sweeping = new AtomicBoolean();

  /**
   * The entry of the session behind a driver connection ({@link BackendPid#physical}), or null when its pid cannot
   * be read; once per borrowed connection.
   */
  Session session(Object physical) {
    Session k = known.get(physical);
    if (k != null && !k.detached()) {
      return k;
    }
    int pid = BackendPid.of(physical);
    if (pid <= 0) {
      return null;
    }
    Session s = session(pid);
    known.put(physical, s);
    return s;
  }

  /** The entry of a session, made when new. */
  Session session(int pid) {
    Session s = byPid.get(pid);
    if (s == null) {
      s = byPid.computeIfAbsent(pid, Session::new);
      if (byPid.size() > sweepAt) {
        sweep();
      }
    }
    return s;
  }

  /**
   * A statement starts on this session, on the calling thread, under the current span. The entry keeps its
   * binding while the span and the thread stay the same, so that a statement allocates nothing.
   */
  void executing(Session session) {
    SpanContext span = Span.current().getSpanContext();
    Thread thread = Thread.currentThread();
    Binding b = session.binding();
    if (b == null || b.span() != span || b.thread() != thread) {
      session.bind(new Binding(span, thread));
    }
    session.used = true;
    session.executing(true);
  }

  /** The statement ended; the span stays linked (an idle-in-transaction session still belongs to it). */
  void done(Session session) {
    session.finished();
  }

  /** The connection was closed or returned to its pool. */
  void released(Session session) {
    session.executing(false);
    session.bind(null);
  }

  /**
   * The span (and, while a statement runs, the line of code) of a session, or null; the line of code alone when
   * the statement runs outside any span (an application without tracing, or pgintel's own SDK in the agent, whose
   * context no application span reaches). {@code lineOfCode} false leaves the line of code out: reading it walks
   * the stack of the application's thread, which pauses that thread, so the sampler asks only for statements it
   * may report.
   */
  public TraceLink link(int pid, boolean lineOfCode) {
    Session s = byPid.get(pid);
    // the flag first: it is written after the binding it belongs to
    return s == null ? null : link(s, lineOfCode && s.executing());
  }

  /**
   * Where the application holds a session between its statements (idle in a transaction): the span and the line
   * of code of the thread that last ran a statement on it; null when pgintel never saw the session or the
   * connection went back through the wrapper (which unbinds it; the agent's hooks see no return, and a pool ends
   * the transaction of a connection given back). The stack walk pauses that thread: asked once per long
   * transaction.
   */
  public TraceLink holder(int pid) {
    Session s = byPid.get(pid);
    return s == null ? null : link(s, true);
  }

  private static TraceLink link(Session s, boolean walk) {
    Binding b = s.binding();
    boolean traced = b != null && b.span().isValid();
    if (b == null || !traced && !walk) {
      return null;
    }
    String function = null;
    String namespace = null;
    if (walk) {
      for (StackTraceElement frame : b.thread().getStackTrace()) {
        if (!infrastructure(frame.getClassName())) {
          function = enclosingMethod(frame.getMethodName());
          namespace = frame.getClassName();
          break;
        }
      }
    }
    if (!traced) {
      // no span: the line of code alone still says which part of the application waits on this session
      return function == null ? null : new TraceLink(null, null, function, namespace);
    }
    return new TraceLink(b.span().getTraceId(), b.span().getSpanId(), function, namespace);
  }

  /** {@code lambda$checkout$3} is code written in {@code checkout}: report the method a reader can find. */
  static String enclosingMethod(String method) {
    if (method.startsWith("lambda$")) {
      int end = method.indexOf('$', 7);
      if (end > 7) {
        return method.substring(7, end);
      }
    }
    return method;
  }

  /** Sessions currently linked; for tests and self-telemetry. */
  public int size() {
    int linked = 0;
    for (Session s : byPid.values()) {
      if (s.binding() != null) {
        linked++;
      }
    }
    return linked;
  }

  /**
   * Drops the entries of sessions not linked to anything (ended, or idle in their pool) and of sessions that ran no
   * statement since the sweep before, which is how sessions found through {@link DriverHooks} end: nothing releases
   * them. A later statement makes the entry anew. Runs on an application thread, so it never waits: a thread that
   * finds another sweeping goes on.
   */
  private void sweep() {
    if (!sweeping.compareAndSet(false, true)) {
      return;
    }
    try {
      if (byPid.size() <= sweepAt) {
        return;
      }
      for (Session s : byPid.values()) {
        if (s.binding() == null || !s.used && !s.executing()) {
          detach(s);
        } else {
          s.used = false;
        }
      }
      sweepAt = Math.max(SWEEP_AT, 2 * byPid.size());
    } finally {
      sweeping.set(false);
    }
  }

  /**
   * Drops every entry: the registry is no longer read (its monitor stopped), and a connection holding one finds its
   * session anew, through whatever registry then serves its database.
   */
  public void detachAll() {
    byPid.values().forEach(this::detach);
  }

  private void detach(Session s) {
    s.detached = true;
    byPid.remove(s.pid, s);
  }

  static boolean infrastructure(String className) {
    for (String prefix : INFRASTRUCTURE) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return className.contains("$$") || className.contains("$Proxy");
  }

  /** Which span a session serves, and on which thread. */
  private record Binding(SpanContext span, Thread thread) {}

  /**
   * One database session's entry. A connection that holds it checks {@link #detached()} before each statement: a
   * sweep may have dropped it while the connection sat in its pool.
   *
   * <p>The application's threads write the binding and the flag with release stores, not volatile ones: a volatile
   * store is a full fence, two per statement, and the sampler that reads them (with acquire loads) needs them
   * visible soon, not ordered against everything else the application's thread does.
   */
  static final class Session {
    private static final VarHandle BINDING;
    private static final VarHandle EXECUTING;

    static {
      try {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        BINDING = lookup.findVarHandle(Session.class, "binding", Binding.class);
        EXECUTING = lookup.findVarHandle(Session.class, "executing", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final int pid;
    @SuppressWarnings("unused") // through BINDING
    private Binding binding;
    @SuppressWarnings("unused") // through EXECUTING
    private boolean executing;
    private volatile boolean detached;
    /** A statement ran since the last sweep; plain: a lost write only makes a sweep drop an entry found again. */
    private boolean used;

    private Session(int pid) {
      this.pid = pid;
    }

    int pid() {
      return pid;
    }

    boolean detached() {
      return detached;
    }

    private Binding binding() {
      return (Binding) BINDING.getAcquire(this);
    }

    private void bind(Binding b) {
      BINDING.setRelease(this, b);
    }

    private boolean executing() {
      return (boolean) EXECUTING.getAcquire(this);
    }

    private void executing(boolean e) {
      EXECUTING.setRelease(this, e);
    }

    /** The statement that ran on this session ended. */
    void finished() {
      executing(false);
    }
  }
}
