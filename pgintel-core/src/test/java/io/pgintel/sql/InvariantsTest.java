package io.pgintel.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties from SQL-RULES over generated input, with fixed seeds so failures reproduce. */
class InvariantsTest {

  private static final String MARKER = "zq8K3x";

  /** Fragments that are complete on their own; the quoted ones hide the marker in a literal or comment. */
  private static final String[] FRAGMENTS = {
    "SELECT", "select", "FROM", "WHERE", "AND", "OR", "IN", "(", ")", "[", "]", ",", ";", ".", "::", "=", "<>",
    "!=", "-", "+", "*", "/", "||", "->>", "#>", "@>", "?", "??", "?|", "$1", "$22", "42", "-7", "4.2", ".5",
    "1e10", "0x1F", "1_000", "users", "\"Users\"", "\"app\"", "a$b", "NULL", "TRUE", "IS", "NOT", "ORDER BY",
    "GROUP BY", "1", "ARRAY", "VALUES", "ANY", "SET", "TO", "DO", "LIMIT", "UNION ALL", "varchar(10)",
    "date", "interval", "EXTRACT", "{fn", "{d", "{call", "}", "{", "\n", "\t", "E", "U&", "$", "$$", "`", "\\",
    "'" + MARKER + "'", "'x''" + MARKER + "'", "E'" + MARKER + "\\''", "E'\\'" + MARKER + "'",
    "$$" + MARKER + "$$", "$t$ $$ " + MARKER + " $t$", "U&'" + MARKER + "'", "U&'" + MARKER + "' UESCAPE '!'",
    "N'" + MARKER + "'", "X'" + MARKER + "'", "B'" + MARKER + "'", "/* " + MARKER + " */",
    "/* /* " + MARKER + " */ */", "-- " + MARKER + "\n", "'a'\n'" + MARKER + "'", "timestamptz '" + MARKER + "'",
    "/*, ... */", "'" + MARKER + "'::text", MARKER.length() + "" };

  /** Unterminated openers: only ever placed last, followed by the marker. */
  private static final String[] OPEN_TAILS = {"'", "E'", "E'\\'", "$$", "$q$", "\"", "/*", "/* /* */", "U&'", "U&\"",
    "--", "B'", "'a'\n'"};

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void tokenSoupNeverThrowsAndNeverLeaksALiteral(boolean jdbc) {
    Random random = new Random(20240611L + (jdbc ? 1 : 0));
    for (int n = 0; n < 4000; n++) {
      String sql = soup(random, 1 + random.nextInt(30));
      if (random.nextInt(4) == 0) {
        sql += " " + OPEN_TAILS[random.nextInt(OPEN_TAILS.length)] + " " + MARKER + " x";
      }
      NormalizedQuery q = SqlEngine.analyzeUncached(sql, jdbc);
      assertNoMarker(sql, q);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void randomCharactersNeverThrow(boolean jdbc) {
    Random random = new Random(7L);
    String alphabet = "'\"$`?{}()[];:,.-+*/<>=!@#%^&|~\\ \n\tEeUuBbXxNn&01_9aZ\u00e9\ud800\udc00";
    for (int n = 0; n < 3000; n++) {
      char[] chars = new char[random.nextInt(80)];
      for (int i = 0; i < chars.length; i++) {
        chars[i] = random.nextInt(8) == 0 ? (char) random.nextInt(0x10000)
            : alphabet.charAt(random.nextInt(alphabet.length()));
      }
      NormalizedQuery q = SqlEngine.analyzeUncached(new String(chars), jdbc);
      assertEquals(16, q.fingerprint().length());
      assertTrue(q.summary().length() <= 255);
    }
  }

  @Test
  void loneSurrogatesAndControlCharactersAreHandled() {
    NormalizedQuery q = SqlEngine.analyzeUncached("SELECT \ud800x, \udc00 FROM t\u0000 WHERE a = '\ud800'", false);
    assertFalse(q.text().isEmpty());
  }

  static Stream<Arguments> realisticStatements() {
    Random random = new Random(99L);
    List<Arguments> out = new ArrayList<>();
    String[] tables = {"users", "app.orders", "\"Items\"", "\"line_items\""};
    String[] columns = {"id", "name", "\"Total\"", "created_at", "data"};
    String[] values = {"1", "-2", "3.5", "'x'", "E'y\\'z'", "$$w$$", "NULL", "TRUE", "date '2024-01-01'", "$1", "?"};
    String[] ops = {"=", "<>", "!=", ">", "<=", "LIKE", "->>", "?"};
    for (int n = 0; n < 120; n++) {
      boolean jdbc = n % 2 == 1;
      String table = tables[random.nextInt(tables.length)];
      StringBuilder where = new StringBuilder();
      for (int c = 0, k = 1 + random.nextInt(3); c < k; c++) {
        if (c > 0) {
          where.append(random.nextBoolean() ? " AND " : " OR ");
        }
        String col = columns[random.nextInt(columns.length)];
        switch (random.nextInt(5)) {
          case 0 -> where.append(col).append(" IN (").append(list(random, values, jdbc)).append(')');
          case 1 -> where.append(col).append(" IS ").append(random.nextBoolean() ? "NOT " : "").append("NULL");
          case 2 -> where.append(col).append(" = ANY(ARRAY[").append(list(random, values, jdbc)).append("])");
          default -> where.append(col).append(' ').append(op(random, ops, jdbc)).append(' ')
              .append(value(random, values, jdbc));
        }
      }
      String sql = switch (random.nextInt(4)) {
        case 0 -> "SELECT " + columns[random.nextInt(columns.length)] + ", count(*) FROM " + table + " WHERE " + where
            + " GROUP BY 1 ORDER BY 2 DESC LIMIT " + value(random, values, jdbc);
        case 1 -> "UPDATE " + table + " SET name = " + value(random, values, jdbc) + " WHERE " + where;
        case 2 -> "INSERT INTO " + table + " (id, name) VALUES (" + value(random, values, jdbc) + ", "
            + value(random, values, jdbc) + "), (" + value(random, values, jdbc) + ", "
            + value(random, values, jdbc) + ")";
        default -> "/* app */ WITH x AS (SELECT * FROM " + table + " WHERE " + where + ") DELETE FROM t USING x -- end";
      };
      out.add(Arguments.of((jdbc ? "J:" : "") + sql));
    }
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("realisticStatements")
  void normalizingIsIdempotentAndKeepsTheFingerprint(String input) {
    NormalizedQuery once = Sql.analyze(input);
    String again = Sql.normalizeAgain(input);
    NormalizedQuery twice = Sql.analyze(again);
    assertEquals(once.text(), twice.text(), input);
    assertEquals(once.fingerprint(), twice.fingerprint(), () -> input + "\n" + once.text());
    assertEquals(once.tables(), twice.tables());
    assertEquals(once.operation(), twice.operation());
  }

  @Test
  void soupIsIdempotentToo() {
    Random random = new Random(5L);
    for (int n = 0; n < 2000; n++) {
      boolean jdbc = random.nextBoolean();
      String sql = soup(random, 1 + random.nextInt(20));
      NormalizedQuery once = SqlEngine.analyzeUncached(sql, jdbc);
      if (once.truncated()) {
        continue;
      }
      NormalizedQuery twice = SqlEngine.analyzeUncached(once.text(), jdbc);
      assertEquals(once.text(), twice.text(), sql);
      assertEquals(once.fingerprint(), twice.fingerprint(), () -> sql + "\n" + once.text());
    }
  }

  @Test
  void mutatedStatementsNormalizeIdempotently() {
    // single-character edits of realistic statements: the texts that break printing rules
    List<String> base = realisticStatements().map(a -> (String) a.get()[0]).toList();
    String alphabet = "'\"$`?{}()[];:,.-+*/<>=!@#%^&|~\\ \n\tEeUuBbXxNn&019_aZ";
    Random random = new Random(31L);
    for (int n = 0; n < 5000; n++) {
      String input = base.get(random.nextInt(base.size()));
      boolean jdbc = Sql.isJdbc(input) != random.nextBoolean();
      String sql = Sql.mutate(random, Sql.isJdbc(input) ? input.substring(2) : input, alphabet);
      NormalizedQuery once = SqlEngine.analyzeUncached(sql, jdbc);
      if (once.truncated()) {
        continue;
      }
      NormalizedQuery twice = SqlEngine.analyzeUncached(once.text(), jdbc);
      assertEquals(once.text(), twice.text(), sql);
      assertEquals(once.fingerprint(), twice.fingerprint(), () -> sql + "\n" + once.text());
      assertEquals(once.tables(), twice.tables(), sql);
      assertEquals(once.operation(), twice.operation(), sql);
    }
  }

  @Test
  void serverAndJdbcNormalizedTextsShareTheFingerprint() {
    realisticStatements().map(a -> (String) a.get()[0]).filter(Sql::isJdbc).forEach(jdbcInput -> {
      NormalizedQuery jdbc = Sql.analyze(jdbcInput);
      NormalizedQuery server = SqlEngine.analyzeUncached(jdbc.text().replace("??", "\u0001").replace("?", "$1")
          .replace("\u0001", "?"), false);
      assertEquals(jdbc.fingerprint(), server.fingerprint(), jdbc.text() + " / " + server.text());
    });
  }

  @Test
  void megabyteInputCompletesQuickly() {
    StringBuilder sb = new StringBuilder(1 << 20);
    while (sb.length() < (1 << 20)) {
      sb.append("SELECT a, 'lit', $$x$$, \"q\" FROM t WHERE b IN (1, 2, 3) AND c = E'\\'' /* c */;\n");
    }
    String big = sb.toString();
    NormalizedQuery q = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> SqlEngine.analyzeUncached(big, false));
    assertFalse(q.text().contains("lit"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"'", "E'", "$$", "$a$", "\"", "/*", "U&'", "(", "[", "/*/*", "{fn ", "$a", "--", "0x", "-"})
  void pathologicalRepetitionRunsInLinearTime(String unit) {
    String big = unit.repeat((1 << 20) / unit.length());
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      SqlEngine.analyzeUncached(big, false);
      SqlEngine.analyzeUncached(big, true);
    });
  }

  @Test
  void dollarQuoteWithManyNearMissTagsRunsInLinearTime() {
    String tag = "t".repeat(5000);
    String big = "$" + tag + "$" + ("$" + tag.substring(1) + "x").repeat(200) + "$" + tag + "$";
    NormalizedQuery q = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> SqlEngine.analyzeUncached(big, false));
    assertEquals("$1", q.text());
    assertFalse(q.truncated());
  }

  @Test
  void deepNestingCompletes() {
    String deep = "SELECT " + "(".repeat(200_000) + "1" + ")".repeat(200_000) + " FROM t WHERE x IN ("
        + "ARRAY[".repeat(50_000);
    NormalizedQuery q = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> SqlEngine.analyzeUncached(deep, false));
    assertEquals("SELECT", q.operation());
  }

  private static void assertNoMarker(String sql, NormalizedQuery q) {
    String all = q.text() + "|" + q.summary() + "|" + q.operation() + "|" + q.tables() + "|" + q.comments();
    assertFalse(all.contains(MARKER), () -> "leaked from: " + sql + "\ninto: " + all);
    assertEquals(16, q.fingerprint().length());
  }

  private static String soup(Random random, int length) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < length; i++) {
      // fragments are sometimes glued together: 42$$x$$ and 1'a' must lex as PostgreSQL does
      sb.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]).append(random.nextInt(5) == 0 ? "" : " ");
    }
    return sb.toString();
  }

  private static String list(Random random, String[] values, boolean jdbc) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0, n = 1 + random.nextInt(5); i < n; i++) {
      sb.append(i == 0 ? "" : ", ").append(value(random, values, jdbc));
    }
    return sb.toString();
  }

  private static String value(Random random, String[] values, boolean jdbc) {
    String v = values[random.nextInt(values.length)];
    if (v.equals("?") && !jdbc) {
      return "$" + (1 + random.nextInt(9));
    }
    return v.equals("$1") && jdbc ? "?" : v;
  }

  private static String op(Random random, String[] ops, boolean jdbc) {
    String op = ops[random.nextInt(ops.length)];
    return jdbc && op.equals("?") ? "??" : op;
  }
}
