package io.pgintel.collect.custom;

import io.pgintel.collect.Collector;
import io.pgintel.collect.Row;
import io.pgintel.collect.SqlSession;
import io.pgintel.sql.OneStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one {@link CustomQuery} in the session every collector gets (a read-only transaction with statement and
 * lock timeouts), reading at most {@code max-rows} rows and how many there were in all: the query is wrapped in
 * {@code SELECT ..., count(*) OVER () FROM (...) LIMIT}, which also refuses more than one statement.
 */
public final class CustomQueryCollector implements Collector {

  /** The wrapper's column of the query's row count; not an attribute. */
  private static final String TOTAL = "pgintel_rows";
  /** Longest attribute value taken from a row: longer text is cut (series stay few, points small). */
  static final int MAX_ATTRIBUTE = 256;

  private final CustomQuery query;
  private final String sql;
  private final List<String> valueColumns;

  public CustomQueryCollector(CustomQuery query) {
    this.query = query;
    // settings let only one complete statement through; without its trailing semicolon and comments, and its ?
    // operators doubled for the driver
    String body = OneStatement.of(query.sql());
    if (body == null) {
      throw new IllegalArgumentException("query '" + query.name() + "' is not one complete statement");
    }
    // the count first: a column of the query's own with the same label cannot take its place
    this.sql = "SELECT count(*) OVER () AS " + TOTAL + ", custom_query.* FROM (\n" + body + "\n) custom_query LIMIT "
        + query.maxRows();
    List<String> values = new ArrayList<>(query.gauges());
    values.addAll(query.counters());
    this.valueColumns = List.copyOf(values);
  }

  @Override
  public String name() {
    return query.collectorName();
  }

  @Override
  public Duration defaultInterval() {
    return query.interval();
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    String db = session.server().database();
    long[] total = new long[1];
    List<Record> out;
    try {
      out = new ArrayList<>(session.query(sql, r -> {
        total[0] = r.getLong(TOTAL);
        return row(r, db);
      }));
    } catch (SQLException e) {
      // the message goes to logs and status: its first line, without the values the server quotes in it
      throw new SQLException("query '" + query.name() + "': " + withoutValues(e.getMessage(), e.getSQLState()),
          e.getSQLState());
    }
    out.add(new CustomQueryRun(query.name(), out.size(), total[0] - out.size()));
    return out;
  }

  private CustomRow row(Row r, String db) throws SQLException {
    // the wrapper's count is the first column
    List<String> columns = r.columnLabels().subList(1, r.columnLabels().size());
    for (String column : valueColumns) {
      if (!columns.contains(column)) {
        throw new SQLException("has no column '" + column + "' (its columns: " + String.join(", ", columns) + ")",
            "42703");
      }
    }
    Map<String, Double> values = new HashMap<>();
    Map<String, String> attributes = new LinkedHashMap<>();
    for (String column : columns) {
      if (valueColumns.contains(column)) {
        try {
          values.put(column, r.doubleOrNull(column));
        } catch (SQLException | NumberFormatException e) {
          // not the value itself: it is the application's data
          throw new SQLException("column '" + column + "' is not a number", "42804");
        }
      } else if (!column.equals(TOTAL)) {
        String v = r.stringOrNull(column);
        if (v != null) {
          attributes.put(column, cut(v));
        }
      }
    }
    return new CustomRow(query.name(), db, attributes, values);
  }

  /** At most {@link #MAX_ATTRIBUTE} characters, never half a surrogate pair. */
  private static String cut(String v) {
    if (v.length() <= MAX_ATTRIBUTE) {
      return v;
    }
    int end = Character.isHighSurrogate(v.charAt(MAX_ATTRIBUTE - 1)) ? MAX_ATTRIBUTE - 1 : MAX_ATTRIBUTE;
    return v.substring(0, end);
  }

  /**
   * The first line of a server message without the data it may quote: a data exception (class 22: invalid input,
   * out of range, ...) is cut at the colon before the value, whatever the quotes of the server's language; a
   * syntax or access rule error (class 42: a column that does not exist, ...) names objects, not data, and is kept
   * whole, the hint the query's author needs; other messages have their double-quoted values masked.
   */
  static String withoutValues(String message, String sqlState) {
    if (message == null) {
      return "";
    }
    int eol = message.indexOf('\n');
    String line = eol < 0 ? message : message.substring(0, eol);
    if (sqlState != null && sqlState.startsWith("22")) {
      // "ERROR: invalid input syntax for type integer: <value>": the severity's colon, then the value's
      int severity = line.indexOf(": ");
      int value = line.indexOf(':', severity < 0 ? 0 : severity + 2);
      return value < 0 ? line : line.substring(0, value);
    }
    return sqlState != null && sqlState.startsWith("42") ? line : line.replaceAll("\"[^\"]*\"", "\"…\"");
  }
}
