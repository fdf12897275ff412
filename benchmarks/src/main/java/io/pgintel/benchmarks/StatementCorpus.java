package io.pgintel.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Distinct SQL statements of the shapes applications send (lookups, joins, IN lists, batch inserts, updates,
 * JSON filters, upserts, CTEs), with literals of every kind, mostly 100 to 200 characters long. Generated from
 * a fixed seed, so every run measures the same text; all distinct, so that no cache can answer.
 */
public final class StatementCorpus {

  private static final String[] TABLES = {"users", "orders", "order_items", "products", "invoices", "payments",
      "sessions", "accounts", "shipments", "events", "audit_log", "carts"};
  private static final String[] COLUMNS = {"id", "user_id", "status", "created_at", "email", "total", "sku",
      "quantity", "price", "region", "kind", "updated_at", "owner_id", "score"};
  private static final String[] STATUSES = {"new", "paid", "shipped", "cancelled", "refunded", "o'brien",
      "pending review", "ok"};

  private StatementCorpus() {}

  /**
   * A corpus of 10,000 statements by name: {@code mixed}, the first 10,000 generated from seed 42 (mean 124
   * characters, 9 % under 100), or {@code 100-200}, the first 10,000 of them that are 100 to 200 characters long.
   */
  public static List<String> named(String name) {
    return switch (name) {
      case "mixed" -> generate(10_000, 42);
      case "100-200" -> generate(15_000, 42).stream().filter(s -> s.length() >= 100 && s.length() <= 200)
          .limit(10_000).toList();
      default -> throw new IllegalArgumentException("corpus " + name + ": mixed or 100-200");
    };
  }

  /** Hands out the statements of a corpus in order, round and round; one per benchmark thread. */
  public static final class Cycle {
    private final List<String> statements;
    private int next;

    public Cycle(List<String> statements) {
      this.statements = statements;
    }

    public String next() {
      String s = statements.get(next);
      next = next + 1 == statements.size() ? 0 : next + 1;
      return s;
    }
  }

  /** {@code n} distinct statements. */
  public static List<String> generate(int n, long seed) {
    Random r = new Random(seed);
    Set<String> out = new LinkedHashSet<>();
    while (out.size() < n) {
      out.add(one(r));
    }
    return new ArrayList<>(out);
  }

  private static String one(Random r) {
    String t = pick(r, TABLES);
    String u = pick(r, TABLES);
    String c1 = pick(r, COLUMNS);
    String c2 = pick(r, COLUMNS);
    String c3 = pick(r, COLUMNS);
    return switch (r.nextInt(10)) {
      case 0 -> "SELECT " + c1 + ", " + c2 + ", " + c3 + " FROM " + t + " WHERE " + c1 + " = " + r.nextInt(1_000_000)
          + " AND " + c2 + " = '" + pick(r, STATUSES) + "' ORDER BY " + c3 + " DESC LIMIT " + (10 + r.nextInt(90));
      case 1 -> "SELECT o." + c1 + ", u." + c2 + " FROM " + t + " o JOIN " + u + " u ON u.id = o." + c3
          + " WHERE o.created_at > '2026-0" + (1 + r.nextInt(9)) + "-1" + r.nextInt(10) + "' AND u.region IN ("
          + list(r, 2 + r.nextInt(6)) + ")";
      case 2 -> "INSERT INTO " + t + " (" + c1 + ", " + c2 + ", " + c3 + ") VALUES (" + r.nextInt(100000) + ", '"
          + pick(r, STATUSES) + "', " + r.nextInt(1000) + "." + r.nextInt(100) + "), (" + r.nextInt(100000)
          + ", 'x" + r.nextInt(1000) + "', " + r.nextInt(1000) + ")";
      case 3 -> "UPDATE " + t + " SET " + c1 + " = " + c1 + " - " + (1 + r.nextInt(9)) + ", updated_at = now() WHERE id = "
          + r.nextInt(10_000_000) + " AND " + c2 + " >= " + r.nextInt(100) + " RETURNING id, " + c3;
      case 4 -> "DELETE FROM " + t + " WHERE " + c1 + " < now() - interval '" + (1 + r.nextInt(90))
          + " days' AND " + c2 + " = ANY (ARRAY[" + list(r, 3) + "]) /* purge job " + r.nextInt(100) + " */";
      case 5 -> "SELECT count(*), sum(" + c1 + ") FROM " + t + " WHERE payload->>'" + c2 + "' = '" + r.nextInt(9999)
          + "' AND " + c3 + " BETWEEN " + r.nextInt(1000) + " AND " + (1000 + r.nextInt(1000)) + " GROUP BY 1";
      case 6 -> "INSERT INTO " + t + " (id, " + c1 + ") VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET " + c1
          + " = EXCLUDED." + c1 + ", " + c2 + " = " + t + "." + c2 + " + " + r.nextInt(50);
      case 7 -> "WITH recent AS (SELECT id FROM " + t + " WHERE " + c1 + " > " + r.nextInt(100000)
          + ") SELECT u." + c2 + " FROM " + u + " u WHERE u.id IN (SELECT id FROM recent) AND u." + c3
          + " IS NOT NULL LIMIT " + r.nextInt(500);
      case 8 -> "SELECT * FROM " + t + " WHERE " + c1 + " = ? AND " + c2 + " LIKE ? AND " + c3 + " <> ? -- page "
          + r.nextInt(10000) + "\nORDER BY " + c1 + " OFFSET " + r.nextInt(1000);
      default -> "SELECT " + c1 + "::text, coalesce(" + c2 + ", E'n\\'a') FROM " + t + " WHERE " + c3 + " = "
          + (r.nextBoolean() ? "-" : "") + r.nextInt(1000) + ".5 AND kind = 'k" + r.nextInt(100000) + "'";
    };
  }

  private static String list(Random r, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append('\'').append(pick(r, TABLES).charAt(0)).append(r.nextInt(100)).append('\'');
    }
    return sb.toString();
  }

  private static String pick(Random r, String[] values) {
    return values[r.nextInt(values.length)];
  }
}
