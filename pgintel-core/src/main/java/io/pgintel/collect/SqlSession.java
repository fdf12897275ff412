package io.pgintel.collect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * One collection's view of the database: a borrowed connection inside {@code BEGIN READ ONLY} with
 * {@code statement_timeout} and {@code lock_timeout} set locally. Every statement carries the
 * {@value #MARKER} comment so that pgintel can recognise, and exclude, its own statements. Made only by
 * {@link SessionFactory}; valid until the collector returns.
 */
public final class SqlSession {

  /** Leading comment of every statement pgintel sends. */
  public static final String MARKER = "/* pgintel */";

  private final Connection connection;
  private final ServerInfo server;
  private final int queryTimeoutSeconds;

  SqlSession(Connection connection, ServerInfo server, int queryTimeoutSeconds) {
    this.connection = connection;
    this.server = server;
    this.queryTimeoutSeconds = queryTimeoutSeconds;
  }

  public ServerInfo server() {
    return server;
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
    try (PreparedStatement ps = connection.prepareStatement(MARKER + " " + sql)) {
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
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        Row row = new Row(rs);
        while (rs.next()) {
          out.add(mapper.map(row));
        }
        return out;
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

  /** Maps the current row of a result. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(Row row) throws SQLException;
  }
}
