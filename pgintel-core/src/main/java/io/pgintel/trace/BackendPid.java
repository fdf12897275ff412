package io.pgintel.trace;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.sql.Connection;

/**
 * The PostgreSQL backend pid of a JDBC connection, through pgjdbc's {@code PGConnection.getBackendPID()} found by
 * name (pgintel does not need the driver on its own class path), in two steps: the driver's connection beneath a
 * pool's, which names the session for as long as it lives, and its pid, which is only asked the first time.
 *
 * <p>The driver's interface is looked up once per connection class, through that class's loader, and a failed
 * lookup is remembered too: this runs for every borrowed connection, and a {@code Class.forName} that throws costs
 * microseconds. Per class rather than once for the JVM: two applications (or a pool and a driver in different
 * loaders) may see different copies of the driver. A method handle rather than {@code Method.invoke}, which finds
 * its caller on every call.
 */
public final class BackendPid {

  /** PGConnection and its getBackendPID as the loader of a connection class sees them; null when it does not. */
  private static final ClassValue<Lookup> LOOKUPS = new ClassValue<>() {
    @Override
    protected Lookup computeValue(Class<?> connectionClass) {
      ClassLoader loader = connectionClass.getClassLoader();
      try {
        Class<?> type = Class.forName("org.postgresql.PGConnection", false,
            loader != null ? loader : ClassLoader.getSystemClassLoader());
        MethodHandle getBackendPid = MethodHandles.publicLookup()
            .findVirtual(type, "getBackendPID", MethodType.methodType(int.class))
            .asType(MethodType.methodType(int.class, Object.class));
        return new Lookup(connectionClass, type, getBackendPid);
      } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
        return new Lookup(connectionClass, null, null);
      }
    }
  };

  /**
   * The lookup asked for last: an application has one pool class, and a ClassValue probe costs more than this.
   * Held weakly: the class's ClassValue keeps it while the class lives, and a redeployed application's loader must
   * not stay because of it.
   */
  private static volatile WeakReference<Lookup> last = new WeakReference<>(null);

  private record Lookup(Class<?> connectionClass, Class<?> type, MethodHandle getBackendPid) {}

  private BackendPid() {}

  private static Lookup lookup(Class<?> connectionClass) {
    Lookup l = last.get();
    if (l == null || l.connectionClass() != connectionClass) {
      l = LOOKUPS.get(connectionClass);
      last = new WeakReference<>(l);
    }
    return l;
  }

  /** The driver's own connection beneath {@code c}, or null when {@code c} is not pgjdbc's. */
  static Object physical(Connection c) {
    try {
      Class<?> type = lookup(c.getClass()).type();
      return type != null && c.isWrapperFor(type) ? c.unwrap(type) : null;
    } catch (Error e) {
      if (e instanceof LinkageError) {
        return null;
      }
      throw e;
    } catch (Throwable e) {
      return null; // SQLException, a driver's RuntimeException: the statement is not linked, nothing else
    }
  }

  /** The backend pid of what {@link #physical} returned; 0 when it cannot be read. */
  static int of(Object physical) {
    try {
      MethodHandle getBackendPid = lookup(physical.getClass()).getBackendPid();
      return getBackendPid == null ? 0 : (int) getBackendPid.invokeExact(physical);
    } catch (Error e) {
      if (e instanceof LinkageError) {
        return 0;
      }
      throw e;
    } catch (Throwable e) {
      return 0;
    }
  }

  /**
   * The backend pid the driver was given for {@code c} at login (pgjdbc's {@code getBackendPID()}), or 0 when
   * {@code c} is not pgjdbc's. Behind a connection pooler it is the pooler's, not a server session's.
   */
  public static int ofConnection(Connection c) {
    Object physical = physical(c);
    return physical == null ? 0 : of(physical);
  }
}
