package io.pgintel.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SummaryTest {

  /** input, operation, tables (space separated, "" for none). */
  static Stream<Arguments> summaries() {
    return Stream.of(
        row("SELECT * FROM users WHERE id = 1", "SELECT", "users"),
        row("select u.name, o.total from users u join orders o on o.uid = u.id", "SELECT", "users orders"),
        row("SELECT * FROM a, b AS bb, c cc WHERE a.x = b.x", "SELECT", "a b c"),
        row("SELECT * FROM app.items", "SELECT", "app.items"),
        row("SELECT * FROM \"app\".\"Items\"", "SELECT", "app.Items"),
        row("SELECT * FROM users u LEFT JOIN users v ON u.boss = v.id", "SELECT", "users"),
        row("SELECT * FROM a WHERE id IN (SELECT a_id FROM b WHERE c IN (SELECT id FROM c))", "SELECT", "a b c"),
        row("SELECT * FROM (SELECT * FROM inner_t) sub", "SELECT", "inner_t"),
        row("SELECT EXTRACT(year FROM created_at) FROM orders", "SELECT", "orders"),
        row("SELECT substring(name FROM 2 FOR 3) FROM people", "SELECT", "people"),
        row("SELECT trim(both ' ' FROM name) FROM people", "SELECT", "people"),
        row("SELECT overlay(name PLACING 'x' FROM 2) FROM people", "SELECT", "people"),
        row("SELECT * FROM t WHERE a IS DISTINCT FROM b", "SELECT", "t"),
        row("SELECT * FROM t WHERE a IS NOT DISTINCT FROM b", "SELECT", "t"),
        row("SELECT * FROM generate_series(1, 10) g", "SELECT", ""),
        row("SELECT * FROM generate_series(1, 10) g, users u", "SELECT", "users"),
        row("SELECT * FROM t, LATERAL (SELECT * FROM u WHERE u.t = t.id) x", "SELECT", "t u"),
        row("SELECT * FROM ONLY parent", "SELECT", "parent"),
        row("SELECT * FROM a, (SELECT * FROM b) sub, c", "SELECT", "a b c"),
        row("SELECT * FROM a CROSS JOIN LATERAL unnest(a.tags) tag, d", "SELECT", "a d"),
        row("SELECT * FROM a NATURAL JOIN b", "SELECT", "a b"),
        row("SELECT 1", "SELECT", ""),
        row("SELECT now()", "SELECT", ""),
        row("(SELECT a FROM x) UNION ALL (SELECT a FROM y)", "SELECT", "x y"),
        row("SELECT * FROM t FOR UPDATE OF t SKIP LOCKED", "SELECT", "t"),
        row("TABLE users", "SELECT", "users"),
        row("WITH recent AS (SELECT * FROM orders) SELECT * FROM recent JOIN users ON true", "SELECT", "orders users"),
        row("WITH moved AS (DELETE FROM queue RETURNING *) INSERT INTO archive SELECT * FROM moved", "INSERT",
            "queue archive"),
        row("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT * FROM t", "SELECT", ""),
        row("WITH x AS MATERIALIZED (SELECT * FROM a) UPDATE b SET v = x.v FROM x", "UPDATE", "a b"),
        row("WITH x AS (SELECT 1) DELETE FROM b USING x", "DELETE", "b"),
        row("INSERT INTO users (name) VALUES ('x')", "INSERT", "users"),
        row("INSERT INTO app.users SELECT * FROM staging", "INSERT", "app.users staging"),
        row("INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = 2", "INSERT", "t"),
        row("UPDATE accounts SET balance = 0 WHERE id = 1", "UPDATE", "accounts"),
        row("UPDATE ONLY accounts a SET x = 1 FROM other o WHERE a.id = o.id", "UPDATE", "accounts other"),
        row("DELETE FROM sessions WHERE expires < now()", "DELETE", "sessions"),
        row("DELETE FROM a USING b WHERE a.id = b.id", "DELETE", "a b"),
        row("MERGE INTO target t USING source s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v",
            "MERGE", "target source"),
        row("COPY users (a, b) FROM STDIN", "COPY", "users"),
        row("COPY users TO '/tmp/x'", "COPY", "users"),
        row("COPY (SELECT * FROM users) TO STDOUT", "COPY", "users"),
        row("EXPLAIN ANALYZE SELECT * FROM users", "EXPLAIN", "users"),
        row("EXPLAIN (ANALYZE, BUFFERS) DELETE FROM t", "EXPLAIN", "t"),
        row("CREATE TABLE IF NOT EXISTS foo (id int)", "CREATE TABLE", "foo"),
        row("CREATE TEMP TABLE tmp (id int)", "CREATE TABLE", "tmp"),
        row("CREATE UNIQUE INDEX CONCURRENTLY idx ON app.items USING btree (id)", "CREATE INDEX", "app.items"),
        row("CREATE OR REPLACE VIEW v AS SELECT * FROM base", "CREATE VIEW", "base"),
        row("CREATE MATERIALIZED VIEW mv AS SELECT * FROM base", "CREATE MATERIALIZED VIEW", "base"),
        row("REFRESH MATERIALIZED VIEW CONCURRENTLY mv", "REFRESH MATERIALIZED VIEW", "mv"),
        row("ALTER TABLE items ADD COLUMN x int", "ALTER TABLE", "items"),
        row("DROP TABLE a, b", "DROP TABLE", "a b"),
        row("TRUNCATE a, b RESTART IDENTITY", "TRUNCATE", "a b"),
        row("TRUNCATE TABLE a", "TRUNCATE", "a"),
        row("LOCK TABLE a IN ACCESS EXCLUSIVE MODE", "LOCK", "a"),
        row("VACUUM ANALYZE big", "VACUUM", "big"),
        row("ALTER ROLE bob PASSWORD 'x'", "ALTER ROLE", ""),
        row("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 FROM secret_table $$ LANGUAGE sql", "CREATE FUNCTION", ""),
        row("REVOKE ALL ON t FROM bob", "REVOKE", ""),
        row("GRANT SELECT ON t TO bob", "GRANT", ""),
        row("FETCH NEXT FROM cur", "FETCH", ""),
        row("BEGIN", "BEGIN", ""),
        row("START TRANSACTION ISOLATION LEVEL SERIALIZABLE", "BEGIN", ""),
        row("COMMIT", "COMMIT", ""),
        row("ROLLBACK", "ROLLBACK", ""),
        row("SAVEPOINT s1", "SAVEPOINT", ""),
        row("SET search_path TO x", "SET", ""),
        row("SHOW work_mem", "SHOW", ""),
        row("RESET ALL", "RESET", ""),
        row("LISTEN channel", "LISTEN", ""),
        row("DO $$ BEGIN END $$", "DO", ""),
        row("J:{call proc(?)}", "CALL", ""),
        row("J:SELECT * FROM {oj a LEFT OUTER JOIN b ON a.x = b.x}", "SELECT", "a b"),
        row("VALUES (1), (2)", "VALUES", ""),
        row("frobnicate the database", "", ""),
        row("", "", ""));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("summaries")
  void operationAndTablesComeFromTheStatement(String input, String operation, List<String> tables) {
    NormalizedQuery q = Sql.analyze(input);
    assertEquals(operation, q.operation(), "operation");
    assertEquals(tables, q.tables(), "tables");
    String expectedSummary = String.join(" ", Stream.concat(Stream.of(operation), tables.stream().limit(4))
        .filter(s -> !s.isEmpty()).toList());
    assertEquals(expectedSummary, q.summary(), "summary");
  }

  /** The summary is worked out lazily from normalized text: it must be the one the statement itself gives. */
  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource({"summaries", "io.pgintel.sql.InvariantsTest#realisticStatements"})
  void summaryOfTheNormalizedTextIsTheSummaryOfTheStatement(String input) {
    boolean jdbc = Sql.isJdbc(input);
    String sql = jdbc ? input.substring(2) : input;
    Summary direct = new Normalizer().summarize(sql, jdbc);
    NormalizedQuery q = Sql.analyze(input);
    assertEquals(direct.operation(), q.operation(), "operation");
    assertEquals(direct.tables(), q.tables(), "tables");
    assertEquals(direct.text(), q.summary(), "summary");
  }

  @Test
  void lazyPartsAreTheSameFromEveryThread() throws Exception {
    NormalizedQuery q = SqlEngine.analyzeUncached(
        "WITH r AS (SELECT * FROM orders) SELECT * FROM r JOIN users u ON u.id = r.uid WHERE u.x IN (1, 2)", false);
    List<java.util.concurrent.Callable<List<Object>>> reads = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      reads.add(() -> List.of(q.fingerprint(), q.operation(), q.tables(), q.summary()));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      for (java.util.concurrent.Future<List<Object>> read : pool.invokeAll(reads)) {
        assertEquals(List.of(q.fingerprint(), "SELECT", List.of("orders", "users"), "SELECT orders users"),
            read.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(q, SqlEngine.analyzeUncached(
        "with r as (select * from orders) select * from r join users u on u.id = r.uid where u.x in (3, 4, 5)", false));
  }

  @Test
  void summaryIsBoundedInTablesAndLength() {
    StringBuilder sql = new StringBuilder("SELECT * FROM ");
    for (int i = 0; i < 50; i++) {
      sql.append(i == 0 ? "" : ", ").append("table_with_a_rather_long_name_number_").append(i);
    }
    NormalizedQuery q = Sql.analyze(sql.toString());
    assertTrue(q.summary().length() <= 255, q.summary());
    assertTrue(q.tables().size() <= 32, "tables " + q.tables().size());
    assertTrue(q.summary().startsWith("SELECT table_with_a_rather_long_name_number_0 "), q.summary());
  }

  private static Arguments row(String sql, String operation, String tables) {
    return Arguments.of(sql, operation, tables.isEmpty() ? List.of() : Arrays.asList(tables.split(" ")));
  }
}
