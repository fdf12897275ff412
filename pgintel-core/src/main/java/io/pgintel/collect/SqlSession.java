package io.pgintel.collect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * One collection's view of the database: a borrowed connection inside {@code BEGIN READ ONLY} with
 * {@code statement_timeout} and {@code lock_timeout} set locally, the settings sent in the same round trip as the
 * first query. Every statement carries the
 * {@value #MARKER} comment so that pgintel can recognise, and exclude, its own statements. Made only by
 * {@link SessionFactory}; valid until the collector returns.
 */
public final class SqlSession {

  /** Leading comment of every statement pgintel sends. */
  public static final String MARKER = "/* pgintel */";

  private final Connection connection;
  private final ServerInfo server;
  private final int queryTimeoutSeconds;
  /** The transaction's settings statement while it has not been sent, else null: see {@link SessionFactory}. */
  private String settings;
  private Boolean simpleProtocol;

  /**
   * @param settings the statement that sets the transaction's settings, sent ahead of the first query in the same
   *     round trip; null if it has been sent already
   */
  SqlSession(Connection connection, ServerInfo server, int queryTimeoutSeconds, String settings) {
    this.connection = connection;
    this.server = server;
    this.queryTimeoutSeconds = queryTimeoutSeconds;
    this.settings = settings;
  }

  public ServerInfo server() {
    return server;
  }

  /** The settings statement if no statement has carried it yet, else null. */
  String pendingSettings() {
    return settings;
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
    String ahead = settings;
    settings = null;
    // the settings ride with the first query: one statement text, two statements, one round trip (the driver
    // sends both before it waits), while the application's pool connection is held
    String text = ahead == null ? MARKER + " " + sql : ahead + ";\n" + MARKER + " " + sql;
    try (PreparedStatement ps = connection.prepareStatement(text)) {
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
        Row row = new Row(rs);
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

  /** Sends the settings on their own, for statements that cannot carry them. */
  private void settingsFirst() throws SQLException {
    String ahead = settings;
    if (ahead != null) {
      settings = null;
      try (Statement s = connection.createStatement()) {
        s.execute(ahead);
      }
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

  /** Whether {@link #executeAround} sends with the simple query protocol: the driver is pgjdbc. */
  public boolean simpleProtocol() throws SQLException {
    if (simpleProtocol == null) {
      try (Statement s = connection.createStatement()) {
        simpleProtocol = SimpleQueryProtocol.available(s);
      }
    }
    return simpleProtocol;
  }

  private List<String> executePlain(String sql, boolean simple) throws SQLException {
    settingsFirst();
    try (Statement s = connection.createStatement()) {
      s.setEscapeProcessing(false);
      s.setQueryTimeout(queryTimeoutSeconds);
      List<String> out = new ArrayList<>();
      String text = MARKER + " " + sql;
      if (simple ? SimpleQueryProtocol.execute(s, text) : s.execute(text)) {
        try (ResultSet rs = s.getResultSet()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return out;
    }
  }

  /** Maps the current row of a result. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(Row row) throws SQLException;
  }
}
