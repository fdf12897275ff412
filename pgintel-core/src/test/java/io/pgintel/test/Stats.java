package io.pgintel.test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

/**
 * Independent reads of the server's statistics, on a connection of the test's own, for comparing with what
 * pgintel emitted. Statistics reach the views with a delay (PostgreSQL 13-14 through the stats collector, 15+
 * when a backend flushes), so tests wait until a value settles.
 */
public final class Stats {

  /** Transactions {@link #flush(Connection)} commits itself. */
  public static final int FLUSH_COMMITS = 1;

  private Stats() {}

  /**
   * Makes an open session hand its pending statistics to the server: backends report them when they go idle,
   * but at most once a second (every 500 ms before PostgreSQL 15), so wait past that and end one more
   * transaction ({@value #FLUSH_COMMITS} commit).
   */
  public static void flush(Connection session) throws Exception {
    Thread.sleep(1100);
    try (Statement s = session.createStatement()) {
      s.execute("SELECT 1");
    }
  }

  /** Reads one number with a fresh snapshot. */
  public static double read(PgServer pg, String sql) throws Exception {
    return read(pg, "postgres", sql);
  }

  /** Reads one number in the given database. */
  public static double read(PgServer pg, String database, String sql) throws Exception {
    try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getDouble(1);
      }
    }
  }

  /** Polls until the value is at least {@code atLeast} and has stopped changing; returns it. */
  public static double settle(PgServer pg, String sql, double atLeast) throws Exception {
    return settle(pg, "postgres", sql, atLeast);
  }

  /** {@link #settle(PgServer, String, double)} in the given database. */
  public static double settle(PgServer pg, String database, String sql, double atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    double last = Double.NaN;
    int stable = 0;
    while (System.nanoTime() < deadline) {
      double v = read(pg, database, sql);
      if (v >= atLeast && v == last) {
        if (++stable >= 2) {
          return v;
        }
      } else {
        stable = 0;
      }
      last = v;
      Thread.sleep(150);
    }
    throw new AssertionError("statistic did not settle at >= " + atLeast + " (last " + last + "): " + sql);
  }
}
