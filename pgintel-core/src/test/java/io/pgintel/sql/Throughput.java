package io.pgintel.sql;

/**
 * Quick single-thread throughput check of the uncached path; prints statements per second.
 * Not a benchmark (that is JMH's job in benchmarks/), only a sanity check while developing:
 * {@code java -cp pgintel-core/target/classes:pgintel-core/target/test-classes:<caffeine>:<slf4j>
 * io.pgintel.sql.Throughput}
 */
public final class Throughput {

  private static final String[] STATEMENTS = {
    "SELECT u.id, u.name, u.email FROM users u WHERE u.id = $1 AND u.status = 'active' ORDER BY u.created_at "
        + "DESC LIMIT 10",
    "INSERT INTO app.orders (customer_id, total, currency, created_at) VALUES (42, 19.99, 'EUR', now()) RETURNING id",
    "UPDATE accounts SET balance = balance - 100.50, updated_at = now() WHERE id = 7 AND version = 3",
    "SELECT o.id, sum(li.qty * li.price) FROM orders o JOIN line_items li ON li.order_id = o.id WHERE o.id IN "
        + "(1, 2, 3, 4, 5) GROUP BY 1",
    "select * from \"Events\" where payload->>'type' = 'click' and at > timestamptz '2024-01-01 00:00:00+00' "
        + "/*route='%2Fa'*/",
    "DELETE FROM sessions WHERE expires_at < now() - interval '30 days' AND user_id = ANY(ARRAY[10, 20, 30])",
    "WITH recent AS (SELECT * FROM orders WHERE created_at > $1) SELECT count(*) FROM recent r JOIN users u ON "
        + "u.id = r.uid",
    "SELECT id, name FROM products WHERE category_id = ? AND price BETWEEN ? AND ? AND name ILIKE ? ORDER BY name",
  };

  private Throughput() {
  }

  public static void main(String[] args) {
    long bytes = 0;
    for (String s : STATEMENTS) {
      bytes += s.length();
    }
    System.out.printf("average statement length: %d chars%n", bytes / STATEMENTS.length);
    // CPU time of this thread, next to wall time: on a shared machine the wall clock also
    // counts time spent descheduled
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int round = 0; round < 5; round++) {
      int n = 2_000_000;
      long start = System.nanoTime();
      long cpuStart = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        String s = STATEMENTS[i & 7];
        sink += SqlEngine.analyzeUncached(s, (i & 7) == 7).fingerprintBits();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
      System.out.printf("round %d: %,.0f statements/s wall, %,.0f statements/s of thread CPU time%n",
          round, n / seconds, n / cpuSeconds);
    }
    System.out.println(sink == 42 ? "" : "done");
  }
}
