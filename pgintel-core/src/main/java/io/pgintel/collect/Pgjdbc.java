package io.pgintel.collect;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What pgintel asks of pgjdbc beyond JDBC, through the driver's public methods found by name (pgintel does not need
 * the driver on its own class path).
 *
 * <ul>
 *   <li><b>The simple query protocol</b> ({@code BaseStatement.executeWithFlags(sql,
 *       QueryExecutor.QUERY_EXECUTE_AS_SIMPLE)}). With the extended protocol, which JDBC drivers use by default,
 *       the server reads every {@code $n} of a statement as a parameter of that statement, to be bound;
 *       {@code EXPLAIN (GENERIC_PLAN) ... $1} must reach the server with its {@code $1} unbound, which only the
 *       simple protocol does. Binding values instead would let the planner fold them in and plan for those values.
 *   <li><b>Never a server-prepared statement</b> ({@code PGStatement.setPrepareThreshold(0)}). pgjdbc turns a
 *       statement text into a named prepared statement of the connection's backend from its fifth execution on
 *       that connection (its {@code prepareThreshold}). pgintel's statements run on the application's pool
 *       connections, so they would each take a plan's memory in every backend of the pool for as long as the
 *       connection lives. And the switch is a code path of the driver's that pgintel's statements would reach for
 *       the first time minutes into the application's life, one statement after another: each time the JIT
 *       compiler throws away the application's compiled driver code that never took it (an {@code unstable_if}
 *       deoptimization) and the application's threads run the driver slower until it is compiled again. One-shot
 *       statements take the same path from the first collection on. The server parses and plans them each time;
 *       pgintel's holds of the pool's connections did not grow for it ({@code PoolHoldBenchmark}, README).
 *   <li><b>Results as the text the server sent</b> ({@code PgResultSet.getBytes(int)} on a column that came as
 *       text), which {@link Row} parses itself, rather than the typed getters by column name. Those are the
 *       driver's (and the pool's) code that the application calls too: pgintel's columns (NULLs, numerics, names
 *       looked up in lower case) take branches of them the application's compiled code never took, and the JIT
 *       compiler recompiles them with C2 minutes into the application's life. {@code getBytes} is a method
 *       applications rarely call, and the parsing is pgintel's own code, which the agent keeps on C1.
 * </ul>
 */
final class Pgjdbc {

  /**
   * The driver's methods as seen from a statement's class loader: per class, because a JVM may hold more than one
   * copy of pgjdbc (two applications, or the agent's own copy beside the application's).
   */
  private static final ClassValue<Optional<Api>> API = new ClassValue<>() {
    @Override
    protected Optional<Api> computeValue(Class<?> statementType) {
      return Api.find(statementType.getClassLoader());
    }
  };

  private Pgjdbc() {}

  /** Whether statements of this kind are pgjdbc's (behind any pool's wrapper): the methods here apply to them. */
  static boolean available(Statement s) {
    Optional<Api> api = API.get(s.getClass());
    try {
      return api.isPresent() && s.isWrapperFor(api.get().baseStatement());
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Like {@link Statement#execute(String)} but with the simple query protocol; call only when {@link #available}
   * said so.
   */
  static boolean executeSimple(Statement s, String sql) throws SQLException {
    Api api = API.get(s.getClass()).orElseThrow();
    try {
      return (Boolean) api.executeWithFlags().invoke(s.unwrap(api.baseStatement()), sql, api.simpleFlag());
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof SQLException sql2) {
        throw sql2;
      }
      throw new SQLException("pgjdbc failed to send a statement: " + e.getCause(), "XX000", e.getCause());
    } catch (IllegalAccessException e) {
      throw new SQLException("pgjdbc's executeWithFlags is not accessible", "0A000", e);
    }
  }

  /**
   * Makes the statement one-shot: never a prepared statement of the server's, however often its text runs on the
   * connection. Call only when {@link #available} said so; a statement that refuses stays as the driver made it.
   */
  static void oneShot(Statement s) {
    try {
      Api api = API.get(s.getClass()).orElseThrow();
      api.setPrepareThreshold().invoke(s.unwrap(api.baseStatement()), 0);
    } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
      // as the connection's own threshold says: prepared from its fifth execution
    }
  }

  /**
   * pgjdbc's own result set behind {@code rs} (a pool's wrapper, or {@code rs} itself) and its columns' indexes,
   * when every column of it came as text, so that {@link ResultSet#getBytes(int)} gives the text the server sent;
   * otherwise null. One pass over the result's metadata.
   */
  static TextResult textResult(ResultSet rs) {
    Api api = API.get(rs.getClass()).orElse(null);
    if (api == null || api.resultSet() == null) {
      return null;
    }
    try {
      if (!rs.isWrapperFor(api.resultSet())) {
        return null;
      }
      ResultSet own = (ResultSet) rs.unwrap(api.resultSet());
      ResultSetMetaData meta = own.getMetaData();
      int n = meta.getColumnCount();
      Map<String, Integer> columns = new HashMap<>(2 * n);
      for (int i = 1; i <= n; i++) {
        if (!(api.getFormat().invoke(meta, i) instanceof Integer format) || format != 0) {
          return null; // binary (1): the bytes are not text
        }
        columns.putIfAbsent(meta.getColumnLabel(i), i); // the first of a label, as JDBC finds it
      }
      return new TextResult(own, columns);
    } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Whether the client encoding of the connection behind pgjdbc's result set {@code own} is UTF-8 (pgjdbc sets it
   * so and refuses a change unless told {@code allowEncodingChanges}), asked of the driver, never assumed.
   */
  static boolean utf8(ResultSet own) {
    Api api = API.get(own.getClass()).orElse(null);
    if (api == null) {
      return false;
    }
    try {
      Object connection = own.getStatement().getConnection();
      if (api.getEncoding() == null || !api.getEncoding().getDeclaringClass().isInstance(connection)) {
        return false;
      }
      Object encoding = api.getEncoding().invoke(connection);
      return encoding != null && "UTF-8".equals(api.encodingName().invoke(encoding));
    } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
      return false;
    }
  }

  /**
   * A result read as the server's text.
   *
   * @param resultSet pgjdbc's own result set, every column text
   * @param columns column label to index (from 1)
   */
  record TextResult(ResultSet resultSet, Map<String, Integer> columns) {}

  /**
   * pgjdbc's {@code BaseStatement} and the two methods of it pgintel calls, as one class loader sees them, and
   * its result set class with the metadata method that says whether a column came as text (null when this
   * version of the driver has neither).
   */
  private record Api(Class<?> baseStatement, Method executeWithFlags, Method setPrepareThreshold, int simpleFlag,
      Class<?> resultSet, Method getFormat, Method getEncoding, Method encodingName) {

    static Optional<Api> find(ClassLoader loader) {
      try {
        ClassLoader l = loader != null ? loader : ClassLoader.getSystemClassLoader();
        Class<?> type = Class.forName("org.postgresql.core.BaseStatement", false, l);
        Class<?> executor = Class.forName("org.postgresql.core.QueryExecutor", false, l);
        int simple = executor.getField("QUERY_EXECUTE_AS_SIMPLE").getInt(null);
        Class<?> resultSet = null;
        Method getFormat = null;
        try {
          resultSet = Class.forName("org.postgresql.jdbc.PgResultSet", false, l);
          getFormat = Class.forName("org.postgresql.PGResultSetMetaData", false, l).getMethod("getFormat", int.class);
        } catch (ReflectiveOperationException | LinkageError e) {
          resultSet = null; // results read through JDBC's typed getters
        }
        Method getEncoding = null;
        Method encodingName = null;
        try {
          getEncoding = Class.forName("org.postgresql.core.BaseConnection", false, l).getMethod("getEncoding");
          encodingName = Class.forName("org.postgresql.core.Encoding", false, l).getMethod("name");
        } catch (ReflectiveOperationException | LinkageError e) {
          getEncoding = null; // non-ASCII text read through the driver's getter
        }
        return Optional.of(new Api(type, type.getMethod("executeWithFlags", String.class, int.class),
            type.getMethod("setPrepareThreshold", int.class), simple, resultSet, getFormat, getEncoding,
            encodingName));
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        return Optional.empty();
      }
    }
  }
}
