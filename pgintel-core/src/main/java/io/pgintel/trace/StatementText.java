package io.pgintel.trace;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The text of a statement the application ran, from what the statement path kept of it (a reference only, read
 * here, off that path): the SQL the application gave JDBC through pgintel's wrapper, or pgjdbc's own objects that
 * the agent's hooks see, whose native SQL is the server's text ({@code $1} for each parameter).
 *
 * @param sql the text, with its literals: for the SQL engine only
 * @param jdbc whether it is JDBC text ({@code ?} parameters, JDBC escapes) rather than the server's
 */
record StatementText(String sql, boolean jdbc) {

  /**
   * pgjdbc's {@code CachedQuery.query} and {@code Query.getNativeSql()}, per class of the object found, by name:
   * pgintel does not need the driver on its class path, and a JVM may hold several copies of it.
   */
  private static final ClassValue<Optional<Accessor>> ACCESSORS = new ClassValue<>() {
    @Override
    protected Optional<Accessor> computeValue(Class<?> type) {
      return Accessor.find(type);
    }
  };

  /** The text of {@code statement}, or null when it is none pgintel knows to read. */
  static StatementText of(Object statement) {
    if (statement instanceof String sql) {
      // a JDBC call escape ({call f(?)}): the driver sends another statement (select * from f($1) as result, or a
      // CALL, by its escapeSyntaxCallMode), whose fingerprint the escape's cannot tell; the agent's hooks see it
      return isCallEscape(sql) ? null : new StatementText(sql, true);
    }
    if (statement == null) {
      return null;
    }
    try {
      Optional<Accessor> accessor = ACCESSORS.get(statement.getClass());
      String sql = accessor.isPresent() ? accessor.get().nativeSql(statement) : null;
      return sql == null ? null : new StatementText(sql, false);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  private static boolean isCallEscape(String sql) {
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (!Character.isWhitespace(c)) {
        return c == '{';
      }
    }
    return false;
  }

  /** How to read the native SQL from one class of pgjdbc's: a cached query holds a query, a query has its text. */
  private record Accessor(Field query, Method nativeSql) {

    static Optional<Accessor> find(Class<?> type) {
      try {
        Class<?> queryType = Class.forName("org.postgresql.core.Query", false, type.getClassLoader());
        Method nativeSql = queryType.getMethod("getNativeSql");
        if (queryType.isAssignableFrom(type)) {
          return Optional.of(new Accessor(null, nativeSql));
        }
        Field query = type.getField("query");
        return queryType.isAssignableFrom(query.getType()) ? Optional.of(new Accessor(query, nativeSql))
            : Optional.empty();
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        return Optional.empty();
      }
    }

    String nativeSql(Object o) throws ReflectiveOperationException {
      Object q = query == null ? o : query.get(o);
      return q == null ? null : (String) nativeSql.invoke(q);
    }
  }
}
