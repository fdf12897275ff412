package io.pgintel.collect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.pgintel.test.PgServer;
import io.pgintel.test.TestDataSources;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGStatement;

/**
 * {@link Row} reads pgjdbc's results as the text the server sent and must give exactly what JDBC's typed getters
 * give: every getter on every column of a row of awkward values, through the driver itself and through HikariCP.
 */
@ExtendWith(io.pgintel.test.PostgresExtension.class)
class RowTest {

  /** Awkward values of each type pgintel reads, in one row; the same query's second row is all NULL. */
  private static final String VALUES = "SELECT 0::int8 AS z, -1::int8 AS minus_one, 123456789012345678::int8 AS long18,"
      + " 9223372036854775807::int8 AS long_max, (-9223372036854775807 - 1)::int8 AS long_min,"
      + " 2147483647::int4 AS int_max, (-2147483647 - 1)::int4 AS int_min, 12.50::numeric AS numeric_fraction,"
      + " 1e20::numeric AS numeric_big, 0.000123::numeric AS numeric_small, 1.5::float8 AS f_simple,"
      + " 0.1::float8 AS f_tenth, 1e-300::float8 AS f_tiny, 1.7976931348623157e308::float8 AS f_max,"
      + " 123456.78901234567::float8 AS f_long, 'NaN'::float8 AS f_nan, 'Infinity'::float8 AS f_inf,"
      + " '-Infinity'::float8 AS f_minus_inf, '-0'::float8 AS f_minus_zero, 2.5e-7::float8 AS f_exponent,"
      + " 1234.5::float4 AS f4, true AS yes, false AS no, 'abc'::text AS ascii, 'h\u00e9llo \u2713'::text AS unicode,"
      + " ''::text AS empty, 'pg_stat_statements'::name AS a_name, ARRAY[1, 2]::int[] AS ints,"
      + " now() AS ts, '0/16B6C50'::pg_lsn AS lsn, 42::oid AS an_oid, 7::int2 AS small"
      + " UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
      + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL";

  @Test
  void readsTheServersTextAsTheTypedGettersWouldThroughTheDriver(PgServer pg) throws Exception {
    everyGetterAgrees(pg.dataSource());
  }

  @Test
  void readsTheServersTextAsTheTypedGettersWouldThroughAPool(PgServer pg) throws Exception {
    try (HikariDataSource pool = TestDataSources.hikari(pg.dataSource(), 1, 30_000)) {
      everyGetterAgrees(pool);
    }
  }

  @Test
  void aResultSentInBinaryIsReadThroughTheTypedGetters(PgServer pg) throws Exception {
    try (Connection c = pg.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT 7::int8 AS n, 2.5::float8 AS d")) {
      ps.unwrap(PGStatement.class).setPrepareThreshold(-1); // pgjdbc: binary results from the first run
      try (ResultSet rs = ps.executeQuery()) {
        Row row = Row.of(rs);
        assertFalse(row.readsText(), "int8 and float8 come in binary here");
        assertTrue(rs.next());
        assertEquals(7, row.getLong("n"));
        assertEquals(2.5, row.getDouble("d"));
      }
    }
  }

  private static void everyGetterAgrees(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(VALUES)) {
      Pgjdbc.oneShot(ps);
      try (ResultSet rs = ps.executeQuery()) {
        Row row = Row.of(rs);
        assertTrue(row.readsText(), "pgjdbc's one-shot results are text");
        assertTrue(row.decodesUtf8(), "pgjdbc's client encoding is UTF-8");
        ResultSetMetaData meta = rs.getMetaData();
        int rows = 0;
        while (rs.next()) {
          rows++;
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            String column = meta.getColumnLabel(i);
            String where = column + " in row " + rows;
            assertEquals(jdbc(() -> rs.getString(column)), jdbc(() -> row.stringOrNull(column)), where);
            assertEquals(jdbc(() -> rs.getBoolean(column)), jdbc(() -> row.getBoolean(column)), where);
            assertEquals(jdbc(() -> rs.getInt(column)), jdbc(() -> row.getInt(column)), where);
            assertEquals(jdbc(() -> rs.getLong(column)), jdbc(() -> row.getLong(column)), where);
            assertEquals(jdbc(() -> {
              long v = rs.getLong(column);
              return rs.wasNull() ? null : v;
            }), jdbc(() -> row.longOrNull(column)), where);
            assertEquals(jdbc(() -> rs.getDouble(column)), jdbc(() -> row.getDouble(column)), where);
            assertEquals(jdbc(() -> {
              double v = rs.getDouble(column);
              return rs.wasNull() ? null : v;
            }), jdbc(() -> row.doubleOrNull(column)), where);
          }
          java.sql.Array ints = row.array("ints");
          assertEquals(rs.getArray("ints") == null, ints == null);
          if (ints != null) {
            assertArrayEquals(new Integer[] {1, 2}, (Integer[]) ints.getArray());
          }
        }
        assertEquals(2, rows);
      }
    }
  }

  @Test
  void aColumnTheResultLacksFailsAsTheDriverSays(PgServer pg) throws Exception {
    try (Connection c = pg.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement("SELECT 1 AS a")) {
      try (ResultSet rs = ps.executeQuery()) {
        Row row = Row.of(rs);
        assertTrue(rs.next());
        assertEquals(jdbc(() -> rs.getLong("b")), jdbc(() -> row.getLong("b")));
        assertTrue(String.valueOf(jdbc(() -> row.getLong("b"))).startsWith("SQLException"));
      }
    }
  }

  @Test
  void decimalsParseToTheSameDoubleAsTheJdk() {
    Random random = new Random(20261206);
    String[] fixed = {"0", "-0", "1", "-1", "0.1", "1.", ".5", "007", "123.4560000", "999999999999999",
        "9999999999999999", "1e22", "1e23", "1e-22", "1e-23", "4.35", "0.30000000000000004", "2.5e-7", "1.5E+10",
        "-12.50", "1e", "e5", "-", ".", "1.2.3", "1e+", "1e99999", "NaN", "Infinity", "12a"};
    for (String s : fixed) {
      assertDecimal(s);
    }
    for (int i = 0; i < 200_000; i++) {
      String s = switch (i % 4) {
        case 0 -> Double.toString(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
        case 1 -> String.format(Locale.ROOT, "%." + random.nextInt(12) + "f", random.nextGaussian() * 1e6);
        case 2 -> random.nextLong(1_000_000_000_000_000L) + "e" + (random.nextInt(60) - 30);
        default -> (random.nextInt(2) == 0 ? "-" : "") + random.nextInt(100_000) + "." + random.nextInt(100_000);
      };
      assertDecimal(s);
    }
  }

  private static void assertDecimal(String s) {
    double fast = Row.exactDecimal(s.getBytes(StandardCharsets.US_ASCII));
    if (Double.isNaN(fast)) {
      return; // left to the slow way
    }
    assertEquals(Double.doubleToRawLongBits(Double.parseDouble(s)), Double.doubleToRawLongBits(fast), s);
  }

  @Test
  void integersParseAsTheJdkDoesUpToTheirDigits() {
    Random random = new Random(7);
    for (int i = 0; i < 100_000; i++) {
      long v = i < 10 ? i - 5 : random.nextLong() >> random.nextInt(64);
      byte[] text = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
      if (Row.plainInteger(text, 18)) {
        assertEquals(v, Row.integer(text));
      } else {
        assertTrue(Long.toString(Math.abs(v)).length() > 18 || v == Long.MIN_VALUE, Long.toString(v));
      }
    }
    for (String notPlain : new String[] {"", "-", "1.0", "+1", " 1", "1e3", "12345678901234567890"}) {
      assertFalse(Row.plainInteger(notPlain.getBytes(StandardCharsets.US_ASCII), 18), notPlain);
    }
    assertTrue(Row.plainInteger("-999999999".getBytes(StandardCharsets.US_ASCII), 9));
    assertFalse(Row.plainInteger("1000000000".getBytes(StandardCharsets.US_ASCII), 9));
  }

  /** A getter's value, or its exception's class and SQL state, so that failures compare too. */
  private static Object jdbc(Getter g) {
    try {
      return g.get();
    } catch (SQLException e) {
      return "SQLException " + e.getSQLState();
    }
  }

  @FunctionalInterface
  private interface Getter {
    Object get() throws SQLException;
  }
}
