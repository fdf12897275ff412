package io.pgintel.trace;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * A line of the application's code: the first frame of a thread's stack outside JDBC, pool, framework and JDK code,
 * which is where the application called into the database (or, between statements, what it does meanwhile), and
 * the application's frame that called that one: a helper that runs every query of an application
 * ({@code Db.query(sql)}) is told apart by who called it.
 *
 * @param namespace the frame's class
 * @param function its method; for a lambda, the method the lambda is written in
 * @param line its line number, or -1 when the class was compiled without them
 * @param caller the next frame of the application's below it, without a caller of its own; or null
 */
public record CallSite(String namespace, String function, int line, CallSite caller) {

  /** A line with no caller told. */
  public CallSite(String namespace, String function, int line) {
    this(namespace, function, line, null);
  }

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
      "io.pgintel.collect.", "io.pgintel.internal.", "org.junit.", "org.apache.maven.surefire.", "io.agroal.",
      "com.alibaba.druid.", "com.p6spy.", "net.ttddyy.", "org.eclipse.persistence.", "io.quarkus.",
      "io.micronaut.", "kotlin.", "kotlinx.", "scala."};

  /**
   * Whether reading another thread's stack stops that thread only: from Java 19 on it is a handshake with the
   * thread; before, a safepoint of the whole JVM (a VM operation that every thread stops for).
   */
  private static final boolean ONE_THREAD_STOPS = Runtime.version().feature() >= 19;

  /**
   * Where {@code thread} is in the application's code now, or null when its whole stack is infrastructure (or it
   * ended). Reading another thread's stack stops it until the read is done (on Java 17 and 18, every thread of
   * the JVM): callers ask sparingly.
   */
  static CallSite of(Thread thread) {
    return first(thread.getStackTrace());
  }

  /**
   * {@link #of(Thread)} for several threads at once: on Java 17 and 18, one read of all of them, so that the JVM
   * stops once rather than once per thread; from Java 19 on, one read per thread, each stopping only its own.
   *
   * @return a line of code or null per thread, in order
   */
  static CallSite[] of(List<Thread> threads) {
    CallSite[] sites = new CallSite[threads.size()];
    ThreadMXBean management = ONE_THREAD_STOPS || threads.size() == 1 ? null : Management.THREADS;
    if (management == null) {
      for (int i = 0; i < sites.length; i++) {
        sites[i] = of(threads.get(i));
      }
      return sites;
    }
    long[] ids = new long[threads.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = threads.get(i).getId();
    }
    ThreadInfo[] infos = management.getThreadInfo(ids, Integer.MAX_VALUE);
    for (int i = 0; i < sites.length; i++) {
      sites[i] = infos[i] == null ? null : first(infos[i].getStackTrace());
    }
    return sites;
  }

  private static CallSite first(StackTraceElement[] stack) {
    int first = next(stack, 0);
    if (first < 0) {
      return null;
    }
    int second = next(stack, first + 1);
    return new CallSite(stack[first].getClassName(), enclosingMethod(stack[first].getMethodName()),
        line(stack[first]), second < 0 ? null : new CallSite(stack[second].getClassName(),
            enclosingMethod(stack[second].getMethodName()), line(stack[second])));
  }

  /** The index of the first frame of the application's from {@code from} on, or -1. */
  private static int next(StackTraceElement[] stack, int from) {
    for (int i = from; i < stack.length; i++) {
      if (!infrastructure(stack[i].getClassName())) {
        return i;
      }
    }
    return -1;
  }

  private static int line(StackTraceElement frame) {
    return frame.getLineNumber() > 0 ? frame.getLineNumber() : -1;
  }

  /** The JVM's thread management, or null in a runtime built without {@code java.management}. */
  private static final class Management {
    static final ThreadMXBean THREADS = find();

    private static ThreadMXBean find() {
      try {
        return ManagementFactory.getThreadMXBean();
      } catch (LinkageError | RuntimeException e) {
        return null;
      }
    }
  }

  /**
   * {@code namespace.function:line} (without {@code :line} when unknown), then {@code  from } and the caller's:
   * {@code com.shop.Db.query:40 from com.shop.Orders.find:12}.
   */
  @Override
  public String toString() {
    String here = namespace + '.' + function + (line > 0 ? ":" + line : "");
    return caller == null ? here : here + " from " + caller;
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

  static boolean infrastructure(String className) {
    for (String prefix : INFRASTRUCTURE) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return className.contains("$$") || className.contains("$Proxy");
  }
}
