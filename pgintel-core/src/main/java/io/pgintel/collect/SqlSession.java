package io.pgintel.collect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * One collection's view of the database: a borrowed connection whose statements run read-only with
 * {@code statement_timeout} and {@code lock_timeout} set locally, never past their transaction. Every statement
 * carries the {@value #MARKER} comment so that pgintel can recognise, and exclude, its own statements. Made only by
 * {@link SessionFactory}; valid until the collector returns.
 *
 * <p>How the settings reach the server decides how many round trips the application's connection is held for:
 * <ul>
 *   <li>pgjdbc, connection in autocommit (the common case): each query carries the settings statement in its own
 *       text. pgjdbc sends both statements and then one {@code Sync}; the server runs everything up to a
 *       {@code Sync} as one implicit transaction, so the settings are in force for the query and end with it. One
 *       round trip per query, no {@code BEGIN}, no {@code COMMIT}, the connection's autocommit left alone.
 *   <li>a statement that needs a transaction block ({@link #execute}, {@link #executeAround}: savepoints,
 *       {@code PREPARE}): the session switches the connection to a transaction of its own, which
 *       {@link SessionFactory} commits or rolls back.
 *   <li>a connection lent with autocommit off, or another driver: one transaction for the whole collection, the
 *       settings sent once, with the first query where the driver sends both before it waits (pgjdbc), else in a
 *       round trip of their own.
 * </ul>
 * With pgjdbc no statement of pgintel's becomes a prepared statement of the server's, however often it runs on one
 * of the application's connections ({@link Pgjdbc#oneShot}).
 */
public final class SqlSession {

  /** Leading comment of every statement pgintel sends. */
  public static final String MARKER = "/* pgintel */";

  private final Connection connection;
  private final int queryTimeoutSeconds;
  /** The statement that makes a transaction read-only with pgintel's timeouts, marker included. */
  private final String settings;
  /**
   * The driver is pgjdbc: it sends a two-statement text before it waits, it has the simple protocol, and pgintel's
   * statements are one-shot on it ({@link Pgjdbc}).
   */
  private final boolean pipelines;
  private ServerInfo server;
  /** Each query is a transaction of its own, carrying the settings (autocommit, pgjdbc). */
  private boolean perQuery;
  /** In a transaction whose settings have not been sent yet. */
  private boolean settingsPending;

  /**
   * @param perQuery the connection is in autocommit and {@code pipelines}: every query carries the settings;
   *     otherwise the connection is in a transaction whose settings have not been sent
   */
  SqlSession(Connection connection, ServerInfo server, int queryTimeoutSeconds, String settings, boolean pipelines,
      boolean perQuery) {
    this.connection = connection;
    this.server = server;
    this.queryTimeoutSeconds = queryTimeoutSeconds;
    this.settings = settings;
    this.pipelines = pipelines;
    this.perQuery = perQuery;
    this.settingsPending = !perQuery;
  }

  public ServerInfo server() {
    return server;
  }

  void discovered(ServerInfo info) {
    server = info;
  }

  /**
   * Whether the connection is in a transaction the session's owner must end (commit or roll back), and whose
   * autocommit it restores if the session turned it off.
   */
  boolean inTransaction() {
    return !perQuery;
  }

  /** Reads all rows of a query. */
  public <T> List<T> query(String sql, RowMapper<T> mapper) throws SQLException {
    return query(sql, List.of(), mapper);
  }

  /**
   * Reads all rows of a query with bind parameters ({@code ?}); a {@code long[]} parameter is sent as a
   * PostgreSQL {@code bigint[]}, for {@code = ANY(?)}.
   */
  public <T> List<T> query(String sql, List<?> parameters, RowMapper<T> mapper) throws SQLException {
    OwnStatements.register(sql);
    // one statement text, two statements, one round trip (the driver sends both before it waits), while the
    // application's pool connection is held
    String ahead = settingsAhead();
    String text = ahead == null ? MARKER + " " + sql : ahead + ";\n" + MARKER + " " + sql;
    try (PreparedStatement ps = connection.prepareStatement(text)) {
      oneShot(ps);
      for (int i = 0; i < parameters.size(); i++) {
        Object p = parameters.get(i);
        if (p instanceof long[] longs) {
          Long[] boxed = new Long[longs.length];
          for (int k = 0; k < longs.length; k++) {
            boxed[k] = longs[k];
          }
          ps.setArray(i + 1, connection.createArrayOf("int8", boxed));
        } else {
          ps.setObject(i + 1, p);
        }
      }
      // Backstop for a network that hangs: the server's statement_timeout normally fires first.
      ps.setQueryTimeout(queryTimeoutSeconds);
      try (ResultSet rs = ahead == null ? ps.executeQuery() : secondResult(ps)) {
        List<T> out = new ArrayList<>();
        Row row = Row.of(rs);
        while (rs.next()) {
          out.add(mapper.map(row));
        }
        return out;
      }
    }
  }

  /** The result of the query sent after the settings statement. */
  private static ResultSet secondResult(PreparedStatement ps) throws SQLException {
    ps.execute();
    if (!ps.getMoreResults()) {
      throw new SQLException("a pgintel query sent after its transaction's settings returned no rows", "02000");
    }
    return ps.getResultSet();
  }

  /** The settings statement to send in the same text as the next query, or null if it needs none. */
  private String settingsAhead() throws SQLException {
    if (perQuery) {
      return settings;
    }
    if (!settingsPending) {
      return null;
    }
    settingsPending = false;
    if (pipelines) {
      return settings;
    }
    sendSettings();
    return null;
  }

  /**
   * For statements that need a transaction block or cannot carry the settings: turns autocommit off if each query
   * was its own transaction so far, and sends the settings on their own if this transaction has not had them.
   */
  private void transactionWithSettings() throws SQLException {
    if (perQuery) {
      connection.setAutoCommit(false);
      perQuery = false;
      settingsPending = true;
    }
    if (settingsPending) {
      settingsPending = false;
      sendSettings();
    }
  }

  private void sendSettings() throws SQLException {
    try (Statement s = connection.createStatement()) {
      oneShot(s);
      s.execute(settings);
    }
  }

  /** Reads a query that returns exactly one row. */
  public <T> T queryOne(String sql, RowMapper<T> mapper) throws SQLException {
    List<T> rows = query(sql, mapper);
    if (rows.size() != 1) {
      throw new SQLException("expected one row, got " + rows.size() + " from a pgintel query");
    }
    return rows.get(0);
  }

  /**
   * The schema an extension is installed in, quoted for use in SQL; an {@link SQLException} with SQL state 42704
   * (undefined object) naming the extension when it is not installed in this database (any more).
   */
  public String extensionSchema(String extension) throws SQLException {
    List<String> found = query("""
        SELECT quote_ident(n.nspname) AS schema FROM pg_extension e
        JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = ?""", List.of(extension),
        r -> r.string("schema"));
    if (found.isEmpty()) {
      throw new SQLException("the " + extension + " extension is not installed in this database", "42704");
    }
    return found.get(0);
  }

  /**
   * Runs a statement pgintel wrote that may return no rows ({@code SAVEPOINT}, {@code DEALLOCATE}); returns the
   * first column of its rows as text, if it has any.
   */
  public List<String> execute(String sql) throws SQLException {
    OwnStatements.register(sql);
    return executePlain(sql, false);
  }

  /**
   * Runs a statement built around a text of the application's ({@code EXPLAIN <its query>},
   * {@code PREPARE p AS <its query>}) so that the text reaches the server as it came: through a plain JDBC
   * statement (its {@code ?} are operators) and, when {@link #simpleProtocol()}, with the simple query protocol
   * (its {@code $n} are not parameters to bind). Returns the first column of its rows as text. The statement is
   * remembered as pgintel's own in a bounded set (see {@link OwnStatements}).
   */
  public List<String> executeAround(String sql) throws SQLException {
    OwnStatements.registerAroundApplicationText(sql);
    return executePlain(sql, simpleProtocol());
  }

  /**
   * Whether {@link #executeAround} sends with the simple query protocol: the driver is pgjdbc, which the session
   * factory found out once (the same test decides whether the settings can travel with a query).
   */
  public boolean simpleProtocol() {
    return pipelines;
  }

  private List<String> executePlain(String sql, boolean simple) throws SQLException {
    transactionWithSettings();
    try (Statement s = connection.createStatement()) {
      oneShot(s);
      s.setEscapeProcessing(false);
      s.setQueryTimeout(queryTimeoutSeconds);
      List<String> out = new ArrayList<>();
      String text = MARKER + " " + sql;
      if (simple ? Pgjdbc.executeSimple(s, text) : s.execute(text)) {
        try (ResultSet rs = s.getResultSet()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return out;
    }
  }

  /** pgjdbc's statements never become prepared statements of the application's backends (see {@link Pgjdbc}). */
  private void oneShot(Statement s) {
    if (pipelines) {
      Pgjdbc.oneShot(s);
    }
  }

  /**
   * A statement of one row joined with one of many rows, so that one round trip reads both while the application's
   * pool connection is held: {@code one}'s row beside each of {@code many}'s, or beside a row of nulls when
   * {@code many} has none. Their columns must not share names. Build it once when it is sent often; read it with
   * {@link #queryOneWithMany}.
   */
  public static String oneWithMany(String one, String many) {
    return "SELECT o.*, m.* FROM (" + one + ") o LEFT JOIN (" + many + ") m ON true";
  }

  /**
   * Reads a statement {@link #oneWithMany} made.
   *
   * @param present a column of the many rows that is never null in them: where it is, the row is {@code one}'s alone
   */
  public <O, M> OneWithMany<O, M> queryOneWithMany(String sql, String present, RowMapper<O> one,
      RowMapper<M> many) throws SQLException {
    List<O> first = new ArrayList<>(1);
    List<M> rows = new ArrayList<>();
    query(sql, r -> {
      if (first.isEmpty()) {
        first.add(one.map(r));
      }
      if (!r.isNull(present)) {
        rows.add(many.map(r));
      }
      return null;
    });
    return new OneWithMany<>(first.get(0), rows);
  }

  /** What {@link #queryOneWithMany} read: the one row's value and the many rows' values. */
  public record OneWithMany<O, M>(O one, List<M> many) {}

  /** Maps the current row of a result. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(Row row) throws SQLException;
  }
}
