package io.pgintel.collect.custom;

import io.pgintel.collect.Collector;
import io.pgintel.collect.Row;
import io.pgintel.collect.SqlSession;
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

  private final CustomQuery query;
  private final String sql;
  private final List<String> valueColumns;

  public CustomQueryCollector(CustomQuery query) {
    this.query = query;
    String body = query.sql().strip();
    while (body.endsWith(";")) {
      body = body.substring(0, body.length() - 1).strip();
    }
    // the line break ends a trailing -- comment before the wrapper's closing parenthesis
    this.sql = "SELECT custom_query.*, count(*) OVER () AS " + TOTAL + " FROM (\n" + body + "\n) custom_query LIMIT "
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
    List<Record> out = new ArrayList<>(session.query(sql, r -> {
      total[0] = r.getLong(TOTAL);
      return row(r, db);
    }));
    out.add(new CustomQueryRun(query.name(), out.size(), total[0] - out.size()));
    return out;
  }

  private CustomRow row(Row r, String db) throws SQLException {
    List<String> columns = r.columnLabels();
    for (String column : valueColumns) {
      if (!columns.contains(column)) {
        throw new SQLException("query '" + query.name() + "' has no column '" + column + "' (its columns: "
            + String.join(", ", columns.stream().filter(c -> !c.equals(TOTAL)).toList()) + ")", "42703");
      }
    }
    Map<String, Double> values = new HashMap<>();
    Map<String, String> attributes = new LinkedHashMap<>();
    for (String column : columns) {
      if (column.equals(TOTAL)) {
        continue;
      }
      if (valueColumns.contains(column)) {
        try {
          values.put(column, r.doubleOrNull(column));
        } catch (SQLException | NumberFormatException e) {
          throw new SQLException("column '" + column + "' of query '" + query.name() + "' is not a number: "
              + e.getMessage(), "42804", e);
        }
      } else {
        String v = r.stringOrNull(column);
        if (v != null) {
          attributes.put(column, v);
        }
      }
    }
    return new CustomRow(query.name(), db, attributes, values);
  }
}
