package io.pgintel.collect;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * One result row, with getters that keep SQL NULL as {@code null} instead of JDBC's zero.
 *
 * <p>On pgjdbc a row is read as the text the server sent ({@link Pgjdbc#textResult}): each column's bytes, parsed
 * here, found by a column index looked up once per result. Plain integers, short decimals, {@code t}/{@code f} and
 * text (UTF-8, the client encoding pgjdbc sets; ASCII only in another) are parsed here; anything else (an integer
 * with a fraction, {@code NaN}) falls back to the driver's typed getter for that column, so every value reads as
 * JDBC would give it. On another driver, or with a column the server sent in binary, every value goes through the
 * typed getters by name.
 */
public final class Row {

  /** Powers of ten a double holds exactly. */
  private static final double[] POWERS_OF_TEN = new double[23];

  static {
    POWERS_OF_TEN[0] = 1;
    for (int i = 1; i < POWERS_OF_TEN.length; i++) {
      POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
    }
  }

  /** Digits of a decimal's significand below 2^53, so that it converts to a double exactly. */
  private static final int EXACT_DIGITS = 15;

  private final ResultSet rs;
  /** pgjdbc's own result set behind {@link #rs}, every column text; null when read through the typed getters. */
  private final ResultSet text;
  /** Whether {@link #text} is UTF-8, so that non-ASCII strings are decoded here too; asked at the first one. */
  private Boolean utf8;
  /** Column label to index (from 1), first of each label as JDBC finds it; empty when {@link #text} is null. */
  private final Map<String, Integer> columns;
  private List<String> labels;

  private Row(ResultSet rs, ResultSet text, Map<String, Integer> columns) {
    this.rs = rs;
    this.text = text;
    this.columns = columns;
  }

  /** The row cursor of {@code rs}: read as text where the driver allows it. */
  static Row of(ResultSet rs) {
    Pgjdbc.TextResult result = Pgjdbc.textResult(rs);
    return result == null ? new Row(rs, null, Map.of()) : new Row(rs, result.resultSet(), result.columns());
  }

  /** Whether this row reads the server's text (for tests). */
  boolean readsText() {
    return text != null;
  }

  /** Whether it decodes non-ASCII text itself, as UTF-8. */
  boolean decodesUtf8() {
    if (utf8 == null) {
      utf8 = text != null && Pgjdbc.utf8(text);
    }
    return utf8;
  }

  /** Labels of the result's columns, in order (read once per result). */
  public List<String> columnLabels() throws SQLException {
    if (labels == null) {
      java.sql.ResultSetMetaData md = rs.getMetaData();
      List<String> out = new java.util.ArrayList<>(md.getColumnCount());
      for (int i = 1; i <= md.getColumnCount(); i++) {
        out.add(md.getColumnLabel(i));
      }
      labels = List.copyOf(out);
    }
    return labels;
  }

  public long getLong(String column) throws SQLException {
    int i = index(column);
    if (i == 0) {
      return rs.getLong(column);
    }
    byte[] v = text.getBytes(i);
    return v == null ? 0 : toLong(v, i);
  }

  public Long longOrNull(String column) throws SQLException {
    int i = index(column);
    if (i == 0) {
      long v = rs.getLong(column);
      return rs.wasNull() ? null : v;
    }
    byte[] v = text.getBytes(i);
    return v == null ? null : toLong(v, i);
  }

  public double getDouble(String column) throws SQLException {
    int i = index(column);
    if (i == 0) {
      return rs.getDouble(column);
    }
    byte[] v = text.getBytes(i);
    return v == null ? 0 : toDouble(v, i);
  }

  public Double doubleOrNull(String column) throws SQLException {
    int i = index(column);
    if (i == 0) {
      double v = rs.getDouble(column);
      return rs.wasNull() ? null : v;
    }
    byte[] v = text.getBytes(i);
    return v == null ? null : toDouble(v, i);
  }

  public int getInt(String column) throws SQLException {
    int i = index(column);
    if (i == 0) {
      return rs.getInt(column);
    }
    byte[] v = text.getBytes(i);
    if (v == null) {
      return 0;
    }
    return plainInteger(v, 9) ? (int) integer(v) : rs.getInt(i);
  }

  public boolean getBoolean(String column) throws SQLException {
    int i = index(column);
    if (i == 0) {
      return rs.getBoolean(column);
    }
    byte[] v = text.getBytes(i);
    if (v == null) {
      return false;
    }
    if (v.length == 1 && (v[0] == 't' || v[0] == 'f')) {
      return v[0] == 't';
    }
    return rs.getBoolean(i);
  }

  /** The string value, or {@code ""} for NULL. */
  public String string(String column) throws SQLException {
    String s = stringOrNull(column);
    return s == null ? "" : s;
  }

  /** Whether the column is NULL in this row, its value not read. */
  public boolean isNull(String column) throws SQLException {
    int i = index(column);
    return i == 0 ? rs.getObject(column) == null : text.getBytes(i) == null;
  }

  public String stringOrNull(String column) throws SQLException {
    int i = index(column);
    if (i == 0) {
      return rs.getString(column);
    }
    byte[] v = text.getBytes(i);
    if (v == null) {
      return null;
    }
    for (byte b : v) {
      if (b < 0) {
        // the server sends valid text of the client encoding; any other encoding is the driver's to decode
        return decodesUtf8() ? new String(v, StandardCharsets.UTF_8) : rs.getString(i);
      }
    }
    return new String(v, StandardCharsets.ISO_8859_1);
  }

  public java.sql.Array array(String column) throws SQLException {
    int i = index(column);
    return i == 0 ? rs.getArray(column) : rs.getArray(i);
  }

  /** The column's index, or 0 to read it through the typed getter by name. */
  private int index(String column) {
    Integer i = columns.get(column);
    return i == null ? 0 : i;
  }

  private long toLong(byte[] v, int column) throws SQLException {
    return plainInteger(v, 18) ? integer(v) : rs.getLong(column);
  }

  private double toDouble(byte[] v, int column) throws SQLException {
    double d = exactDecimal(v);
    if (!Double.isNaN(d)) {
      return d;
    }
    try {
      return Double.parseDouble(new String(v, StandardCharsets.ISO_8859_1));
    } catch (NumberFormatException e) {
      return rs.getDouble(column); // the driver's answer, or its error, for whatever this is
    }
  }

  /** An optional minus and 1 to {@code maxDigits} digits: a value {@link #integer} reads without overflow. */
  static boolean plainInteger(byte[] v, int maxDigits) {
    int start = v.length > 0 && v[0] == '-' ? 1 : 0;
    int digits = v.length - start;
    if (digits == 0 || digits > maxDigits) {
      return false;
    }
    for (int i = start; i < v.length; i++) {
      if (v[i] < '0' || v[i] > '9') {
        return false;
      }
    }
    return true;
  }

  /** The value of a {@link #plainInteger}. */
  static long integer(byte[] v) {
    boolean negative = v[0] == '-';
    long n = 0;
    for (int i = negative ? 1 : 0; i < v.length; i++) {
      n = n * 10 + (v[i] - '0');
    }
    return negative ? -n : n;
  }

  /**
   * A decimal as PostgreSQL prints numbers ({@code -12.50}, {@code 1.5e+20}) with at most {@link #EXACT_DIGITS}
   * significant digits and a power of ten a double holds exactly: one multiplication or division of two exact
   * doubles, which rounds as {@link Double#parseDouble} does. NaN for anything else, which the caller parses the
   * slow way.
   */
  static double exactDecimal(byte[] v) {
    int n = v.length;
    int i = 0;
    boolean negative = n > 0 && v[0] == '-';
    if (negative) {
      i++;
    }
    long significand = 0;
    int significant = 0;
    int scale = 0;
    boolean digits = false;
    boolean point = false;
    for (; i < n; i++) {
      byte b = v[i];
      if (b >= '0' && b <= '9') {
        digits = true;
        if (significand != 0 || b != '0') {
          if (++significant > EXACT_DIGITS) {
            return Double.NaN;
          }
        }
        significand = significand * 10 + (b - '0');
        if (point) {
          scale++;
        }
      } else if (b == '.' && !point) {
        point = true;
      } else {
        break;
      }
    }
    if (!digits) {
      return Double.NaN;
    }
    int exponent = 0;
    if (i < n && (v[i] == 'e' || v[i] == 'E')) {
      i++;
      boolean negativeExponent = i < n && v[i] == '-';
      if (i < n && (v[i] == '-' || v[i] == '+')) {
        i++;
      }
      int start = i;
      for (; i < n && v[i] >= '0' && v[i] <= '9' && i - start < 4; i++) {
        exponent = exponent * 10 + (v[i] - '0');
      }
      if (i == start) {
        return Double.NaN;
      }
      if (negativeExponent) {
        exponent = -exponent;
      }
    }
    if (i != n) {
      return Double.NaN;
    }
    int power = exponent - scale;
    double d = significand;
    if (power > 0) {
      if (power >= POWERS_OF_TEN.length) {
        return Double.NaN;
      }
      d *= POWERS_OF_TEN[power];
    } else if (power < 0) {
      if (-power >= POWERS_OF_TEN.length) {
        return Double.NaN;
      }
      d /= POWERS_OF_TEN[-power];
    }
    return negative ? -d : d;
  }
}
