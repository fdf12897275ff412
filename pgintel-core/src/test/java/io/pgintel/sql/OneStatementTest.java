package io.pgintel.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
}
