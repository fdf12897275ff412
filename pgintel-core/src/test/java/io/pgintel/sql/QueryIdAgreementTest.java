package io.pgintel.sql;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.function.Executable;

/**
 * pgintel's fingerprint against PostgreSQL's own queryid, on real servers.
 *
 * <p>Each group below holds statements pgintel must fingerprint alike. A group without a reason holds statements
 * that differ only in what PostgreSQL ignores too (constant values of one type, spacing, case, comments, redundant
 * quotes): PostgreSQL must give them one queryid. A group with a reason is an intended difference: PostgreSQL
 * may keep its statements apart (by literal type, list length, {@code $n} versus literal, VALUES row count) and
 * pgintel merges them on purpose. Different groups are different queries to both. So, for every pair of
 * statements: same queryid implies same fingerprint; a different queryid implies a different fingerprint, except
 * within a group with a reason.
 *
 * <p>Known splits, the other way round, are listed too: PostgreSQL resolves names and folds casts of constants
 * before it computes the queryid, so {@code users} and {@code public.users}, or {@code id = 7} and
 * {@code id = '7'::int}, can be one query to it. Text alone cannot tell the first (search_path); the second
 * would need {@code $1::int} to mean {@code $1}, which it does not for a bind parameter, and pg_stat_statements
 * stores {@code '7'::int} as {@code $1::int}. Groups marked with the same known split may share a queryid
 * without sharing a fingerprint; any other such pair fails.
 *
 * <p>The queryid comes from pg_stat_statements (PostgreSQL 13 computes it there; 14 and later with
 * {@code compute_query_id}), checked against {@code EXPLAIN (VERBOSE)}'s {@code Query Identifier} on 14 and later.
 * The same runs check that the fingerprint of a raw statement equals that of the text pg_stat_statements stores for
 * it, PostgreSQL 18's {@code IN ($1 /*, ... *}{@code /)} included.
 */
class QueryIdAgreementTest {

  private static final String LITERAL_TYPE = "literal type";
  private static final String LIST_LENGTH = "list length";
  private static final String PARAM_VS_LITERAL = "$n versus literal";
  private static final String VALUES_ROWS = "VALUES row count";
  private static final String CAST_OF_CONSTANT = "explicit cast of a constant";
  private static final String SCHEMA_QUALIFIED = "schema-qualified name";
  /**
   * PostgreSQL leaves output names out of its query id, so statements that differ only by a column's alias share
   * one pg_stat_statements entry (with the text of the first seen); pgintel's fingerprint keeps them apart.
   */
  private static final String COLUMN_ALIAS = "column alias";

  /** Observations per server, shared by the test methods: running the corpus once per server is enough. */
  private static final Map<String, List<Observation>> RUNS = new ConcurrentHashMap<>();

  private static final List<Group> CORPUS = List.of(
      group(null,
          plain("SELECT id, name FROM users WHERE id = 1"),
          plain("select id, name from users where id = 42"),
          plain("SELECT id,name FROM users WHERE id=7 /* route='/a' */"),
          plain("SELECT \"id\", \"name\" FROM \"users\" WHERE id = 8"),
          plain("SELECT id, name\n  FROM users\n -- comment\n WHERE id = 9")),
      group(LITERAL_TYPE,
          plain("SELECT name FROM users WHERE id = 5"),
          plain("SELECT name FROM users WHERE id = 3000000000"),
          plain("SELECT name FROM users WHERE id = 5.5")),
      group(PARAM_VS_LITERAL,
          plain("SELECT total FROM orders WHERE id = 10"),
          prepared("SELECT total FROM orders WHERE id = ?", 11),
          prepared("SELECT total FROM orders WHERE id = ?", 12)),
      group(LIST_LENGTH,
          plain("SELECT id FROM orders WHERE status IN ('new', 'paid')"),
          plain("SELECT id FROM orders WHERE status IN ('new', 'paid', 'shipped')"),
          plain("SELECT id FROM orders WHERE status IN ('a', 'b', 'c', 'd', 'e', 'f')"),
          prepared("SELECT id FROM orders WHERE status IN (?, ?)", "x", "y")),
      group(LIST_LENGTH,
          plain("SELECT id FROM orders WHERE user_id = ANY (ARRAY[1, 2, 3])"),
          plain("SELECT id FROM orders WHERE user_id = ANY (ARRAY[4, 5])")),
      group(null,
          plain("SELECT id FROM orders WHERE status IN ('one')")),
      group(VALUES_ROWS,
          plain("INSERT INTO items (id, name) VALUES (1, 'a')"),
          plain("INSERT INTO items (id, name) VALUES (2, 'b'), (3, 'c')"),
          plain("INSERT INTO items (id, name) VALUES (4, 'd'), (5, 'e'), (6, 'f')")),
      group(null,
          plain("UPDATE orders SET status = 'paid' WHERE id = 3"),
          plain("update orders set status='shipped' where id=99")),
      group(null,
          plain("DELETE FROM items WHERE id = 1"),
          plain("DELETE FROM items WHERE id = 2 /* traceparent='00-abc-def-01' */")),
      group(null,
          plain("SELECT u.name, count(o.id) FROM users u JOIN orders o ON o.user_id = u.id"
              + " WHERE u.status = 'active' GROUP BY u.name ORDER BY 2 DESC LIMIT 10"),
          plain("SELECT u.name, count(o.id) FROM users u JOIN orders o ON o.user_id = u.id"
              + " WHERE u.status = 'new' GROUP BY u.name ORDER BY 2 DESC LIMIT 5")),
      group(null,
          plain("SELECT u.name, count(o.id) FROM users u JOIN orders o ON o.user_id = u.id"
              + " WHERE u.status = 'active' GROUP BY u.name ORDER BY 1 DESC LIMIT 10")),
      group(null,
          plain("SELECT id FROM users WHERE data->>'kind' = 'vip'"),
          plain("SELECT id FROM users WHERE data ->> 'tier' = 'gold'")),
      group(null,
          plain("WITH r AS (SELECT user_id FROM orders WHERE total > 100) SELECT count(*) FROM r"),
          plain("WITH r AS (SELECT user_id FROM orders WHERE total > 250) SELECT count(*) FROM r")),
      group(null,
          plain("SELECT name FROM users WHERE id IN (SELECT user_id FROM orders WHERE status = 'paid')"),
          plain("SELECT name FROM users WHERE id IN (SELECT user_id FROM orders WHERE status = 'new')")),
      group(null,
          plain("SELECT EXTRACT(year FROM created_at) FROM users"),
          plain("SELECT EXTRACT(epoch FROM created_at) FROM users"),
          plain("SELECT EXTRACT('month' FROM created_at) FROM users"),
          plain("SELECT EXTRACT(\"day\" FROM created_at) FROM users")),
      group(null,
          plain("SELECT id FROM users WHERE created_at > now() - interval '1 day'"),
          plain("SELECT id FROM users WHERE created_at > now() - INTERVAL '7 days'")),
      knownSplit(CAST_OF_CONSTANT,
          plain("SELECT id FROM users WHERE id = '5'::int"),
          plain("SELECT id FROM users WHERE id = '6'::int")),
      knownSplit(CAST_OF_CONSTANT,
          plain("SELECT id FROM users WHERE id = 77")),
      knownSplit(CAST_OF_CONSTANT,
          plain("SELECT id FROM users WHERE id = CAST('8' AS int)")),
      knownSplit(CAST_OF_CONSTANT,
          plain("SELECT id FROM users WHERE created_at > date '2024-01-01'"),
          plain("SELECT id FROM users WHERE created_at > DATE '2025-06-30'")),
      knownSplit(CAST_OF_CONSTANT,
          plain("SELECT id FROM users WHERE created_at > '2024-01-01'::date")),
      knownSplit(SCHEMA_QUALIFIED,
          plain("SELECT status FROM public.users WHERE id = 77")),
      knownSplit(SCHEMA_QUALIFIED,
          plain("SELECT status FROM users WHERE id = 77")),
      knownSplit(COLUMN_ALIAS,
          plain("SELECT user_id AS who FROM orders WHERE total > 1")),
      knownSplit(COLUMN_ALIAS,
          plain("SELECT user_id AS whom FROM orders WHERE total > 2")),
      group(null,
          plain("SELECT id FROM users WHERE id <> 1")),
      group(null,
          plain("SELECT id FROM users WHERE name IS NULL")),
      group(null,
          plain("SELECT id FROM users WHERE name IS NOT NULL")),
      group(null,
          plain("SELECT name FROM users ORDER BY name ASC")),
      group(null,
          plain("SELECT name FROM users ORDER BY name DESC")),
      group(null,
          plain("SELECT count(*) FROM orders")),
      group(null,
          plain("SELECT count(*) FROM items")),
      group(null,
          plain("SELECT name FROM users WHERE name LIKE 'a%' AND score BETWEEN 1 AND 5"),
          plain("SELECT name FROM users WHERE name LIKE 'b%' AND score BETWEEN 2 AND 9")),
      group(LITERAL_TYPE,
          plain("SELECT id FROM users LIMIT ALL"),
          plain("SELECT id FROM users LIMIT 5")),
      group(null,
          plain("SELECT normalize(name, NFC) FROM users"),
          plain("SELECT normalize(name, nfkd) FROM users")),
      group(null,
          plain("SELECT normalize(name) FROM users")),
      group(null,
          plain("SELECT id FROM users WHERE name IS NFKC NORMALIZED"),
          plain("SELECT id FROM users WHERE name IS NFD NORMALIZED")),
      group(null,
          plain("SELECT id FROM users WHERE name IS NOT NFC NORMALIZED")),
      group(null,
          plain("SELECT id FROM users WHERE score > -5"),
          plain("SELECT id FROM users WHERE score > - 7")));

  @PgTest
  void sameQueryIdMeansSameFingerprintAndOtherwiseDifferentExceptIntendedMerges(PgServer pg) throws Exception {
    List<Observation> runs = observe(pg);
    List<Executable> checks = new ArrayList<>();
    for (int a = 0; a < runs.size(); a++) {
      for (int b = a + 1; b < runs.size(); b++) {
        Observation x = runs.get(a);
        Observation y = runs.get(b);
        boolean samePg = x.queryId == y.queryId;
        boolean sameFp = x.fingerprint.equals(y.fingerprint);
        String pair = "PostgreSQL " + pg.majorVersion() + ": [" + x.statement.sql + "] and [" + y.statement.sql + "]";
        if (samePg) {
          if (!(x.group.split != null && x.group.split.equals(y.group.split))) {
            checks.add(() -> assertTrue(sameFp, pair + " share a queryid but not a fingerprint"));
          }
        } else if (x.group == y.group && x.group.reason != null) {
          checks.add(() -> assertTrue(sameFp, pair + " differ only by " + x.group.reason + ": pgintel merges them"));
        } else {
          checks.add(() -> assertFalse(sameFp, pair + " have different queryids but one fingerprint"));
        }
      }
    }
    assertAll(checks);
  }

  @PgTest
  void everyIntendedDifferenceIsOneFingerprintWhateverPostgresDoes(PgServer pg) throws Exception {
    List<Observation> runs = observe(pg);
    for (Group group : CORPUS) {
      List<String> fingerprints = runs.stream().filter(o -> o.group == group).map(o -> o.fingerprint).distinct()
          .toList();
      assertEquals(1, fingerprints.size(), () -> "group " + group + " on PostgreSQL " + pg.majorVersion());
    }
    // the intended differences are real on some server: at least one reason splits PostgreSQL's queryids here
    long split = CORPUS.stream().filter(g -> g.reason != null)
        .filter(g -> runs.stream().filter(o -> o.group == g).map(o -> o.queryId).distinct().count() > 1).count();
    assertTrue(split > 0, "no intended difference shows on PostgreSQL " + pg.majorVersion());
  }

  @PgTest
  void everyKnownSplitIsRealOnThisServer(PgServer pg) throws Exception {
    List<Observation> runs = observe(pg);
    for (String split : List.of(CAST_OF_CONSTANT, SCHEMA_QUALIFIED, COLUMN_ALIAS)) {
      boolean merged = runs.stream().anyMatch(x -> split.equals(x.group.split) && runs.stream().anyMatch(
          y -> split.equals(y.group.split) && y.group != x.group && y.queryId == x.queryId));
      assertTrue(merged, "PostgreSQL " + pg.majorVersion() + " no longer merges any statements split by " + split
          + ": drop it from the known splits");
    }
  }

  @PgTest
  void fingerprintOfRawStatementEqualsFingerprintOfTheTextPgStatStatementsStores(PgServer pg) throws Exception {
    List<Observation> runs = observe(pg);
    List<Executable> checks = new ArrayList<>();
    for (Observation o : runs) {
      checks.add(() -> assertEquals(o.fingerprint, SqlEngine.analyzeUncached(o.storedText, false).fingerprint(),
          "PostgreSQL " + pg.majorVersion() + " stored [" + o.storedText + "] for [" + o.statement.sql + "]"));
    }
    assertAll(checks);
    if (pg.majorVersion() >= 18) {
      assertTrue(runs.stream().anyMatch(o -> o.storedText.contains("/*, ... */")),
          "PostgreSQL 18 marks squashed lists; none seen");
    }
  }

  private static List<Observation> observe(PgServer pg) throws Exception {
    String key = pg.jdbcUrl("postgres");
    List<Observation> known = RUNS.get(key);
    if (known != null) {
      return known;
    }
    List<Observation> runs = new ArrayList<>();
    String db = pg.createDatabase("sqlqid");
    try (Connection c = pg.connect(db)) {
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        s.execute("CREATE TABLE users (id int PRIMARY KEY, name text, status text, score numeric,"
            + " created_at timestamptz DEFAULT now(), data jsonb)");
        s.execute("CREATE TABLE orders (id int PRIMARY KEY, user_id int, total numeric, status text)");
        s.execute("CREATE TABLE items (id int, name text)");
      }
      for (Group group : CORPUS) {
        for (Run statement : group.statements) {
          runs.add(observe(pg, c, group, statement));
        }
      }
    }
    RUNS.put(key, runs);
    return runs;
  }

  private static Observation observe(PgServer pg, Connection c, Group group, Run statement) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()),"
          + " 0)");
    }
    if (statement.params.length == 0) {
      try (Statement s = c.createStatement()) {
        s.execute(statement.sql);
      }
    } else {
      try (PreparedStatement ps = c.prepareStatement(statement.sql)) {
        for (int i = 0; i < statement.params.length; i++) {
          ps.setObject(i + 1, statement.params[i]);
        }
        ps.execute();
      }
    }
    long queryId = 0;
    String stored = null;
    int entries = 0;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT queryid, query FROM pg_stat_statements"
            + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " AND query NOT LIKE '%pg_stat_statements%'")) {
      while (rs.next()) {
        queryId = rs.getLong(1);
        stored = rs.getString(2);
        entries++;
      }
    }
    assertEquals(1, entries, "pg_stat_statements entries after [" + statement.sql + "]");
    assertNotNull(stored);
    if (pg.majorVersion() >= 14 && statement.params.length == 0) {
      assertEquals(queryId, explainQueryId(c, statement.sql), "EXPLAIN (VERBOSE) of [" + statement.sql + "]");
    }
    String fingerprint = SqlEngine.analyzeUncached(statement.sql, statement.params.length > 0).fingerprint();
    return new Observation(group, statement, queryId, stored, fingerprint);
  }

  private static long explainQueryId(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN (VERBOSE) " + sql)) {
      while (rs.next()) {
        String line = rs.getString(1).trim();
        if (line.startsWith("Query Identifier:")) {
          return Long.parseLong(line.substring("Query Identifier:".length()).trim());
        }
      }
    }
    throw new AssertionError("EXPLAIN (VERBOSE) printed no Query Identifier for [" + sql + "]");
  }

  private static Group group(String reason, Run... statements) {
    return new Group(reason, null, List.of(statements));
  }

  /** Statements pgintel fingerprints alike; PostgreSQL may also merge them with other groups of this split. */
  private static Group knownSplit(String split, Run... statements) {
    return new Group(null, split, List.of(statements));
  }

  private static Run plain(String sql) {
    return new Run(sql, new Object[0]);
  }

  /** A JDBC statement with {@code ?} parameters, sent as {@code $n} with values bound. */
  private static Run prepared(String sql, Object... params) {
    return new Run(sql, params);
  }

  /** Compared by identity: two groups with the same statements are still two groups. */
  private static final class Group {
    final String reason;
    final String split;
    final List<Run> statements;

    Group(String reason, String split, List<Run> statements) {
      this.reason = reason;
      this.split = split;
      this.statements = statements;
    }

    @Override
    public String toString() {
      return (reason == null ? "same query" : reason) + " " + statements.stream().map(r -> r.sql).toList();
    }
  }

  private record Run(String sql, Object[] params) {
  }

  private record Observation(Group group, Run statement, long queryId, String storedText, String fingerprint) {
  }
}
