package io.pgintel.samples.agent;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain Java application that knows nothing of pgintel: a HikariCP pool on PostgreSQL (an embedded server, or
 * {@code --url}) and two threads placing and reading orders. Run it with {@code -javaagent:pgintel-agent.jar} and
 * the agent finds the pool and monitors its database.
 */
public final class OrdersApp {

  private static final String USAGE = """
      usage: java [-javaagent:pgintel-agent.jar[=key=value,...]] -jar pgintel-agent-sample.jar [options]
        --seconds N      stop after N seconds; default: run until Ctrl-C
        --url URL        use this server instead of an embedded one (jdbc:postgresql://host:port/db)
        --user U         user for --url (default: postgres)
        --password P     password for --url
      """;

  private OrdersApp() {}

  public static void main(String[] args) throws Exception {
    long seconds = Long.MAX_VALUE / 1_000_000_000L;
    String url = null;
    String user = "postgres";
    String password = null;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.equals("--help") || option.equals("-h") || i + 1 >= args.length) {
        System.out.print(USAGE);
        System.exit(option.startsWith("-h") || option.equals("--help") ? 0 : 2);
      }
      String value = args[++i];
      switch (option) {
        case "--seconds" -> seconds = Long.parseLong(value);
        case "--url" -> url = value;
        case "--user" -> user = value;
        case "--password" -> password = value;
        default -> {
          System.out.print(USAGE);
          System.exit(2);
        }
      }
    }
    System.out.println(System.getProperty("pgintel.agent.active") != null
        ? "pgintel agent: active"
        : "pgintel agent: not loaded (add -javaagent:pgintel-agent.jar, or attach it to this pid: "
            + ProcessHandle.current().pid() + ")");
    EmbeddedPostgres embedded = null;
    if (url == null) {
      System.out.println("starting an embedded PostgreSQL 17 ...");
      embedded = EmbeddedPostgres.builder()
          .setServerConfig("shared_preload_libraries", "pg_stat_statements")
          .setServerConfig("compute_query_id", "on")
          .start();
      url = embedded.getJdbcUrl("postgres", "postgres");
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(4);
    config.setPoolName("orders");
    try (HikariDataSource pool = new HikariDataSource(config)) {
      run(pool, seconds, embedded != null);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
    System.out.println("bye");
  }

  private static void run(HikariDataSource pool, long seconds, boolean embedded) throws Exception {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      if (embedded) {
        // the top-queries view pgintel reads; an existing server's administrator decides this for themselves
        s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      }
      s.execute("CREATE TABLE IF NOT EXISTS sample_orders (id bigserial PRIMARY KEY, customer int NOT NULL, "
          + "amount numeric(10, 2) NOT NULL, placed_at timestamptz NOT NULL DEFAULT now())");
    }
    AtomicLong placed = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    Runnable clerk = () -> {
      while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
        try {
          placeAndRead(pool);
          placed.incrementAndGet();
          Thread.sleep(20);
        } catch (SQLException e) {
          System.out.println("order failed: " + e.getMessage());
        } catch (InterruptedException e) {
          return;
        }
      }
    };
    Thread[] clerks = {new Thread(clerk, "clerk-1"), new Thread(clerk, "clerk-2")};
    for (Thread t : clerks) {
      t.start();
    }
    long next = System.nanoTime();
    while (clerks[0].isAlive() || clerks[1].isAlive()) {
      clerks[0].join(100);
      if (System.nanoTime() >= next) {
        System.out.println("orders placed: " + placed.get());
        next = System.nanoTime() + 5_000_000_000L;
      }
    }
    System.out.println("orders placed: " + placed.get());
  }

  private static void placeAndRead(HikariDataSource pool) throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    try (Connection c = pool.getConnection();
        PreparedStatement insert = c.prepareStatement(
            "INSERT INTO sample_orders (customer, amount) VALUES (?, ?) RETURNING id");
        PreparedStatement read = c.prepareStatement(
            "SELECT count(*), coalesce(sum(amount), 0) FROM sample_orders WHERE customer = ?")) {
      int customer = random.nextInt(100);
      insert.setInt(1, customer);
      insert.setBigDecimal(2, java.math.BigDecimal.valueOf(random.nextInt(10_000), 2));
      try (ResultSet rs = insert.executeQuery()) {
        rs.next();
      }
      read.setInt(1, customer);
      try (ResultSet rs = read.executeQuery()) {
        rs.next();
      }
    }
  }
}
