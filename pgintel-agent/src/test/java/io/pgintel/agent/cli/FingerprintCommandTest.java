package io.pgintel.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.internal.Json;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FingerprintCommandTest {

  private record Result(int exit, String out, String err) {}

  private static Result run(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.run(List.of(args), new BufferedReader(new StringReader(stdin)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void plainModePrintsAReadableResultWithoutLiterals() {
    Result r = run("SELECT * FROM users WHERE email = 'bob@example.com' AND id = 42", "fingerprint");
    assertEquals(0, r.exit());
    assertTrue(r.out().matches("(?s)fingerprint  [0-9a-f]{16}\n.*"), r.out());
    assertTrue(r.out().contains("operation    SELECT"), r.out());
    assertTrue(r.out().contains("tables       users"), r.out());
    assertFalse(r.out().contains("bob@example.com"), r.out());
    assertFalse(r.out().contains("42"), r.out());
  }

  @Test
  void jsonLinesGiveOneObjectPerLineAndJdbcTextMatchesServerText() {
    String in = "\"SELECT * FROM t WHERE id = $1\"\n"
        + "{\"sql\": \"SELECT * FROM t WHERE id = ?\", \"jdbc\": true}\n"
        + "\n"
        + "{\"sql\": \"ALTER ROLE app PASSWORD 'hunter2'\"}\n";
    Result r = run(in, "fingerprint", "--jsonl");
    assertEquals(0, r.exit());
    List<String> lines = r.out().lines().toList();
    assertEquals(3, lines.size(), r.out());
    Map<?, ?> first = (Map<?, ?>) Json.parse(lines.get(0));
    Map<?, ?> second = (Map<?, ?>) Json.parse(lines.get(1));
    assertEquals(List.of("fingerprint", "normalized", "operation", "tables", "summary", "truncated"),
        List.copyOf(first.keySet()));
    assertEquals(first.get("fingerprint"), second.get("fingerprint"), "JDBC ? and server $1 are one query");
    assertTrue(((String) first.get("fingerprint")).matches("[0-9a-f]{16}"));
    assertEquals(Boolean.FALSE, first.get("truncated"));
    assertFalse(lines.get(2).contains("hunter2"), lines.get(2));
  }

  @Test
  void badLinesGetAnErrorObjectThatNeverEchoesTheInput() {
    Result r = run("{\"sql\": 'secret-value'}\n[1, 2]\n\"SELECT 1\"\n", "fingerprint", "--jsonl");
    assertEquals(0, r.exit());
    List<String> lines = r.out().lines().toList();
    assertEquals(3, lines.size());
    Map<?, ?> bad = (Map<?, ?>) Json.parse(lines.get(0));
    assertEquals(1.0, ((Number) bad.get("line")).doubleValue());
    assertTrue(((String) bad.get("error")).startsWith("not JSON"));
    assertFalse(lines.get(0).contains("secret-value"));
    assertTrue(((String) ((Map<?, ?>) Json.parse(lines.get(1))).get("error")).contains("\"sql\""));
    assertTrue(((Map<?, ?>) Json.parse(lines.get(2))).containsKey("fingerprint"));
  }

  @Test
  void unknownCommandOrOptionIsAUsageError() {
    assertEquals(2, run("", "nope").exit());
    assertEquals(2, run("", "fingerprint", "--xml").exit());
    assertEquals(2, run("").exit());
  }

  @Test
  void jsonRoundTripsEscapes() {
    String text = "a\"b\\c\nd\te\u0001f";
    assertEquals(text, Json.parse(Json.write(text)));
    assertEquals(Map.of("k", List.of(true, "x")), Json.parse("{\"k\": [true, \"x\"]}"));
  }
}
