package io.pgintel.collect;

import java.sql.ResultSet;
import java.sql.SQLException;

/** One result row, with getters that keep SQL NULL as {@code null} instead of JDBC's zero. */
public final class Row {

  private final ResultSet rs;

  Row(ResultSet rs) {
    this.rs = rs;
  }

  public long getLong(String column) throws SQLException {
    return rs.getLong(column);
  }

  public Long longOrNull(String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  public double getDouble(String column) throws SQLException {
    return rs.getDouble(column);
  }

  public Double doubleOrNull(String column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? null : v;
  }

  public int getInt(String column) throws SQLException {
    return rs.getInt(column);
  }

  public boolean getBoolean(String column) throws SQLException {
    return rs.getBoolean(column);
  }

  /** The string value, or {@code ""} for NULL. */
  public String string(String column) throws SQLException {
    String s = rs.getString(column);
    return s == null ? "" : s;
  }

  public String stringOrNull(String column) throws SQLException {
    return rs.getString(column);
  }

  public java.sql.Array array(String column) throws SQLException {
    return rs.getArray(column);
  }
}
