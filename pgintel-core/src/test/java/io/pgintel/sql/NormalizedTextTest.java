package io.pgintel.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NormalizedTextTest {

  static Stream<Arguments> texts() {
    return Stream.of(
        Arguments.of("select * from users where id = 42", "SELECT * FROM users WHERE id = $1"),
        Arguments.of("J:select * from users where id = ?", "SELECT * FROM users WHERE id = ?"),
        Arguments.of("SELECT a, b FROM t WHERE c = 'x' AND d = 2", "SELECT a, b FROM t WHERE c = $1 AND d = $2"),
        Arguments.of("SELECT * FROM t WHERE a = $7 AND b = $3", "SELECT * FROM t WHERE a = $1 AND b = $2"),
        Arguments.of("SELECT * FROM t WHERE b IN (1, 2, 3)", "SELECT * FROM t WHERE b IN ($1 /*, ... */)"),
        Arguments.of("J:SELECT * FROM t WHERE b IN (?, ?, ?)", "SELECT * FROM t WHERE b IN (? /*, ... */)"),
        Arguments.of("SELECT * FROM t WHERE b IN (1)", "SELECT * FROM t WHERE b IN ($1)"),
        Arguments.of("SELECT * FROM t WHERE id = ANY(ARRAY[1,2])",
            "SELECT * FROM t WHERE id = ANY(ARRAY[$1 /*, ... */])"),
        Arguments.of("INSERT INTO t (a, b) VALUES (1, 2), (3, 4)", "INSERT INTO t (a, b) VALUES ($1, $2)"),
        Arguments.of("INSERT INTO t VALUES (1, now()), (2, now())", "INSERT INTO t VALUES ($1, now()), ($2, now())"),
        Arguments.of("SELECT \"app\".\"items\".\"id\" FROM \"app\".\"items\"", "SELECT app.items.id FROM app.items"),
        Arguments.of("SELECT \"Users\".\"Id\" FROM \"Users\"", "SELECT \"Users\".\"Id\" FROM \"Users\""),
        Arguments.of("SELECT \"select\" FROM t", "SELECT \"select\" FROM t"),
        Arguments.of("SELECT count(*) FROM t", "SELECT count(*) FROM t"),
        Arguments.of("SELECT t.* FROM t", "SELECT t.* FROM t"),
        Arguments.of("SELECT a::text, b :: int FROM t", "SELECT a::text, b::int FROM t"),
        Arguments.of("SELECT x FROM t ORDER BY 1 DESC, 2", "SELECT x FROM t ORDER BY 1 DESC, 2"),
        Arguments.of("SELECT x FROM t GROUP BY 1 ORDER BY 1 LIMIT 10",
            "SELECT x FROM t GROUP BY 1 ORDER BY 1 LIMIT $1"),
        Arguments.of("SELECT x FROM t ORDER BY x + 1", "SELECT x FROM t ORDER BY x + $1"),
        Arguments.of("SELECT x::varchar(10), y::numeric(10,2) FROM t",
            "SELECT x::varchar(10), y::numeric(10, 2) FROM t"),
        Arguments.of("SELECT * FROM t WHERE a IS NULL AND b IS NOT TRUE",
            "SELECT * FROM t WHERE a IS NULL AND b IS NOT TRUE"),
        Arguments.of("SELECT * FROM t WHERE a = NULL OR b = false", "SELECT * FROM t WHERE a = $1 OR b = $2"),
        Arguments.of("SELECT * FROM t ORDER BY a NULLS LAST", "SELECT * FROM t ORDER BY a NULLS LAST"),
        Arguments.of("SELECT age - 1, age-1, x > -5 FROM p", "SELECT age - $1, age - $2, x > $3 FROM p"),
        Arguments.of("SELECT a FROM t WHERE b != 3", "SELECT a FROM t WHERE b <> $1"),
        Arguments.of("SELECT data->>'k' FROM d", "SELECT data ->> $1 FROM d"),
        Arguments.of("SELECT * FROM d WHERE data ? 'k'", "SELECT * FROM d WHERE data ? $1"),
        Arguments.of("J:SELECT * FROM d WHERE data ?? ? AND data ??| ?",
            "SELECT * FROM d WHERE data ?? ? AND data ??| ?"),
        Arguments.of("SELECT timestamptz '2024-01-01', interval '1 day'", "SELECT $1, $2"),
        Arguments.of("SELECT a FROM t -- done", "SELECT a FROM t"),
        Arguments.of("SELECT /* hint */ a FROM t;", "SELECT a FROM t"),
        Arguments.of("SELECT 1; SELECT 2;", "SELECT $1; SELECT $2"),
        Arguments.of("SET search_path TO public, app", "SET search_path TO $1"),
        Arguments.of("SET LOCAL statement_timeout = '5s'", "SET LOCAL statement_timeout = $1"),
        Arguments.of("SET TIME ZONE 'UTC'", "SET TIME ZONE $1"),
        Arguments.of("SET ROLE admin", "SET ROLE $1"),
        Arguments.of("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"),
        Arguments.of("RESET work_mem", "RESET work_mem"),
        Arguments.of("ALTER ROLE bob SET search_path TO secret_schema", "ALTER ROLE bob SET search_path TO $1"),
        Arguments.of("UPDATE t SET a = 1, b = 'x' WHERE c = 2", "UPDATE t SET a = $1, b = $2 WHERE c = $3"),
        Arguments.of("ALTER USER bob WITH ENCRYPTED PASSWORD 'hunter2'", "ALTER USER bob WITH ENCRYPTED PASSWORD $1"),
        Arguments.of("CREATE ROLE app LOGIN PASSWORD 'pw' VALID UNTIL '2030-01-01'",
            "CREATE ROLE app LOGIN PASSWORD $1 VALID UNTIL $2"),
        Arguments.of("CREATE SUBSCRIPTION s CONNECTION 'host=h password=p' PUBLICATION pub",
            "CREATE SUBSCRIPTION s CONNECTION $1 PUBLICATION pub"),
        Arguments.of("COPY t TO '/tmp/out.csv' WITH (FORMAT csv, DELIMITER ';')",
            "COPY t TO $1 WITH (FORMAT CSV, DELIMITER $2)"),
        Arguments.of("COMMENT ON COLUMN t.c IS 'ssn of the user'", "COMMENT ON COLUMN t.c IS $1"),
        Arguments.of("CREATE TABLE t (a int DEFAULT 42, b text DEFAULT 'none')",
            "CREATE TABLE t (a int DEFAULT $1, b text DEFAULT $2)"),
        Arguments.of("DO $$ BEGIN RAISE NOTICE 'x'; END $$", "DO $1"),
        Arguments.of("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $1"),
        Arguments.of("J:SELECT {fn now()}, {d '2024-01-01'}, {t '10:00:00'}, {ts '2024-01-01 10:00:00'}",
            "SELECT now(), ?, ?, ?"),
        Arguments.of("J:{call proc(?, ?)}", "CALL proc(?, ?)"),
        Arguments.of("J:{? = call fn(?)}", "CALL fn(?)"),
        Arguments.of("J:SELECT * FROM t WHERE a LIKE 'x!%' {escape '!'}", "SELECT * FROM t WHERE a LIKE ? ESCAPE ?"),
        Arguments.of("J:SELECT {fn concat(a, {fn ucase(b)})} FROM t", "SELECT concat(a, ucase(b)) FROM t"),
        Arguments.of("SELECT {fn now()}", "SELECT { fn now() }"),
        Arguments.of("SELECT a$b, $1 FROM t", "SELECT a$b, $1 FROM t"),
        Arguments.of("SELECT 123abc", "SELECT $1"),
        Arguments.of("SELECT U&\"d\\0061t\" FROM t", "SELECT U&\"d\\0061t\" FROM t"),
        Arguments.of("SELECT x FROM t WHERE y = 1 /*, ... */", "SELECT x FROM t WHERE y = $1 /*, ... */"),
        Arguments.of("SELECT a[1:2] FROM t", "SELECT a[$1:$2] FROM t"),
        Arguments.of("SELECT a: = b, c: :d", "SELECT a: = b, c: :d"),
        Arguments.of("SELECT f(a => 1, b := 2)", "SELECT f(a => $1, b := $2)"),
        Arguments.of("SELECT 1 =-1", "SELECT $1 = $2"),
        Arguments.of("SELECT 1 @- 1", "SELECT $1 @- $2"),
        Arguments.of("SELECT CAST(x AS varchar(5)) FROM t", "SELECT CAST(x AS varchar(5)) FROM t"),
        Arguments.of("SELECT EXTRACT(year FROM d) FROM t", "SELECT EXTRACT($1 FROM d) FROM t"),
        Arguments.of("SELECT a FROM t LIMIT ALL", "SELECT a FROM t LIMIT $1"),
        Arguments.of("SAVEPOINT PGJDBC_AUTOSAVE", "SAVEPOINT $1"),
        Arguments.of("ROLLBACK TO SAVEPOINT sp", "ROLLBACK TO SAVEPOINT $1"),
        Arguments.of("DEALLOCATE ALL", "DEALLOCATE ALL"),
        // a savepoint name follows SAVEPOINT only where a savepoint is named
        Arguments.of("GRANT r TO savepoint WITH ADMIN OPTION", "GRANT r TO SAVEPOINT WITH admin option"),
        Arguments.of("SELECT release savepoint FROM t", "SELECT RELEASE SAVEPOINT FROM t"),
        Arguments.of("SELECT normalize(a, NFC) FROM t WHERE a IS NOT nfkd NORMALIZED",
            "SELECT NORMALIZE(a, $1) FROM t WHERE a IS NOT $2 normalized"),
        Arguments.of("INSERT INTO t(a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = EXCLUDED.a",
            "INSERT INTO t (a) VALUES ($1) ON CONFLICT (a) DO UPDATE SET a = excluded.a"),
        Arguments.of("", ""),
        Arguments.of("   -- only a comment", ""));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("texts")
  void normalizedTextIsCanonical(String input, String expected) {
    assertEquals(expected, Sql.analyze(input).text());
  }

  static Stream<Arguments> truncations() {
    return Stream.of(
        Arguments.of("SELECT 'abc", "SELECT $1"),
        Arguments.of("SELECT E'abc\\'", "SELECT $1"),
        Arguments.of("SELECT $$abc", "SELECT $1"),
        Arguments.of("SELECT $tag$abc $$ def", "SELECT $1"),
        Arguments.of("SELECT \"sec", "SELECT $1"),
        Arguments.of("SELECT 1 /* secret", "SELECT $1"),
        Arguments.of("SELECT 1 /* a /* b */ secret", "SELECT $1"),
        Arguments.of("SELECT U&'abc", "SELECT $1"),
        Arguments.of("SELECT U&\"abc", "SELECT $1"),
        Arguments.of("SELECT U&'a' UESCAPE 'x", "SELECT $1"),
        Arguments.of("SELECT B'101", "SELECT $1"),
        Arguments.of("SELECT 'a'\n'b", "SELECT $1"),
        Arguments.of("J:SELECT * FROM t WHERE a = 'x", "SELECT * FROM t WHERE a = ?"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("truncations")
  void unterminatedConstructIsRedactedToTheEndAndMarkedTruncated(String input, String expected) {
    NormalizedQuery q = Sql.analyze(input);
    assertTrue(q.truncated(), input);
    assertEquals(expected, q.text());
  }

  @ParameterizedTest
  @MethodSource("texts")
  void completeStatementIsNotMarkedTruncated(String input, String ignored) {
    assertFalse(Sql.analyze(input).truncated(), input);
  }

  static Stream<Arguments> secrets() {
    return Stream.of(
        Arguments.of("ALTER ROLE bob PASSWORD 'hunter2'", "hunter2"),
        Arguments.of("ALTER USER bob WITH PASSWORD 'hunter2' VALID UNTIL 'infinity'", "hunter2"),
        Arguments.of("CREATE USER bob PASSWORD 'hunter2'", "hunter2"),
        Arguments.of("SELECT E'x\\'hunter2\\'y'", "hunter2"),
        Arguments.of("SELECT E'sekrit\\'y'", "sekrit"),
        Arguments.of("SELECT E'x\\'sekrit'", "sekrit"),
        Arguments.of("SELECT 'it''s hunter2'", "hunter2"),
        Arguments.of("SELECT 'hunter2", "hunter2"),
        Arguments.of("SELECT $$hunter2", "hunter2"),
        Arguments.of("SELECT $q$ $$ hunter2 $$ $q$", "hunter2"),
        Arguments.of("SELECT 1 /* hunter2", "hunter2"),
        Arguments.of("SELECT 1 /* hunter2 */", "hunter2"),
        Arguments.of("SELECT 1 -- hunter2", "hunter2"),
        Arguments.of("SELECT \"hunter2", "hunter2"),
        Arguments.of("SELECT * FROM t WHERE ssn = '123-45-6789'", "6789"),
        Arguments.of("SELECT * FROM t WHERE card = 4111111111111111", "4111"),
        Arguments.of("SELECT * FROM t WHERE v = -4111111111111111", "4111"),
        Arguments.of("SELECT * FROM t WHERE v = 4111e5x", "4111"),
        Arguments.of("SELECT U&'hunter2' UESCAPE '!'", "hunter2"),
        Arguments.of("SELECT X'DEADBEEF'", "DEADBEEF"),
        Arguments.of("SET LOCAL app.user_token = 'hunter2'", "hunter2"),
        Arguments.of("SET app.user_token TO hunter2", "hunter2"),
        Arguments.of("CREATE SUBSCRIPTION s CONNECTION 'password=hunter2' PUBLICATION p", "hunter2"),
        Arguments.of("CREATE USER MAPPING FOR bob SERVER s OPTIONS (user 'bob', password 'hunter2')", "hunter2"),
        Arguments.of("COPY t FROM '/home/hunter2/data.csv'", "hunter2"),
        Arguments.of("DO $$BEGIN EXECUTE 'ALTER ROLE x PASSWORD ''hunter2'''; END$$", "hunter2"),
        Arguments.of("SELECT * FROM t WHERE j->>'hunter2' = 'x'", "hunter2"),
        Arguments.of("SELECT * FROM users /* password='hunter2' */", "hunter2"),
        Arguments.of("SELECT * FROM users /*db_password='hunter2',route='x'*/", "hunter2"),
        Arguments.of("SELECT * FROM users /*api%5Fkey='hunter2'*/", "hunter2"),
        Arguments.of("SELECT * FROM users /*auth_token='hunter2'*/", "hunter2"),
        Arguments.of("J:SELECT * FROM t WHERE a = {d 'hunter2'}", "hunter2"),
        Arguments.of("J:SELECT * FROM t WHERE a = 'hunter2??'", "hunter2"),
        Arguments.of("SELECT 'a'\n  'hunter2'", "hunter2"),
        Arguments.of("SELECT interval 'hunter2'", "hunter2"),
        Arguments.of("SELECT * FROM t WHERE a IN ('hunter2', 'x')", "hunter2"),
        Arguments.of("INSERT INTO t VALUES ('a', 1), ('hunter2', 2)", "hunter2"),
        Arguments.of("SELECT a FROM t ORDER BY 1$$hunter2$$", "hunter2"),
        Arguments.of("SELECT a FROM t GROUP BY 1hunter2", "hunter2"),
        Arguments.of("SELECT x::varchar(10hunter2) FROM t", "hunter2"),
        Arguments.of("SELECT $1hunter2", "hunter2"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("secrets")
  void literalValuesNeverAppearInAnyField(String input, String secret) {
    NormalizedQuery q = Sql.analyze(input);
    String all = q.text() + "|" + q.summary() + "|" + q.operation() + "|" + q.tables() + "|" + q.comments();
    assertFalse(all.contains(secret), () -> input + " leaked into " + all);
  }

  @Test
  void sqlcommenterTagsAreReadFromATrailingCommentAndDecoded() {
    NormalizedQuery q = Sql.analyze("SELECT * FROM users WHERE id = 1 /*controller='index',"
        + "route='%2Fusers%2F%7Bid%7D',traceparent='00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'*/;");
    assertEquals(Map.of("controller", "index", "route", "/users/{id}",
        "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), q.comments());
    assertEquals("SELECT * FROM users WHERE id = $1", q.text());
    assertEquals(Sql.analyze("SELECT * FROM users WHERE id = 2").fingerprint(), q.fingerprint());
  }

  @Test
  void sqlcommenterValueWithEscapedQuoteIsUnescaped() {
    NormalizedQuery q = Sql.analyze("SELECT 1 /*action='it\\'s',framework='spring%20boot'*/");
    assertEquals(Map.of("action", "it's", "framework", "spring boot"), q.comments());
  }

  @Test
  void commentThatIsNotSqlcommenterYieldsNoTags() {
    assertEquals(Map.of(), Sql.analyze("SELECT 1 /* just a note */").comments());
    assertEquals(Map.of(), Sql.analyze("SELECT 1 /* a='b' c */").comments());
  }

  @Test
  void sqlcommenterTagsInAnUnterminatedCommentAreIgnored() {
    NormalizedQuery q = Sql.analyze("SELECT 1 /*traceparent='00-1-2-01'");
    assertEquals(Map.of(), q.comments());
    assertTrue(q.truncated());
  }

  @Test
  void commentThatIsNotTrailingYieldsNoTags() {
    assertEquals(Map.of(), Sql.analyze("SELECT /*route='x'*/ 1").comments());
  }
}
