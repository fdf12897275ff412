package io.pgintel.benchmarks;

import io.opentelemetry.api.OpenTelemetry;
import io.pgintel.PgIntel;
import io.pgintel.PgIntelBuilder;
import io.pgintel.collect.BuiltInCollectors;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;

/**
 * The cost of one {@code activity} sample with 200 backends: 150 idle, 30 idle in transaction, 15 running a
 * statement and 5 waiting on a row lock (so {@code pg_blocking_pids()} and {@code pg_locks} are read too).
 * Database time per sample is pg_stat_statements' {@code total_exec_time} of pgintel's statements; host CPU is
 * the sampling thread's CPU time.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.pgintel.benchmarks.ActivitySampleBenchmark}
 */
public final class ActivitySampleBenchmark {

  private static final int SAMPLES = 200;

  private ActivitySampleBenchmark() {}

  public static void main(String[] args) throws Exception {
    ExecutorService running = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    });
    List<Connection> open = new ArrayList<>();
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setServerConfig("shared_preload_libraries", "pg_stat_statements")
        .setServerConfig("compute_query_id", "on")
        .setServerConfig("max_connections", "300")
        .start()) {
      DataSource postgres = pg.getPostgresDatabase();
      Sql.exec(postgres, "CREATE DATABASE app");
      Sql.exec(postgres, "CREATE DATABASE meter");
      DataSource app = pg.getDatabase("postgres", "app");
      DataSource meter = pg.getDatabase("postgres", "meter");
      Sql.exec(meter, "CREATE EXTENSION pg_stat_statements");
      Sql.exec(app, "CREATE TABLE hot (id int PRIMARY KEY, v int); INSERT INTO hot VALUES (1, 0)");
      for (int i = 0; i < 150; i++) {
        open.add(app.getConnection());
      }
      for (int i = 0; i < 30; i++) {
        Connection c = app.getConnection();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.execute(i == 0 ? "UPDATE hot SET v = v + 1 WHERE id = 1" : "SELECT " + i);
        }
        open.add(c);
      }
      for (int i = 0; i < 20; i++) {
        Connection c = app.getConnection();
        open.add(c);
        String sql = i < 15 ? "SELECT pg_sleep(600)" : "UPDATE hot SET v = v + 1 WHERE id = 1";
        running.submit(() -> {
          try (Statement s = c.createStatement()) {
            s.execute(sql);
          }
          return null;
        });
      }
      Thread.sleep(1000);
      System.out.printf(Locale.ROOT, "backends: %.0f%n",
          Sql.number(meter, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"));
      PgIntelBuilder builder = PgIntel.builder().dataSource(postgres).openTelemetry(OpenTelemetry.noop());
      // the activity collector alone: every other one, those added since this benchmark was written too, off
      for (String name : BuiltInCollectors.defaultIntervals().keySet()) {
        builder.collectorEnabled(name, name.equals("activity"));
      }
      try (PgIntel pgintel = builder.build()) {
        for (int i = 0; i < 20; i++) {
          pgintel.collectNow(); // warm up the JIT, the plan cache and the SQL engine's cache
        }
        String dbTime = "SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements"
            + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'postgres')";
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] cpu = new double[SAMPLES];
        double before = Sql.number(meter, dbTime);
        for (int i = 0; i < SAMPLES; i++) {
          long t0 = threads.getCurrentThreadCpuTime();
          pgintel.collectNow();
          cpu[i] = (threads.getCurrentThreadCpuTime() - t0) / 1e6;
        }
        double db = (Sql.number(meter, dbTime) - before) / SAMPLES;
        Arrays.sort(cpu);
        try (Connection c = meter.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
            "SELECT calls, round(mean_exec_time::numeric, 3), left(query, 60) FROM pg_stat_statements"
                + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'postgres')"
                + " ORDER BY total_exec_time DESC LIMIT 6")) {
          while (rs.next()) {
            System.out.printf(Locale.ROOT, "  %6d calls, mean %s ms: %s%n", rs.getLong(1), rs.getString(2),
                rs.getString(3).replace('\n', ' '));
          }
        }
        System.out.printf(Locale.ROOT, "activity sample: database time %.2f ms per sample (all statements of the"
            + " session), host CPU median %.2f ms, p90 %.2f ms%n", db, cpu[SAMPLES / 2], cpu[SAMPLES * 9 / 10]);
      }
    } finally {
      running.shutdownNow();
    }
  }


}
