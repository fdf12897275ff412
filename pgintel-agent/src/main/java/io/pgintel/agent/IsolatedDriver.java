package io.pgintel.agent;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.security.CodeSource;
import java.sql.Driver;
import java.util.Locale;

/**
 * A second copy of the application's PostgreSQL driver, loaded from the application's own driver jar into a class
 * loader of pgintel's own, for {@code pgintel.agent.own-connection}. pgintel's statements then run through classes
 * the application never calls: their profiles, their compiled code and their deoptimizations are pgintel's alone,
 * and the application's compiled driver code is exactly what it would be without pgintel.
 *
 * <p>The copy is never instrumented ({@link DataSourceInstrumentation} ignores its loader), and it takes itself
 * out of {@code DriverManager} again at once: loading the driver class registers it there, where only code that can
 * see this loader could use it anyway.
 */
final class IsolatedDriver {

  private static final String DRIVER = "org.postgresql.Driver";

  private IsolatedDriver() {}

  /** The class loader of the copy: a type of its own, so that the instrumentation can leave it alone. */
  static final class Loader extends URLClassLoader {
    static {
      registerAsParallelCapable();
    }

    Loader(URL jar) {
      // the platform loader for the parent: java.sql and nothing of the application's
      super("pgintel-driver", new URL[] {jar}, ClassLoader.getPlatformClassLoader());
    }
  }

  /**
   * Where the driver class {@code application} comes from, when that is a jar file or directory that a class loader
   * of pgintel's own can read again.
   *
   * @throws IllegalStateException with the reason when it is not (a driver nested in a Spring Boot jar, say)
   */
  static URL location(Class<?> application) {
    CodeSource source = application.getProtectionDomain().getCodeSource();
    URL location = source == null ? null : source.getLocation();
    if (location == null || !"file".equals(location.getProtocol().toLowerCase(Locale.ROOT))) {
      throw new IllegalStateException("the PostgreSQL driver's classes do not come from a jar file or directory ("
          + location + ")");
    }
    return location;
  }

  /**
   * A driver of pgintel's own loaded from where the application's driver class {@code application} comes from.
   *
   * @throws IllegalStateException with the reason when the driver's classes cannot be loaded a second time (a
   *     driver not in a plain jar or directory, such as one nested in a Spring Boot jar)
   */
  static Driver copyOf(Class<?> application) {
    URL location = location(application);
    Loader loader = new Loader(location);
    try {
      Class<?> type = Class.forName(DRIVER, true, loader);
      deregister(type);
      return (Driver) type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      close(loader);
      throw new IllegalStateException("could not load a copy of the PostgreSQL driver from " + location + ": " + e,
          e);
    }
  }

  /** Closes the copy's class loader (its jar file); the copy must not be used after. */
  static void release(Driver copy) {
    if (copy.getClass().getClassLoader() instanceof Loader loader) {
      close(loader);
    }
  }

  /**
   * pgjdbc's own {@code Driver.deregister()}: {@code DriverManager.deregisterDriver} only lets code that sees the
   * driver's class take it out, which pgintel's classes do not.
   */
  private static void deregister(Class<?> driver) {
    try {
      Method deregister = driver.getMethod("deregister");
      deregister.invoke(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // an old driver without it: the copy stays registered, visible only to code that can see its loader
    }
  }

  private static void close(Loader loader) {
    try {
      loader.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
  }
}
