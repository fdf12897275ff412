package io.pgintel.trace;

/**
 * A line of the application's code: the first frame of a thread's stack outside JDBC, pool, framework and JDK code,
 * which is where the application called into the database (or, between statements, what it does meanwhile).
 *
 * @param namespace the frame's class
 * @param function its method; for a lambda, the method the lambda is written in
 * @param line its line number, or -1 when the class was compiled without them
 */
public record CallSite(String namespace, String function, int line) {

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

  /**
   * Where {@code thread} is in the application's code now, or null when its whole stack is infrastructure (or it
   * ended). Walking another thread's stack pauses it until the walk is done: callers ask sparingly.
   */
  static CallSite of(Thread thread) {
    for (StackTraceElement frame : thread.getStackTrace()) {
      if (!infrastructure(frame.getClassName())) {
        return new CallSite(frame.getClassName(), enclosingMethod(frame.getMethodName()),
            frame.getLineNumber() > 0 ? frame.getLineNumber() : -1);
      }
    }
    return null;
  }

  /** {@code namespace.function:line}, or without {@code :line} when unknown. */
  @Override
  public String toString() {
    return namespace + '.' + function + (line > 0 ? ":" + line : "");
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
