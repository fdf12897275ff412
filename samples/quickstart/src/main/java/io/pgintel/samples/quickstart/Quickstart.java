package io.pgintel.samples.quickstart;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.pgintel.PgIntel;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Starts an embedded PostgreSQL 17 with a small shop workload (or connects to {@code --url}), attaches pgintel
 * and prints what pgintel reports every few seconds. With {@code OTEL_EXPORTER_OTLP_ENDPOINT} set, the same
 * metrics also go out over OTLP.
 */
public final class Quickstart {

  private static final String USAGE = """
      usage: java -jar pgintel-quickstart.jar [options]
        --duration D     stop after D (e.g. 20s, 5m); default: run until Ctrl-C
        --refresh D      print a summary every D; default 5s
        --url URL        monitor this server instead of an embedded one (jdbc:postgresql://host:port/db)
        --user U         user for --url (default: postgres)
        --password P     password for --url
        --workload       also run the shop workload against --url (it creates a schema named shop)
      """;

  private Quickstart() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  static int run(String[] args, PrintStream out) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      out.println(e.getMessage());
      out.print(USAGE);
      return 2;
    }
    if (options.help) {
      out.print(USAGE);
      return 0;
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        stopped.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException ignored) {
        // exiting
      }
    }, "quickstart-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    EmbeddedPostgres embedded = null;
    try {
      DataSource dataSource;
      if (options.url == null) {
        out.println("starting an embedded PostgreSQL 17 ...");
        embedded = EmbeddedPostgres.builder()
            .setServerConfig("shared_preload_libraries", "pg_stat_statements")
            .setServerConfig("compute_query_id", "on")
            .setServerConfig("track_io_timing", "on")
            .start();
        dataSource = embedded.getPostgresDatabase();
      } else {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(options.url);
        ds.setUser(options.user);
        if (options.password != null) {
          ds.setPassword(options.password);
        }
        dataSource = ds;
      }
      String server = describe(dataSource);
      out.println("monitoring " + server);
      TopQueries topQueries = new TopQueries();
      OpenTelemetrySdk sdk = openTelemetry(new SummaryPrinter(out, server, topQueries), topQueries,
          options.refresh);
      try (PgIntel pgintel = PgIntel.builder()
          .dataSource(dataSource)
          .openTelemetry(sdk)
          .collectorInterval("database", options.refresh)
          .collectorInterval("connections", options.refresh)
          .collectorInterval("bgwriter", options.refresh)
          .collectorInterval("wal", options.refresh)
          .collectorInterval("statements", options.refresh)
          // four activity samples a second: within a short run they catch the workload's statements, a fraction
          // of a millisecond each, often enough to name the line of each top query; a sample then counts as slow
          // for the circuit breakers only past its whole interval (a new connection each time, on a busy machine)
          .collectorInterval("activity", java.time.Duration.ofMillis(250))
          .setting("pgintel.circuit.slow-share", "100")
          .setting("pgintel.collectors.activity.aggregation-interval", options.refresh)
          .build();
          // the workload's statements through pgintel's wrapper: top queries then name the line that runs them
          ShopWorkload workload = new ShopWorkload(pgintel.wrap(dataSource))) {
        if (options.url == null || options.workload) {
          workload.createSchema();
          workload.start(3);
          out.println("shop workload running (3 clients)");
        }
        pgintel.start();
        boolean signalled = options.duration == null
            ? awaitSignal(stop)
            : stop.await(options.duration.toMillis(), TimeUnit.MILLISECONDS);
        out.println(signalled ? "\nstopping (Ctrl-C) ..." : "\nstopping after " + options.durationText + " ...");
        workload.close();
        out.println("orders placed: " + workload.ordersPlaced());
      } finally {
        sdk.shutdown().join(10, TimeUnit.SECONDS);
      }
      return 0;
    } catch (IOException | SQLException e) {
      out.println("quickstart failed: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } finally {
      if (embedded != null) {
        try {
          embedded.close();
        } catch (IOException e) {
          out.println("could not stop the embedded server: " + e.getMessage());
        }
      }
      out.println("bye");
      out.flush();
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // already shutting down
      }
    }
  }

  private static boolean awaitSignal(CountDownLatch stop) throws InterruptedException {
    stop.await();
    return true;
  }

  /**
   * The application's own SDK, as a real application would have: a printing reader for this console, and
   * OTLP when the standard variables ask for it.
   */
  private static OpenTelemetrySdk openTelemetry(SummaryPrinter printer, TopQueries topQueries, Duration refresh) {
    boolean otlp = System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != null
        || System.getProperty("otel.exporter.otlp.endpoint") != null;
    Map<String, String> defaults = new HashMap<>();
    defaults.put("otel.service.name", "pgintel-quickstart");
    defaults.put("otel.traces.exporter", "none");
    defaults.put("otel.metrics.exporter", otlp ? "otlp" : "none");
    defaults.put("otel.logs.exporter", otlp ? "otlp" : "none");
    defaults.put("otel.metric.export.interval", String.valueOf(refresh.toMillis()));
    // OTLP over HTTP (port 4318), as pgintel's own SDK sends it; OTEL_EXPORTER_OTLP_PROTOCOL=grpc for 4317
    defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
    return AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> defaults)
        .addMeterProviderCustomizer((builder, config) -> builder.registerMetricReader(
            PeriodicMetricReader.builder(printer).setInterval(refresh).build()))
        .addLoggerProviderCustomizer((builder, config) -> builder.addLogRecordProcessor(topQueries))
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk();
  }

  private static String describe(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_setting('server_version'), current_database()")) {
      rs.next();
      String url = c.getMetaData().getURL();
      String at = url.replaceFirst("^jdbc:postgresql://", "").replaceFirst("[/?].*$", "");
      return "PostgreSQL " + rs.getString(1) + " at " + at + "/" + rs.getString(2);
    }
  }

  private static final class Options {
    Duration duration;
    String durationText;
    Duration refresh = Duration.ofSeconds(5);
    String url;
    String user = "postgres";
    String password;
    boolean workload;
    boolean help;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--duration" -> {
            o.durationText = value(args, ++i, a);
            o.duration = duration(o.durationText, a);
          }
          case "--refresh" -> o.refresh = duration(value(args, ++i, a), a);
          case "--url" -> o.url = value(args, ++i, a);
          case "--user" -> o.user = value(args, ++i, a);
          case "--password" -> o.password = value(args, ++i, a);
          case "--workload" -> o.workload = true;
          case "--help", "-h" -> o.help = true;
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (o.url != null && !o.url.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException("--url must start with jdbc:postgresql:");
      }
      return o;
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }

    private static Duration duration(String text, String option) {
      Duration d = parse(text.trim().toLowerCase(java.util.Locale.ROOT));
      if (d == null) {
        throw new IllegalArgumentException(option + ": '" + text + "' is not a duration such as 20s, 5m or 1h");
      }
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(option + ": '" + text + "' is too short; give at least 1s");
      }
      return d;
    }

    /** {@code 20s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT20S}); null for anything else. */
    private static Duration parse(String t) {
      try {
        if (t.startsWith("pt")) {
          return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
        }
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          case 'h' -> Duration.ofHours(n);
          default -> null;
        };
      } catch (RuntimeException e) {
        return null;
      }
    }
  }
}
