package io.pgintel.collect;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Sends one statement with PostgreSQL's simple query protocol through pgjdbc's
 * {@code BaseStatement.executeWithFlags(sql, QueryExecutor.QUERY_EXECUTE_AS_SIMPLE)}, found by name (pgintel does
 * not need the driver on its own class path).
 *
 * <p>Why: with the extended protocol, which JDBC drivers use by default, the server reads every {@code $n} of a
 * statement as a parameter of that statement, to be bound; {@code EXPLAIN (GENERIC_PLAN) ... $1} must reach the
 * server with its {@code $1} unbound, which only the simple protocol does. Binding values instead would let the
 * planner fold them in and plan for those values.
 */
final class SimpleQueryProtocol {

  private static volatile Class<?> baseStatement;
  private static volatile Method executeWithFlags;
  private static volatile int simpleFlag;

  private SimpleQueryProtocol() {}

  /** Whether statements of this kind can be sent with the simple protocol (the driver is pgjdbc). */
  static boolean available(Statement s) {
    try {
      Class<?> type = baseStatement;
      if (type == null) {
        ClassLoader loader = s.getClass().getClassLoader();
        loader = loader != null ? loader : ClassLoader.getSystemClassLoader();
        type = Class.forName("org.postgresql.core.BaseStatement", false, loader);
        Class<?> executor = Class.forName("org.postgresql.core.QueryExecutor", false, loader);
        simpleFlag = executor.getField("QUERY_EXECUTE_AS_SIMPLE").getInt(null);
        executeWithFlags = type.getMethod("executeWithFlags", String.class, int.class);
        baseStatement = type;
      }
      return s.isWrapperFor(type);
    } catch (ReflectiveOperationException | SQLException | RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** Like {@link Statement#execute(String)}; call only when {@link #available} said so. */
  static boolean execute(Statement s, String sql) throws SQLException {
    try {
      return (Boolean) executeWithFlags.invoke(s.unwrap(baseStatement), sql, simpleFlag);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof SQLException sql2) {
        throw sql2;
      }
      throw new SQLException("pgjdbc failed to send a statement: " + e.getCause(), "XX000", e.getCause());
    } catch (IllegalAccessException e) {
      throw new SQLException("pgjdbc's executeWithFlags is not accessible", "0A000", e);
    }
  }
}
