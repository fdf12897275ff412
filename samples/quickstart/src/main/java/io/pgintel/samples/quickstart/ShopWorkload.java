package io.pgintel.samples.quickstart;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * A small shop on its own schema: customers browse products, place orders (some payments fail and roll back),
 * and now and then someone runs a report. Enough for every pgintel collector to have something to show.
 */
final class ShopWorkload implements AutoCloseable {

  private final DataSource dataSource;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong orders = new AtomicLong();
  private volatile boolean running = true;

  ShopWorkload(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  void createSchema() throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      try {
        s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      } catch (SQLException e) {
        // a role that may not create it: the workload runs anyway, pgintel says what the top queries need
        System.out.println("note: pg_stat_statements could not be created (" + e.getMessage().lines().findFirst()
            .orElse("") + "); top queries need it");
      }
      s.execute("""
          CREATE SCHEMA IF NOT EXISTS shop;
          CREATE TABLE IF NOT EXISTS shop.customers (id bigserial PRIMARY KEY, email text NOT NULL,
              created_at timestamptz NOT NULL DEFAULT now());
          CREATE TABLE IF NOT EXISTS shop.products (id bigserial PRIMARY KEY, name text NOT NULL,
              price numeric(10,2) NOT NULL, stock int NOT NULL);
          CREATE TABLE IF NOT EXISTS shop.orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL
              REFERENCES shop.customers, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
          CREATE TABLE IF NOT EXISTS shop.order_items (order_id bigint NOT NULL REFERENCES shop.orders,
              product_id bigint NOT NULL REFERENCES shop.products, quantity int NOT NULL);
          CREATE INDEX IF NOT EXISTS order_items_order ON shop.order_items (order_id);
          INSERT INTO shop.customers (email)
              SELECT 'customer' || g || '@example.com' FROM generate_series(1, 500) g
              WHERE NOT EXISTS (SELECT 1 FROM shop.customers);
          INSERT INTO shop.products (name, price, stock)
              SELECT 'product ' || g, (random() * 100 + 1)::numeric(10,2), 1000000 FROM generate_series(1, 200) g
              WHERE NOT EXISTS (SELECT 1 FROM shop.products);
          """);
    }
  }

  void start(int clients) {
    for (int i = 0; i < clients; i++) {
      Thread t = new Thread(this::loop, "shop-client-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
  }

  long ordersPlaced() {
    return orders.get();
  }

  private void loop() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (running) {
      try (Connection c = dataSource.getConnection()) {
        for (int i = 0; i < 200 && running; i++) {
          int dice = random.nextInt(100);
          if (dice < 60) {
            browse(c, random);
          } else if (dice < 97) {
            placeOrder(c, random);
          } else {
            report(c);
          }
          Thread.sleep(random.nextInt(5, 25));
        }
      } catch (InterruptedException e) {
        return;
      } catch (SQLException e) {
        if (running) {
          sleepQuietly(500);
        }
      }
    }
  }

  private static void browse(Connection c, ThreadLocalRandom random) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT id, name, price FROM shop.products WHERE price < ? ORDER BY price DESC LIMIT 20")) {
      ps.setBigDecimal(1, java.math.BigDecimal.valueOf(random.nextInt(5, 100)));
      drain(ps);
    }
  }

  private void placeOrder(Connection c, ThreadLocalRandom random) throws SQLException {
    c.setAutoCommit(false);
    try {
      long orderId;
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO shop.orders (customer_id, status) VALUES (?, 'new') RETURNING id")) {
        ps.setLong(1, random.nextLong(1, 501));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          orderId = rs.getLong(1);
        }
      }
      try (PreparedStatement item = c.prepareStatement(
              "INSERT INTO shop.order_items (order_id, product_id, quantity) VALUES (?, ?, ?)");
          PreparedStatement stock = c.prepareStatement(
              "UPDATE shop.products SET stock = stock - ? WHERE id = ?")) {
        for (int i = random.nextInt(1, 4); i > 0; i--) {
          long product = random.nextLong(1, 201);
          int quantity = random.nextInt(1, 3);
          item.setLong(1, orderId);
          item.setLong(2, product);
          item.setInt(3, quantity);
          item.executeUpdate();
          stock.setInt(1, quantity);
          stock.setLong(2, product);
          stock.executeUpdate();
        }
      }
      if (random.nextInt(10) == 0) {
        c.rollback(); // the payment was declined
      } else {
        c.commit();
        orders.incrementAndGet();
      }
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static void report(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT p.name, sum(i.quantity) AS sold, sum(i.quantity * p.price) AS revenue
        FROM shop.order_items i JOIN shop.products p ON p.id = i.product_id
        GROUP BY p.name ORDER BY revenue DESC LIMIT 10""")) {
      drain(ps);
    }
  }

  private static void drain(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rs.getObject(1);
      }
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      t.interrupt();
    }
    for (Thread t : threads) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
