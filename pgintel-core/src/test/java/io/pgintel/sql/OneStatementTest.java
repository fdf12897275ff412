package io.pgintel.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OneStatementTest {

  @Test
  void whatFollowsTheLastTokenIsDroppedAndOperatorQuestionMarksAreDoubled() {
    assertEquals("SELECT 1", OneStatement.of("SELECT 1;"));
    assertEquals("SELECT ';' AS x", OneStatement.of("SELECT ';' AS x ; -- ; the end\n/* and ; this */ "));
    assertEquals("SELECT d ?? 'a', d ??| array['a'], d ??& array['b'] FROM t",
        OneStatement.of("SELECT d ? 'a', d ?| array['a'], d ?& array['b'] FROM t"));
    assertEquals("SELECT '?', \"a?\", $$?$$ /* ? */ FROM t", OneStatement.of("SELECT '?', \"a?\", $$?$$ /* ? */ FROM t"));
    assertEquals("SELECT (1) AS \"(\"", OneStatement.of("SELECT (1) AS \"(\""));
    // already doubled for JDBC by its author: as written
    assertEquals("SELECT d ??| array['a'] FROM t", OneStatement.of("SELECT d ??| array['a'] FROM t"));
  }

  @Test
  void anythingButOneCompleteStatementIsRefused() {
    assertNull(OneStatement.of("SELECT 1; SELECT 2"));
    assertNull(OneStatement.of("SELECT 1) x; COMMIT; DELETE FROM t; SELECT * FROM (SELECT 1"));
    assertNull(OneStatement.of("SELECT (1"));
    assertNull(OneStatement.of("SELECT 1)"));
    assertNull(OneStatement.of("SELECT 'open"));
    assertNull(OneStatement.of(""));
    assertNull(OneStatement.of(" ; /* nothing */ "));
  }

  @Test
  void aTextOfSeveralStatementsSplitsWhereTheServerWould() {
    assertEquals(List.of("SET LOCAL app.tenant = 'a;b'", "SELECT $$;$$, \";\" FROM t /* ; */ WHERE a = 1"),
        OneStatement.each("SET LOCAL app.tenant = 'a;b';\n SELECT $$;$$, \";\" FROM t /* ; */ WHERE a = 1 ; ", false));
    assertEquals(List.of("SELECT 1", "SELECT 2"), OneStatement.each(";; SELECT 1;;; -- x\n SELECT 2 -- y", false));
    assertEquals(List.of("SELECT ?", "SELECT d ??| array[?]"),
        OneStatement.each("SELECT ?; SELECT d ??| array[?]", true));
    assertEquals(List.of("SELECT 1"), OneStatement.each("SELECT 1", false));
    assertEquals(List.of(), OneStatement.each(" -- only a comment; ", false));
    assertEquals(List.of("SELECT 'open; SELECT 2"), OneStatement.each("SELECT 'open; SELECT 2", false));
    // each part has the fingerprint its statement has on its own, as pg_stat_statements counts it
    String both = "UPDATE t SET a = 1 WHERE id = 2; SELECT a FROM t WHERE id = 3";
    assertTrue(SqlEngine.analyzeUncached(both, false).text().contains(";"), "one text of two statements");
    assertEquals(SqlEngine.analyzeUncached("SELECT a FROM t WHERE id = $1", false).fingerprint(),
        SqlEngine.analyzeUncached(OneStatement.each(both, false).get(1), false).fingerprint());
  }
}
