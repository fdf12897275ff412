package io.pgintel.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FingerprintTest {

  static Stream<Arguments> equivalentGroups() {
    return Stream.of(
        group("constants of any kind and bind parameters",
            "SELECT * FROM users WHERE id = 1",
            "SELECT * FROM users WHERE id = 'x'",
            "SELECT * FROM users WHERE id = $1",
            "J:SELECT * FROM users WHERE id = ?",
            "SELECT * FROM users WHERE id = 3000000000",
            "SELECT * FROM users WHERE id = E'a\\'b'",
            "SELECT * FROM users WHERE id = $$x$$",
            "SELECT * FROM users WHERE id = $tag$x$tag$",
            "SELECT * FROM users WHERE id = U&'d\\0061t'",
            "SELECT * FROM users WHERE id = N'x'",
            "SELECT * FROM users WHERE id = B'101'",
            "SELECT * FROM users WHERE id = X'1F'",
            "SELECT * FROM users WHERE id = 0x1F",
            "SELECT * FROM users WHERE id = 0o17",
            "SELECT * FROM users WHERE id = 0b1010",
            "SELECT * FROM users WHERE id = 1_000_000",
            "SELECT * FROM users WHERE id = NULL",
            "SELECT * FROM users WHERE id = TRUE"),
        group("number formats",
            "SELECT total > 10.5 FROM o", "SELECT total > 10 FROM o", "SELECT total > .5 FROM o",
            "SELECT total > 5. FROM o", "SELECT total > 1e10 FROM o", "SELECT total > 1E+10 FROM o",
            "SELECT total > 1.5e-3 FROM o", "SELECT total > -5 FROM o", "SELECT total > - 5 FROM o",
            "SELECT total>-5 FROM o", "SELECT total > $1 FROM o", "J:SELECT total > ? FROM o"),
        group("whitespace, comments and keyword case",
            "SELECT a FROM t WHERE b = 1",
            "select   a\n\tfrom t where b=1",
            "SELECT a /* note */ FROM t -- trailing\n WHERE b = 2",
            "/* leading */ SeLeCt a FROM t WHERE b = /* nested /* deep */ */ 3",
            "SELECT a FROM t WHERE b = 1;",
            "SELECT a FROM t WHERE b = 1 ;;"),
        group("redundant quotes",
            "SELECT \"name\" FROM \"app\".\"items\"", "SELECT name FROM app.items",
            "SELECT NAME FROM APP.ITEMS", "select \"name\" from app.\"items\""),
        group("IN lists of any length, PG13-17 and PG18 stored forms, JDBC",
            "SELECT * FROM t WHERE a = 5 AND b IN (1, 2, 3)",
            "SELECT * FROM t WHERE a = 5 AND b IN (1, 2)",
            "SELECT * FROM t WHERE a = 'x' AND b IN ('a', 'b', 'c', 'd', 'e')",
            "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)",
            "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3, $4, $5)",
            "SELECT * FROM t WHERE a = $1 AND b IN ($2 /*, ... */)",
            "J:SELECT * FROM t WHERE a = ? AND b IN (?, ?)",
            "J:SELECT * FROM t WHERE a = ? AND b IN (? /*, ... */)",
            "SELECT * FROM t WHERE a = 1 AND b IN (1::int, 2::int, 3::int)",
            "SELECT * FROM t WHERE a = 1 AND b IN (-1, -2)"),
        group("ARRAY constructors and ANY",
            "SELECT * FROM t WHERE id = ANY(ARRAY[1, 2, 3])",
            "SELECT * FROM t WHERE id = ANY (ARRAY[4, 5])",
            "SELECT * FROM t WHERE id = ANY(ARRAY[$1, $2, $3, $4])",
            "SELECT * FROM t WHERE id = ANY(ARRAY[$1 /*, ... */])",
            "J:SELECT * FROM t WHERE id = ANY(ARRAY[?, ?])",
            "SELECT * FROM t WHERE id = ANY(ARRAY['a'::text, 'b'::text])"),
        group("multi-row VALUES of constants",
            "INSERT INTO t (a, b) VALUES (1, 'x')",
            "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')",
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)",
            "J:INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?)",
            "insert into t(a,b) values (NULL, TRUE)"),
        group("typed literals are one constant",
            "SELECT * FROM e WHERE at > timestamptz '2024-01-01 00:00'",
            "SELECT * FROM e WHERE at > '2024-01-01'",
            "SELECT * FROM e WHERE at > $1",
            "SELECT * FROM e WHERE at > date '2024-01-01'",
            "SELECT * FROM e WHERE at > interval '1 day'",
            "SELECT * FROM e WHERE at > timestamptz $1",
            "J:SELECT * FROM e WHERE at > {ts '2024-01-01 00:00:00'}",
            "J:SELECT * FROM e WHERE at > {d '2024-01-01'}"),
        group("the field of EXTRACT is a constant, as PostgreSQL stores it",
            "SELECT EXTRACT(year FROM d) FROM t",
            "SELECT extract(EPOCH from d) FROM t",
            "SELECT EXTRACT('month' FROM d) FROM t",
            "SELECT EXTRACT(\"day\" FROM d) FROM t",
            "SELECT EXTRACT($1 FROM d) FROM t",
            "J:SELECT EXTRACT(? FROM d) FROM t"),
        group("LIMIT ALL is a constant, as PostgreSQL stores it",
            "SELECT a FROM t LIMIT ALL",
            "SELECT a FROM t LIMIT 10",
            "SELECT a FROM t LIMIT $1",
            "J:SELECT a FROM t LIMIT ?"),
        group("Unicode normal forms are constants, as PostgreSQL stores them",
            "SELECT normalize(a, NFC) FROM t WHERE a IS NFKD NORMALIZED AND b IS NOT nfc NORMALIZED",
            "SELECT normalize(a, $1) FROM t WHERE a IS $2 NORMALIZED AND b IS NOT $3 NORMALIZED",
            "SELECT NORMALIZE(a, nfkc) FROM t WHERE a IS NFD NORMALIZED AND b IS NOT NFKC NORMALIZED"),
        group("savepoint names are constants, as PostgreSQL 17+ stores them",
            "SAVEPOINT sp1", "savepoint PGJDBC_AUTOSAVE", "SAVEPOINT \"My Point\"", "SAVEPOINT $1"),
        group("names after RELEASE SAVEPOINT, ROLLBACK TO and DEALLOCATE are constants",
            "RELEASE SAVEPOINT a; ROLLBACK TO SAVEPOINT b; ROLLBACK WORK TO c; RELEASE d; DEALLOCATE PREPARE e",
            "RELEASE SAVEPOINT $1; ROLLBACK TO SAVEPOINT $2; ROLLBACK WORK TO $3; RELEASE $4; DEALLOCATE PREPARE $5"),
        group("JSON keys",
            "SELECT data->>'name' FROM d WHERE data->'a' #>> '{b,c}' = 'x'",
            "SELECT data->>$1 FROM d WHERE data->$2 #>> $3 = $4",
            "J:SELECT data->>? FROM d WHERE data->? #>> ? = ?",
            "SELECT data ->> 'other' FROM d WHERE data -> 'z' #>> '{q}' = 'y'"),
        group("JSON existence operators, server ? and JDBC ??",
            "SELECT * FROM d WHERE data ? 'k' AND data ?| array['a','b'] AND data ?& array['c','d']",
            "SELECT * FROM d WHERE data ? $1 AND data ?| ARRAY[$2 /*, ... */] AND data ?& ARRAY[$3, $4]",
            "J:SELECT * FROM d WHERE data ?? ? AND data ??| ARRAY[?, ?] AND data ??& ARRAY[?, ?]"),
        group("adjacent constants joined by a newline are one constant",
            "SELECT 'a'\n'b' FROM t", "SELECT 'ab' FROM t", "SELECT E'a'\n  'b' FROM t"),
        group("SET values",
            "SET search_path TO public, app", "SET search_path TO 'x'", "set search_path to other",
            "SET search_path TO $1", "SET search_path TO \"$user\", public"),
        group("SET LOCAL with a value",
            "SET LOCAL statement_timeout = '5s'", "SET LOCAL statement_timeout = 5000",
            "SET LOCAL statement_timeout = DEFAULT"),
        group("role passwords", "ALTER ROLE bob PASSWORD 'hunter2'", "ALTER ROLE bob PASSWORD 'other'",
            "ALTER ROLE bob PASSWORD NULL", "ALTER ROLE bob PASSWORD $1"),
        group("DO bodies", "DO $$BEGIN PERFORM 1; END$$", "DO $x$BEGIN RAISE NOTICE 'y'; END$x$",
            "DO 'BEGIN NULL; END'"),
        group("function bodies",
            "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql",
            "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 2 $body$ LANGUAGE sql",
            "CREATE FUNCTION f() RETURNS int AS 'SELECT 3' LANGUAGE sql"),
        group("COPY file names", "COPY t FROM '/tmp/a.csv'", "COPY t FROM '/etc/secret'"),
        group("COMMENT ON texts", "COMMENT ON TABLE t IS 'owner: bob'", "COMMENT ON TABLE t IS 'other'"),
        group("subscription connection strings",
            "CREATE SUBSCRIPTION s CONNECTION 'host=a password=x' PUBLICATION p",
            "CREATE SUBSCRIPTION s CONNECTION 'host=b' PUBLICATION p"),
        group("unary minus after keywords and operators",
            "SELECT -1, a * -2 FROM t LIMIT 5", "SELECT 1, a * 2 FROM t LIMIT $1",
            "J:SELECT ?, a * ? FROM t LIMIT ?"),
        group("!= is <>", "SELECT * FROM t WHERE a != 1", "SELECT * FROM t WHERE a <> 2"),
        group("JDBC escapes unwrap",
            "J:SELECT {fn ucase(name)} FROM t", "SELECT ucase(name) FROM t",
            "J:SELECT {FN ucase(name)} FROM t"),
        group("JDBC outer join escape",
            "J:SELECT * FROM {oj a LEFT OUTER JOIN b ON a.id = b.id}",
            "SELECT * FROM a LEFT OUTER JOIN b ON a.id = b.id"),
        group("casts keep their type but not their value",
            "SELECT '1'::int, CAST('2' AS bigint)", "SELECT $1::int, CAST($2 AS bigint)",
            "J:SELECT ?::int, CAST(? AS bigint)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("equivalentGroups")
  void equivalentStatementsShareAFingerprint(String why, List<String> statements) {
    String expected = Sql.analyze(statements.get(0)).fingerprint();
    for (String sql : statements) {
      assertEquals(expected, Sql.analyze(sql).fingerprint(), () -> why + ": " + sql + " vs " + statements.get(0)
          + "\n  " + Sql.analyze(sql).text() + "\n  " + Sql.analyze(statements.get(0)).text());
    }
  }

  static Stream<Arguments> differentPairs() {
    return Stream.of(
        pair("SELECT * FROM users WHERE id = 1", "SELECT * FROM orders WHERE id = 1"),
        pair("SELECT a FROM t", "SELECT b FROM t"),
        pair("SELECT EXTRACT(year FROM d) FROM t", "SELECT EXTRACT(year FROM e) FROM t"),
        pair("SELECT s.extract(year) FROM t", "SELECT s.extract(month) FROM t"),
        pair("SELECT nfc FROM t", "SELECT nfd FROM t"),
        pair("DEALLOCATE ALL", "DEALLOCATE p1"),
        pair("SAVEPOINT a", "RELEASE SAVEPOINT a"),
        pair("SELECT savepoint FROM t", "SELECT release FROM t"),
        pair("SELECT f(a, nfc) FROM t", "SELECT f(a, nfd) FROM t"),
        pair("SELECT * FROM t WHERE a = 1", "SELECT * FROM t WHERE a > 1"),
        pair("SELECT * FROM t WHERE a IS NULL", "SELECT * FROM t WHERE a IS NOT NULL"),
        pair("SELECT * FROM t WHERE a IS TRUE", "SELECT * FROM t WHERE a IS FALSE"),
        pair("SELECT * FROM t ORDER BY a ASC", "SELECT * FROM t ORDER BY a DESC"),
        pair("SELECT * FROM t ORDER BY a NULLS FIRST", "SELECT * FROM t ORDER BY a NULLS LAST"),
        pair("SELECT a FROM t UNION SELECT a FROM u", "SELECT a FROM t UNION ALL SELECT a FROM u"),
        pair("SELECT * FROM \"Users\"", "SELECT * FROM users"),
        pair("SELECT \"select\" FROM t", "SELECT select FROM t"),
        pair("SELECT * FROM t ORDER BY 1", "SELECT * FROM t ORDER BY 2"),
        pair("SELECT a FROM t GROUP BY 1", "SELECT a FROM t GROUP BY 2"),
        pair("SELECT x::varchar(10) FROM t", "SELECT x::varchar(20) FROM t"),
        pair("SELECT age - 1 FROM p", "SELECT age FROM p"),
        pair("SELECT age - 1 FROM p", "SELECT age + 1 FROM p"),
        pair("SELECT age-1 FROM p", "SELECT age FROM p"),
        pair("SELECT * FROM t WHERE a IN (1)", "SELECT * FROM t WHERE a IN (1, 2)"),
        pair("SELECT * FROM t WHERE a IN (1, b)", "SELECT * FROM t WHERE a IN (1, 2)"),
        pair("SELECT * FROM t WHERE data ? 'k'", "SELECT * FROM t WHERE data ?| 'k'"),
        pair("SELECT * FROM t WHERE data @> $1", "SELECT * FROM t WHERE data <@ $1"),
        pair("SELECT 1", "SELECT 1, 2"),
        pair("INSERT INTO t VALUES (1, 2)", "INSERT INTO t VALUES (1)"),
        pair("INSERT INTO t VALUES (1, now())", "INSERT INTO t VALUES (1, 2)"),
        pair("SELECT * FROM app.items", "SELECT * FROM items"),
        pair("SELECT * FROM a JOIN b ON a.x = b.x", "SELECT * FROM a LEFT JOIN b ON a.x = b.x"),
        pair("SET search_path TO a", "SET work_mem TO a"),
        pair("SET SESSION search_path TO a", "SET LOCAL search_path TO a"),
        pair("SELECT a FROM t LIMIT 1", "SELECT a FROM t OFFSET 1"),
        pair("SELECT count(*) FROM t", "SELECT count(a) FROM t"),
        pair("SELECT $1::int", "SELECT $1::bigint"),
        pair("SELECT \"a b\" FROM t", "SELECT a b FROM t"),
        pair("SELECT a FROM t FOR UPDATE", "SELECT a FROM t FOR SHARE"),
        pair("SELECT -a FROM t", "SELECT a FROM t"),
        pair("SELECT a FROM t WHERE b = 1 AND c = 2", "SELECT a FROM t WHERE b = 1 OR c = 2"),
        pair("SELECT 1 FROM t WHERE (a, b) IN ((1, 2))", "SELECT 1 FROM t WHERE (a, b) IN ((1, 2, 3))"),
        pair("SELECT a FROM t WHERE a LIKE 'x%'", "SELECT a FROM t WHERE a ILIKE 'x%'"));
  }

  @ParameterizedTest(name = "{0} <> {1}")
  @MethodSource("differentPairs")
  void structurallyDifferentStatementsHaveDifferentFingerprints(String a, String b) {
    assertNotEquals(Sql.analyze(a).fingerprint(), Sql.analyze(b).fingerprint(),
        () -> Sql.analyze(a).text() + " / " + Sql.analyze(b).text());
  }

  @Test
  void fingerprintIsSixteenLowerCaseHexDigitsOfTheBits() {
    NormalizedQuery q = SqlEngine.analyzeUncached("SELECT 1", false);
    assertTrue(q.fingerprint().matches("[0-9a-f]{16}"), q.fingerprint());
    assertEquals(q.fingerprintBits(), Long.parseUnsignedLong(q.fingerprint(), 16));
  }

  @Test
  void fingerprintDependsOnTokenKindsNotOnlyOnCharacters() {
    // "a b" quoted is one identifier; a b unquoted is two words with the same characters
    assertNotEquals(Sql.analyze("SELECT \"ab\"\"c\" FROM t").fingerprint(),
        Sql.analyze("SELECT ab, c FROM t").fingerprint());
  }

  private static Arguments group(String why, String... statements) {
    return Arguments.of(why, List.of(statements));
  }

  private static Arguments pair(String a, String b) {
    return Arguments.of(a, b);
  }
}
