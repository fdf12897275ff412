package io.pgintel.benchmarks;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.pgintel.PgIntel;
import io.pgintel.PgIntelBuilder;
import io.pgintel.collect.BuiltInCollectors;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * One {@code statements} collection cycle over 5,000 pg_stat_statements entries that all moved since the last
 * cycle (the worst case: every entry yields a delta), against a bare {@code SELECT * FROM
 * pg_stat_statements(false)} in the same run. Reports host CPU per cycle (the collecting thread's CPU time:
 * reading, delta math, ranking, events) and database time per cycle (pg_stat_statements' own
 * {@code total_exec_time} of every statement each side sent).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.pgintel.benchmarks.StatementsCycleBenchmark}
 */
public final class StatementsCycleBenchmark {

  private static final int TABLES = 50;
  private static final int COLUMNS = 10;
  private static final int CYCLES = 20;

  private StatementsCycleBenchmark() {}

  public static void main(String[] args) throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setServerConfig("shared_preload_libraries", "pg_stat_statements")
        .setServerConfig("pg_stat_statements.max", "10000")
        .setServerConfig("compute_query_id", "on")
        .setServerConfig("synchronous_commit", "on")
        .start()) {
      for (String db : new String[] {"bench", "meter"}) {
        Sql.exec(pg.getPostgresDatabase(), "CREATE DATABASE " + db);
      }
      Sql.exec(pg.getPostgresDatabase(), "CREATE EXTENSION pg_stat_statements");
      DataSource bench = pg.getDatabase("postgres", "bench");
      DataSource meter = pg.getDatabase("postgres", "meter");
      Sql.exec(meter, "CREATE EXTENSION pg_stat_statements");
      StringBuilder ddl = new StringBuilder();
      for (int t = 0; t < TABLES; t++) {
        ddl.append("CREATE TABLE t").append(t).append(" (");
        for (int c = 0; c < COLUMNS; c++) {
          ddl.append(c == 0 ? "" : ", ").append('c').append(c).append(" int");
        }
        ddl.append("); INSERT INTO t").append(t).append(" SELECT g").append(", g".repeat(COLUMNS - 1))
            .append(" FROM generate_series(1, 10) g;");
      }
      Sql.exec(bench, ddl.toString());
      try (Connection held = pg.getPostgresDatabase().getConnection()) {
        DataSource pool = singleConnection(held);
        int entries = workload(bench);
        System.out.printf(Locale.ROOT, "entries in pg_stat_statements: %.0f%n",
            Sql.number(meter, "SELECT count(*) FROM pg_stat_statements"));
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().build())
            .setLoggerProvider(SdkLoggerProvider.builder().build()).build();
        PgIntelBuilder builder = PgIntel.builder().dataSource(pool).openTelemetry(sdk);
        // the statements collector alone: every other one, those added since this benchmark was written too, off
        for (String name : BuiltInCollectors.defaultIntervals().keySet()) {
          builder.collectorEnabled(name, name.equals("statements"));
        }
        try (PgIntel pgintel = builder.build()) {
          pgintel.collectNow(); // baseline, and the one read of all texts
          ThreadMXBean threads = ManagementFactory.getThreadMXBean();
          double[] cpu = new double[CYCLES];
          double[] bareCpu = new double[CYCLES];
          String pgintelDbTime = "SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements"
              + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'postgres') AND query NOT LIKE '%AS bare%'";
          String bareDbTime = "SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements"
              + " WHERE query LIKE '%AS bare%' AND dbid = (SELECT oid FROM pg_database WHERE datname = 'postgres')";
          double pgintelDb = 0;
          double bareDb = 0;
          for (int i = 0; i < CYCLES; i++) {
            workload(bench);
            double before = Sql.number(meter, pgintelDbTime);
            long t0 = threads.getCurrentThreadCpuTime();
            pgintel.collectNow();
            cpu[i] = (threads.getCurrentThreadCpuTime() - t0) / 1e6;
            pgintelDb += Sql.number(meter, pgintelDbTime) - before;

            before = Sql.number(meter, bareDbTime);
            t0 = threads.getCurrentThreadCpuTime();
            bareRead(held);
            bareCpu[i] = (threads.getCurrentThreadCpuTime() - t0) / 1e6;
            bareDb += Sql.number(meter, bareDbTime) - before;
          }
          System.out.printf(Locale.ROOT, "statements moved per cycle: %d%n", entries);
          System.out.printf(Locale.ROOT, "pgintel cycle, host CPU ms: median %.1f, p90 %.1f%n", median(cpu),
              percentile(cpu, 0.9));
          System.out.printf(Locale.ROOT, "bare read,     host CPU ms: median %.1f, p90 %.1f%n", median(bareCpu),
              percentile(bareCpu, 0.9));
          System.out.printf(Locale.ROOT, "database time per cycle, ms: pgintel %.2f, bare read %.2f, ratio %.2f%n",
              pgintelDb / CYCLES, bareDb / CYCLES, pgintelDb / bareDb);
        }
      }
    }
  }

  /** 5,000 distinct statements (50 tables x 10 filter columns x 10 output columns), each run once. */
  private static int workload(DataSource bench) throws SQLException {
    int n = 0;
    try (Connection c = bench.getConnection(); Statement s = c.createStatement()) {
      for (int t = 0; t < TABLES; t++) {
        for (int f = 0; f < COLUMNS; f++) {
          for (int o = 0; o < COLUMNS; o++) {
            s.executeQuery("SELECT c" + o + " FROM t" + t + " WHERE c" + f + " = 3").close();
            n++;
          }
        }
      }
    }
    return n;
  }

  private static void bareRead(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM pg_stat_statements(false) AS bare")) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= columns; i++) {
          rs.getObject(i);
        }
      }
    }
  }



  /** A pool of one: the application's pooled connection, which close() hands back rather than closes. */
  private static DataSource singleConnection(Connection physical) {
    Connection handle = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, a) -> {
          if (method.getName().equals("close")) {
            return null;
          }
          try {
            return method.invoke(physical, a);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, a) -> {
          if (method.getName().equals("getConnection")) {
            return handle;
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }

  private static double median(double[] v) {
    return percentile(v, 0.5);
  }

  private static double percentile(double[] v, double p) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.floor(p * s.length))];
  }
}
