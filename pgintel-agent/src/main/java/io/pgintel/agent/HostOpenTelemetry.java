package io.pgintel.agent;

import java.util.Optional;

/**
 * An OpenTelemetry API in this JVM that is not pgintel's own: where its classes live and under which package. The
 * agent looks for one when pgintel is about to report (the application's first connection), never at premain,
 * because an application sets its global OpenTelemetry while it starts, after the agent.
 *
 * <p>In order:
 *
 * <ol>
 *   <li>the OpenTelemetry javaagent's, whether pgintel is its extension or a second {@code -javaagent}: the
 *       javaagent keeps its API on the bootstrap class path under a shaded package and sets its global before the
 *       application's main runs;
 *   <li>the application's, when it has set its global: in the class loader of the thread that borrowed the
 *       connection, under the API's own package.
 * </ol>
 *
 * <p>Only {@code isSet()} is asked, never {@code get()}: on an unset global {@code get()} installs a no-op for the
 * life of the JVM, and the application could no longer set its own.
 *
 * @param description what it is, for the log
 * @param loader where its classes are; null for the bootstrap class loader
 * @param packagePrefix its {@code api} and {@code context} packages are under this one, with the trailing dot
 */
record HostOpenTelemetry(String description, ClassLoader loader, String packagePrefix) {

  /*
   * The packages are built at run time because the shade plugin rewrites string constants that start with the
   * relocated package: written as literals, they would name pgintel's relocated copy in the jar.
   */
  static final String PLAIN = String.join(".", "io", "opentelemetry", "");
  static final String OPENTELEMETRY_JAVAAGENT = String.join(".", "io", "opentelemetry", "javaagent", "shaded", "io",
      "opentelemetry", "");

  static Optional<HostOpenTelemetry> find(ClassLoader application) {
    if (globalIsSet(null, OPENTELEMETRY_JAVAAGENT)) {
      return Optional.of(new HostOpenTelemetry("the OpenTelemetry javaagent", null, OPENTELEMETRY_JAVAAGENT));
    }
    if (application != null && globalIsSet(application, PLAIN)) {
      return Optional.of(new HostOpenTelemetry("the application's global OpenTelemetry", application, PLAIN));
    }
    return Optional.empty();
  }

  /** Whether the application can see an OpenTelemetry API of its own, set or not. */
  static boolean hasApi(ClassLoader application) {
    try {
      Class.forName(PLAIN + "api.GlobalOpenTelemetry", false, application);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Whether {@code name} is a class of this API (its {@code api} or {@code context} packages). */
  boolean owns(String name) {
    return name.startsWith(packagePrefix)
        && (name.startsWith("api.", packagePrefix.length()) || name.startsWith("context.", packagePrefix.length()));
  }

  private static boolean globalIsSet(ClassLoader loader, String packagePrefix) {
    try {
      Class<?> global = Class.forName(packagePrefix + "api.GlobalOpenTelemetry", false, loader);
      return Boolean.TRUE.equals(global.getMethod("isSet").invoke(null));
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      // absent, or older than isSet() (API 1.x before it): not one pgintel can use without the risk of get()
      return false;
    }
  }
}
