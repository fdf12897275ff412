package io.pgintel.trace;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.sql.Connection;

/**
 * The PostgreSQL backend pid of a JDBC connection, through pgjdbc's {@code PGConnection.getBackendPID()} found by
 * name (pgintel does not need the driver on its own class path). 0 when the connection is not pgjdbc's.
 *
 * <p>The driver's interface is looked up once per connection class, through that class's loader, and a failed
 * lookup is remembered too: this runs for every borrowed connection, and a {@code Class.forName} that throws costs
 * microseconds. Per class rather than once for the JVM: two applications (or a pool and a driver in different
 * loaders) may see different copies of the driver. A method handle rather than {@code Method.invoke}, which finds
 * its caller on every call.
 */
final class BackendPid {

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
        return new Lookup(type, getBackendPid);
      } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
        return NONE;
      }
    }
  };

  private static final Lookup NONE = new Lookup(null, null);

  private record Lookup(Class<?> type, MethodHandle getBackendPid) {}

  private BackendPid() {}

  static int of(Connection c) {
    try {
      Lookup lookup = LOOKUPS.get(c.getClass());
      Class<?> type = lookup.type();
      if (type == null || !c.isWrapperFor(type)) {
        return 0;
      }
      return (int) lookup.getBackendPid().invokeExact((Object) c.unwrap(type));
    } catch (Error e) {
      if (e instanceof LinkageError) {
        return 0;
      }
      throw e;
    } catch (Throwable e) {
      return 0; // SQLException, a driver's RuntimeException: the statement is not linked, nothing else
    }
  }
}
