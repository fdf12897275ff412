package io.pgintel.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which application span each database session (backend pid) serves, recorded by {@link TracingDataSource} while
 * the application runs statements, read by the activity sampler.
 *
 * <p>The statement path only stores the current span and thread (a map write); the line of code is found at
 * sampling time, from the thread's stack, and only for sessions the sampler sees active: stack walks cost
 * microseconds and would not fit the per-statement budget, and most statements end before any sample sees them.
 * Entries live as long as the connection: bounded by the pool size.
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

  private final Map<Integer, Binding> byPid = new ConcurrentHashMap<>();

  /** What one session was last doing for the application. */
  private record Binding(SpanContext span, Thread thread, boolean executing) {}

  /** A statement starts on this session, on the calling thread, under the current span. */
  void executing(int pid) {
    SpanContext span = Span.current().getSpanContext();
    byPid.put(pid, new Binding(span, Thread.currentThread(), true));
  }

  /** The statement ended; the span stays linked (an idle-in-transaction session still belongs to it). */
  void done(int pid) {
    Binding b = byPid.get(pid);
    if (b != null && b.executing()) {
      byPid.put(pid, new Binding(b.span(), b.thread(), false));
    }
  }

  /** The connection was closed or returned to its pool. */
  void released(int pid) {
    byPid.remove(pid);
  }

  /** The span (and, while a statement runs, the line of code) of a session, or null. */
  public TraceLink link(int pid) {
    Binding b = byPid.get(pid);
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
    return byPid.size();
  }

  static boolean infrastructure(String className) {
    for (String prefix : INFRASTRUCTURE) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return className.contains("$$") || className.contains("$Proxy");
  }
}
