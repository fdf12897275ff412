package io.pgintel.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which application span each database session (backend pid) serves, recorded by {@link TracingDataSource} while
 * the application runs statements, read by the activity sampler.
 *
 * <p>The statement path only stores the current span and thread (one volatile write into the session's entry,
 * which a borrowed connection finds once); the line of code is found at sampling time, from the thread's stack,
 * and only for sessions the sampler sees active: stack walks cost microseconds and would not fit the
 * per-statement budget, and most statements end before any sample sees them.
 *
 * <p>A session's entry outlives its borrowing (a pool hands the same session out again and again, and looking it up
 * again costs more than keeping it); returning a connection only clears what the entry links to. Entries of
 * sessions that ended are dropped when the map has grown past a bound, so it holds about as many entries as the
 * pools have connections.
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

  private final Map<Integer, Session> byPid = new ConcurrentHashMap<>();
  private volatile int sweepAt = SWEEP_AT;
  private final AtomicBoolean sweeping = new AtomicBoolean();

  /** The entry of a session, made when new; once per borrowed connection. */
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

  /** A statement starts on this session, on the calling thread, under the current span. */
  void executing(Session session) {
    session.binding = new Binding(Span.current().getSpanContext(), Thread.currentThread(), true);
  }

  /** The statement ended; the span stays linked (an idle-in-transaction session still belongs to it). */
  void done(Session session) {
    Binding b = session.binding;
    if (b != null && b.executing()) {
      session.binding = new Binding(b.span(), b.thread(), false);
    }
  }

  /** The connection was closed or returned to its pool. */
  void released(Session session) {
    session.binding = null;
  }

  /** The span (and, while a statement runs, the line of code) of a session, or null. */
  public TraceLink link(int pid) {
    Session s = byPid.get(pid);
    Binding b = s == null ? null : s.binding;
    if (b == null || !b.span().isValid()) {
      return null;
    }
    String function = null;
    String namespace = null;
    if (b.executing()) {
      for (StackTraceElement frame : b.thread().getStackTrace()) {
        if (!infrastructure(frame.getClassName())) {
          function = enclosingMethod(frame.getMethodName());
          namespace = frame.getClassName();
          break;
        }
      }
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
      if (s.binding != null) {
        linked++;
      }
    }
    return linked;
  }

  /**
   * Drops the entries of sessions not linked to anything: ended, or idle in their pool (a later borrow makes anew).
   * Runs on an application thread, so it never waits: a thread that finds another sweeping goes on.
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
        if (s.binding == null) {
          s.detached = true;
          byPid.remove(s.pid, s);
        }
      }
      sweepAt = Math.max(SWEEP_AT, 2 * byPid.size());
    } finally {
      sweeping.set(false);
    }
  }

  static boolean infrastructure(String className) {
    for (String prefix : INFRASTRUCTURE) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return className.contains("$$") || className.contains("$Proxy");
  }

  /** What one session was last doing for the application. */
  private record Binding(SpanContext span, Thread thread, boolean executing) {}

  /**
   * One database session's entry. A connection that holds it checks {@link #detached()} before each statement: a
   * sweep may have dropped it while the connection sat in its pool.
   */
  static final class Session {
    private final int pid;
    private volatile Binding binding;
    private volatile boolean detached;

    private Session(int pid) {
      this.pid = pid;
    }

    int pid() {
      return pid;
    }

    boolean detached() {
      return detached;
    }
  }
}
