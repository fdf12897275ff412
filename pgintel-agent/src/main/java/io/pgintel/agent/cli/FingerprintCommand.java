package io.pgintel.agent.cli;

import io.pgintel.internal.Json;
import io.pgintel.sql.NormalizedQuery;
import io.pgintel.sql.SqlEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code fingerprint [--jdbc] [--jsonl]}: fingerprints SQL read from standard input. Plain mode reads the whole
 * input as one statement and prints a readable result; {@code --jsonl} reads JSON Lines (a JSON string, or an
 * object with {@code "sql"}) and writes one JSON object per line. A bad line gets an error object naming the
 * line, never its content.
 */
final class FingerprintCommand {

  static final String USAGE = """
      usage: fingerprint [--jdbc] [--jsonl] < input
        --jdbc    the text is as an application hands it to JDBC (? is a parameter, {fn ...} escapes)
        --jsonl   JSON Lines in and out: each line a JSON string or {"sql": "..."}
      """;

  private FingerprintCommand() {}

  static int run(List<String> args, BufferedReader in, PrintStream out, PrintStream err) throws IOException {
    boolean jdbc = false;
    boolean jsonl = false;
    for (String a : args) {
      switch (a) {
        case "--jdbc" -> jdbc = true;
        case "--jsonl" -> jsonl = true;
        case "--help", "-h" -> {
          out.print(USAGE);
          return 0;
        }
        default -> {
          err.println("fingerprint: unknown option " + a);
          err.print(USAGE);
          return 2;
        }
      }
    }
    SqlEngine engine = SqlEngine.builder().cache(false).build();
    if (jsonl) {
      String line;
      int number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        out.println(Json.write(jsonLine(engine, jdbc, line, number)));
      }
      out.flush();
      return 0;
    }
    StringBuilder text = new StringBuilder();
    char[] buf = new char[8192];
    int n;
    while ((n = in.read(buf)) >= 0) {
      text.append(buf, 0, n);
    }
    NormalizedQuery q = jdbc ? engine.jdbc(text.toString()) : engine.server(text.toString());
    out.println("fingerprint  " + q.fingerprint());
    out.println("operation    " + q.operation());
    out.println("tables       " + String.join(", ", q.tables()));
    out.println("summary      " + q.summary());
    out.println("truncated    " + q.truncated());
    out.println("normalized   " + q.text());
    out.flush();
    return 0;
  }

  private static Map<String, Object> jsonLine(SqlEngine engine, boolean jdbc, String line, int number) {
    String sql;
    boolean lineJdbc = jdbc;
    try {
      Object v = Json.parse(line);
      if (v instanceof String s) {
        sql = s;
      } else if (v instanceof Map<?, ?> m && m.get("sql") instanceof String s) {
        sql = s;
        if (m.get("jdbc") instanceof Boolean b) {
          lineJdbc = b;
        }
      } else {
        return error(number, "expected a JSON string or an object with a string \"sql\"");
      }
    } catch (IllegalArgumentException e) {
      return error(number, "not JSON: " + e.getMessage());
    }
    NormalizedQuery q = lineJdbc ? engine.jdbc(sql) : engine.server(sql);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("fingerprint", q.fingerprint());
    out.put("normalized", q.text());
    out.put("operation", q.operation());
    out.put("tables", q.tables());
    out.put("summary", q.summary());
    out.put("truncated", q.truncated());
    return out;
  }

  private static Map<String, Object> error(int line, String message) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("line", line);
    out.put("error", message);
    return out;
  }
}
