package io.pgintel.sql;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.function.Executable;

/**
 * A statement has the fingerprint of the text pg_stat_statements stores for it, for what {@link QueryIdAgreementTest}
 * cannot explain: utility statements (transactions, savepoints, cursors, prepared statements, settings,
 * notifications, locks, procedures) and rarer syntax whose keywords PostgreSQL's grammar turns into constants.
 * Without this, the lines of code pgintel learns for a statement (and its own statements, on PostgreSQL 18) would
 * not meet the statement's pg_stat_statements entry.
 */
class StoredTextFingerprintTest {

  /** One statement checked, with what it needs run before (a transaction, a cursor) and after. */
  private record Case(int since, List<String> before, String sql, List<String> after) {
    @Override
    public String toString() {
      return sql;
    }
  }

  private static final List<Case> CASES = List.of(
      of("BEGIN"), of("COMMIT"), of("ROLLBACK"), of("START TRANSACTION ISOLATION LEVEL REPEATABLE READ", "COMMIT"),
      of("BEGIN READ ONLY", "COMMIT"), of("END"),
      in("SAVEPOINT sp1"), in("SAVEPOINT PGJDBC_AUTOSAVE"),
      inAfter(List.of("SAVEPOINT sp1"), "RELEASE SAVEPOINT sp1"), inAfter(List.of("SAVEPOINT sp1"), "RELEASE sp1"),
      inAfter(List.of("SAVEPOINT sp1"), "ROLLBACK TO SAVEPOINT sp1"),
      inAfter(List.of("SAVEPOINT sp1"), "ROLLBACK TO sp1"),
      of("SET work_mem = '64MB'", "RESET work_mem"), of("SET work_mem TO 65536", "RESET work_mem"),
      in("SET LOCAL statement_timeout = 5000"), of("SET search_path TO public, pg_catalog", "RESET search_path"),
      of("SET TIME ZONE 'UTC'", "RESET timezone"), of("SET application_name = 'shop'"), of("RESET work_mem"),
      of("SHOW work_mem"), of("BEGIN ISOLATION LEVEL SERIALIZABLE", "COMMIT"),
      of("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED"),
      inAfter(List.of("DECLARE c1 CURSOR FOR SELECT id FROM users"), "FETCH 5 FROM c1"),
      inAfter(List.of("DECLARE c1 CURSOR FOR SELECT id FROM users"), "FETCH NEXT FROM c1"),
      inAfter(List.of("DECLARE c1 CURSOR FOR SELECT id FROM users"), "MOVE 2 IN c1"),
      inAfter(List.of("DECLARE c1 CURSOR FOR SELECT id FROM users"), "CLOSE c1"),
      in("DECLARE c2 CURSOR WITH HOLD FOR SELECT id FROM users WHERE id > 5"),
      // PREPARE is counted under the statement it prepares, by EXECUTE; DEALLOCATE from PostgreSQL 17
      since(17, List.of("PREPARE p1 AS SELECT 1"), "DEALLOCATE p1"),
      since(17, List.of("PREPARE p1 AS SELECT 1"), "DEALLOCATE PREPARE p1"), since(17, List.of(), "DEALLOCATE ALL"),
      of("LISTEN orders_changed", "UNLISTEN orders_changed"), of("NOTIFY orders_changed, 'id=5'"),
      of("NOTIFY orders_changed"), of("UNLISTEN *"),
      in("LOCK TABLE users IN SHARE MODE"), of("CALL touch(5)"), of("VACUUM items"), of("ANALYZE items"),
      of("TRUNCATE items"), of("DO $$BEGIN PERFORM 1; END$$"), of("DISCARD TEMP"),
      of("CREATE TEMP TABLE t_tmp (a int DEFAULT 5, b text DEFAULT 'x')", "DROP TABLE t_tmp"),
      of("EXPLAIN SELECT id FROM users WHERE id = 5"),
      of("SELECT id FROM users FETCH FIRST 3 ROWS ONLY"), of("SELECT id FROM users OFFSET 2 ROWS"),
      of("SELECT id FROM users ORDER BY id FETCH FIRST 2 ROWS WITH TIES"),
      of("SELECT CURRENT_TIMESTAMP(3), LOCALTIME(2), CURRENT_DATE"),
      of("SELECT interval '1' day, '1'::interval hour to minute, INTERVAL '2 days'"),
      of("SELECT xmlelement(name foo, 'bar'), XMLPARSE(DOCUMENT '<a/>')"),
      of("SELECT xmlserialize(content '<a/>'::xml as text)"),
      of("SELECT trim(both 'x' from 'xax'), substring('abc' from 2 for 1), overlay('abc' placing 'x' from 2 for 1)"),
      of("SELECT position('b' in 'abc'), 'a' COLLATE \"C\", now() AT TIME ZONE 'UTC'"),
      of("SELECT * FROM users TABLESAMPLE BERNOULLI (10) REPEATABLE (42)"),
      of("SELECT row_number() OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM users"),
      of("SELECT (array[1, 2])[1], (array[1, 2, 3])[1:2]"),
      of("SELECT $$abc$$, E'a\\nb', B'101', X'1F', U&'d\\0061t'"),
      of("SELECT 1::numeric(10, 2), CAST('1' AS varchar(3)), '1'::bit(3)"),
      of("SELECT DATE '2024-01-01', TIMESTAMP(3) '2024-01-01', TIME WITH TIME ZONE '10:00'"),
      of("SELECT GROUPING(id) FROM users GROUP BY ROLLUP (id)"),
      of("SELECT count(*) FILTER (WHERE id > 1), percentile_cont(0.5) WITHIN GROUP (ORDER BY id) FROM users"),
      of("INSERT INTO items VALUES (DEFAULT, 'x')"), of("UPDATE users SET name = DEFAULT WHERE id = 1"),
      of("INSERT INTO orders (id, total) VALUES (1, 2) ON CONFLICT DO NOTHING"),
      of("SELECT * FROM users WHERE (id, name) IN ((1, 'a'), (2, 'b'))"),
      of("SELECT * FROM users WHERE id = ANY ('{1,2}') AND id <> ALL (ARRAY[3, 4])"),
      of("SELECT +1, -1, - 1, 1 - -1, -2147483648, -9223372036854775808, 1.5e3, .5"),
      since(16, "SELECT 0x1F, 1_000, 0o17, 0b101"),
      since(16, "SELECT json_object('a' VALUE 1), json_array(1, 2), '{}' IS JSON OBJECT"),
      since(17, "SELECT JSON_VALUE(jsonb '{\"a\": 1}', '$.a' RETURNING int DEFAULT 0 ON ERROR)"),
      since(17, "SELECT JSON_QUERY(jsonb '{\"a\": [1]}', '$.a' WITH WRAPPER), JSON_EXISTS(jsonb '{}', '$.a')"),
      of("SELECT id FROM users WHERE name SIMILAR TO 'a%' ESCAPE '#' AND name LIKE 'b!%' ESCAPE '!'"),
      of("SELECT id FROM users WHERE created_at BETWEEN SYMMETRIC now() AND now() - interval '1 day'"),
      of("SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id LIMIT 1)"),
      of("SELECT 'a' || 'b', 1 + 2 * 3, true AND NOT false, NULL::int"),
      of("SELECT id FROM users FOR UPDATE SKIP LOCKED"), of("SELECT id FROM users FOR NO KEY UPDATE NOWAIT"),
      of("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r"),
      of("SELECT id FROM users WHERE created_at > now() - '5 minutes'::interval"),
      of("SELECT date_trunc('day', created_at), to_char(created_at, 'YYYY') FROM users"),
      of("SELECT set_config('app.user', '42', false)"), of("SELECT pg_advisory_xact_lock(42)"),
      of("SELECT nextval('users_seq')"));

  @PgTest
  void statementsHaveTheFingerprintOfTheTextPgStatStatementsStoresForThem(PgServer pg) throws Exception {
    String db = pg.createDatabase("stored");
    List<Executable> checks = new ArrayList<>();
    int checked = 0;
    try (Connection c = pg.connect(db)) {
      c.setAutoCommit(true);
      run(c, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      run(c, "CREATE TABLE users (id int PRIMARY KEY, name text, created_at timestamptz DEFAULT now())");
      run(c, "CREATE TABLE orders (id int PRIMARY KEY, user_id int, total numeric)");
      run(c, "CREATE TABLE items (id serial, name text)");
      run(c, "CREATE SEQUENCE users_seq");
      run(c, "CREATE PROCEDURE touch(n int) LANGUAGE sql AS $$SELECT n$$");
      for (Case k : CASES) {
        if (pg.majorVersion() < k.since()) {
          continue;
        }
        for (String s : k.before()) {
          run(c, s);
        }
        run(c, "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()),"
            + " 0)");
        run(c, k.sql());
        List<String> stored = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT query FROM pg_stat_statements"
            + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " AND query NOT LIKE '%pg_stat_statements%'")) {
          while (rs.next()) {
            stored.add(rs.getString(1));
          }
        }
        for (String s : k.after()) {
          run(c, s);
        }
        checked++;
        String raw = SqlEngine.analyzeUncached(k.sql(), false).fingerprint();
        String version = "PostgreSQL " + pg.majorVersion() + " stored " + stored + " for [" + k.sql() + "]";
        checks.add(() -> assertEquals(1, stored.size(), version));
        checks.add(() -> assertEquals(raw, SqlEngine.analyzeUncached(stored.get(0), false).fingerprint(), version));
      }
    }
    assertTrue(checked >= 70, "statements checked: " + checked);
    assertAll(checks);
  }

  private static void run(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static Case of(String sql, String... after) {
    return new Case(0, List.of(), sql, List.of(after));
  }

  private static Case since(int version, String sql) {
    return new Case(version, List.of(), sql, List.of());
  }

  private static Case since(int version, List<String> before, String sql) {
    return new Case(version, before, sql, List.of());
  }

  /** Inside a transaction, which is rolled back after. */
  private static Case in(String sql) {
    return inAfter(List.of(), sql);
  }

  private static Case inAfter(List<String> before, String sql) {
    List<String> all = new ArrayList<>(List.of("BEGIN"));
    all.addAll(before);
    return new Case(0, all, sql, List.of("ROLLBACK"));
  }
}
