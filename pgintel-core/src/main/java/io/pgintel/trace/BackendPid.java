package io.pgintel.trace;

import java.lang.reflect.Method;
import java.sql.Connection;

/**
 * The PostgreSQL backend pid of a JDBC connection, through pgjdbc's {@code PGConnection.getBackendPID()} found by
 * name (pgintel does not need the driver on its own class path). 0 when the connection is not pgjdbc's.
 */
final class BackendPid {

  private static volatile Class<?> pgConnection;
  private static volatile Method getBackendPid;

  private BackendPid() {}

  static int of(Connection c) {
    try {
      Class<?> type = pgConnection;
      if (type == null) {
        ClassLoader loader = c.getClass().getClassLoader();
        type = Class.forName("org.postgresql.PGConnection", false,
            loader != null ? loader : ClassLoader.getSystemClassLoader());
        getBackendPid = type.getMethod("getBackendPID");
        pgConnection = type;
      }
      if (!c.isWrapperFor(type)) {
        return 0;
      }
      return (Integer) getBackendPid.invoke(c.unwrap(type));
    } catch (ReflectiveOperationException | java.sql.SQLException | RuntimeException e) {
      return 0;
    }
  }
}
