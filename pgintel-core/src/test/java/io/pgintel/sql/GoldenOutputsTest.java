package io.pgintel.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Pins every output (fingerprint, normalized text, truncation, sqlcommenter tags and, for one input in ten, the
 * summary) over generated inputs to one digest, so that a change meant only to make the engine faster proves it
 * changed nothing. The inputs are statements built from fragments (literals of every kind, comments, JDBC escapes,
 * list shapes, unterminated openers), single-character edits of them and random characters, in both modes.
 *
 * <p>When a rule change alters outputs on purpose, bump {@link SqlEngine#ALGORITHM_VERSION} and record the new
 * digest here, saying why in the commit.
 */
class GoldenOutputsTest {

  private static final String DIGEST = "d9e39a91a9a83744";

  private static final String[] FRAGMENTS = {
    "SELECT", "select", "FROM", "WHERE", "AND", "OR", "IN", "(", ")", "[", "]", ",", ";", ".", "::", "=", "<>",
    "!=", "-", "+", "*", "/", "||", "->>", "#>", "@>", "?", "??", "?|", "$1", "$22", "42", "-7", "4.2", ".5",
    "1e10", "0x1F", "1_000", "users", "\"Users\"", "\"app\"", "a$b", "NULL", "TRUE", "IS", "NOT", "ORDER BY",
    "GROUP BY", "1", "ARRAY", "VALUES", "ANY", "SET", "TO", "DO", "LIMIT", "UNION ALL", "varchar(10)", "date",
    "interval", "EXTRACT", "{fn", "{d", "{call", "}", "{", "\n", "\t", "E", "U&", "$", "$$", "`", "\\", "'s'",
    "'x''y'", "E'a\\''", "E'\\'b'", "$$body$$", "$t$ $$ c $t$", "U&'d'", "U&'e' UESCAPE '!'", "N'f'", "X'1F'",
    "B'101'", "/* note */", "/* /* nested */ */", "-- line\n", "'a'\n'b'", "timestamptz '2024-01-01'",
    "/*, ... */", "'g'::text", "IS NOT", "NULLS FIRST", "ALTER", "SESSION", "LOCAL", "ROLE", "\"select\"",
    "\"values\"", "(1, 2)", "IN (", "ARRAY[", "::int", "::numeric(10,2)", "[]", "/*traceparent='00-ab'*/",
    "/*a='b%2F',c='d'*/", "- 1", "=-1", "@-", "e'", "u&\"h\"", "ASC", "DESC", "OFFSET", "RETURNING", "BY", "INTO",
    "TABLE", "ON", "ONLY", "EXISTS", "COPY", "now()", "coalesce", "count(*)", "TIME ZONE", "a.b", "\"a\".\"b\"",
    "&&", "|/", ">=", "!", "~*", ":=", "=>", ":", "\u00e9t\u00e9", "\ud800", "\r\n", "\f", "\u000b", "'\\'",
    "$a$", "$a$x$a$", "$1a", "1..2", "1.e5", "5.", "1e", "1e+", "0b101", "0o17", "{oj", "{ts '2024'}",
    "{escape '\\'}", "{limit 10}", "{? = call f(?)}", "INSERT INTO t (a, b)", "UPDATE t", "DELETE FROM t"};
  private static final String ALPHABET = "'\"$`?{}()[];:,.-+*/<>=!@#%^&|~\\ \n\tEeUuBbXxNn&019_aZ\u00e9\ud800\udc00";

  @Test
  void outputsOfGeneratedInputsAreUnchanged() {
    assertEquals(DIGEST, digest());
  }

  /** Hex of the first 8 bytes of SHA-256 over all outputs. */
  static String digest() {
    MessageDigest sha = sha256();
    Random random = new Random(20261122L);
    for (int n = 0; n < 60_000; n++) {
      String sql = soup(random);
      if (n % 3 == 1) {
        sql = Sql.mutate(random, sql, ALPHABET);
      }
      add(sha, SqlEngine.analyzeUncached(sql, n % 2 == 1), n % 10 == 0);
    }
    for (int n = 0; n < 20_000; n++) {
      char[] chars = new char[random.nextInt(80)];
      for (int i = 0; i < chars.length; i++) {
        chars[i] = random.nextInt(8) == 0 ? (char) random.nextInt(0x10000)
            : ALPHABET.charAt(random.nextInt(ALPHABET.length()));
      }
      add(sha, SqlEngine.analyzeUncached(new String(chars), n % 2 == 1), n % 10 == 0);
    }
    return HexFormat.of().formatHex(sha.digest(), 0, 8);
  }

  private static String soup(Random random) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0, length = 1 + random.nextInt(40); i < length; i++) {
      sb.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]).append(random.nextInt(5) == 0 ? "" : " ");
    }
    return sb.toString();
  }

  private static void add(MessageDigest sha, NormalizedQuery q, boolean summary) {
    String line = q.fingerprint() + '\t' + q.truncated() + '\t' + q.text() + '\t' + q.comments()
        + (summary ? '\t' + q.operation() + '|' + q.tables() + '|' + q.summary() : "") + '\n';
    sha.update(line.getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
