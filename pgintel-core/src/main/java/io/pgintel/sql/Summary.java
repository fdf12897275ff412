package io.pgintel.sql;

import static io.pgintel.sql.Tokens.COMMA;
import static io.pgintel.sql.Tokens.DOT;
import static io.pgintel.sql.Tokens.LPAREN;
import static io.pgintel.sql.Tokens.QIDENT;
import static io.pgintel.sql.Tokens.RPAREN;
import static io.pgintel.sql.Tokens.SEMI;
import static io.pgintel.sql.Tokens.WORD;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Operation name and tables read off the normalized token stream: a lexer's view, not a parse.
 *
 * <p>Tables are names after FROM, JOIN, INTO, UPDATE, USING, TABLE, COPY and friends, at any
 * nesting depth. The traps: FROM is also a keyword inside {@code EXTRACT}, {@code SUBSTRING},
 * {@code TRIM} and {@code OVERLAY} calls and in {@code IS [NOT] DISTINCT FROM}; a name followed
 * by a parenthesis after FROM is a set-returning function; a CTE's name is not a table. Only
 * statements that address tables are scanned, so {@code REVOKE ... FROM role} or
 * {@code FETCH ... FROM cursor} yield none.
 */
record Summary(String operation, List<String> tables, String text) {

  static final int MAX_TEXT = 255;
  static final int MAX_TABLES = 32;
  static final int SUMMARY_TABLES = 4;
  private static final int MAX_NAME = 200;

  static Summary of(Tokens t, String s, char[] chars, int[] match, Scan scan) {
    int opIndex = 0;
    while (opIndex < t.size && t.kind[opIndex] == LPAREN) {
      opIndex++;
    }
    String op = operation(t, s, opIndex, match);
    List<String> found = scansTables(op) ? scan.tables(t, chars, match, op, opIndex) : List.of();
    return scan.summary(op, found);
  }

  /** Builds a summary from the operation and the tables found (a scratch list, copied when kept). */
  private static Summary build(String op, List<String> found) {
    List<String> tables = List.copyOf(found);
    if (tables.isEmpty() || (tables.size() == 1 && op.length() + 1 + tables.get(0).length() <= MAX_TEXT)) {
      String text = tables.isEmpty() ? op : op.isEmpty() ? tables.get(0) : op + ' ' + tables.get(0);
      return new Summary(op, tables, text);
    }
    StringBuilder sb = new StringBuilder(op);
    int shown = 0;
    for (String table : tables) {
      if (shown == SUMMARY_TABLES || sb.length() + 1 + table.length() > MAX_TEXT) {
        break;
      }
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(table);
      shown++;
    }
    return new Summary(op, tables, sb.length() > MAX_TEXT ? sb.substring(0, MAX_TEXT) : sb.toString());
  }

  private static boolean scansTables(String op) {
    return switch (op) {
      case "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "EXPLAIN", "TRUNCATE", "LOCK", "VALUES",
          "CREATE TABLE", "ALTER TABLE", "DROP TABLE", "CREATE INDEX", "CREATE VIEW",
          "CREATE MATERIALIZED VIEW", "REFRESH MATERIALIZED VIEW", "VACUUM", "ANALYZE" -> true;
      default -> false;
    };
  }

  /**
   * {@code db.operation.name}: the statement's verb. {@code WITH ...} reports the verb of its
   * main statement; EXPLAIN reports EXPLAIN (the explained statement's tables are still listed);
   * CREATE, ALTER and DROP add their object type ({@code CREATE TABLE}).
   */
  private static String operation(Tokens t, String s, int i, int[] match) {
    if (i >= t.size || t.kind[i] != WORD) {
      return "";
    }
    int kw = t.kw[i];
    if (kw == Keywords.WITH) {
      for (int j = i + 1; j < t.size && t.kind[j] != SEMI; j++) {
        if (t.kind[j] == LPAREN) {
          j = match[j];
          continue;
        }
        int w = t.kw[j];
        if (t.kind[j] == WORD && (w == Keywords.SELECT || w == Keywords.INSERT || w == Keywords.UPDATE
            || w == Keywords.DELETE || w == Keywords.MERGE || w == Keywords.VALUES)) {
          return Keywords.upper(w);
        }
      }
      return "WITH";
    }
    if (kw == Keywords.CREATE || kw == Keywords.ALTER || kw == Keywords.DROP) {
      int j = i + 1;
      while (j < t.size && t.kind[j] == WORD && (t.kw[j] == Keywords.OR || t.kw[j] == Keywords.REPLACE
          || t.kw[j] == Keywords.UNIQUE || t.kw[j] == Keywords.TEMP || t.kw[j] == Keywords.TEMPORARY
          || t.kw[j] == Keywords.UNLOGGED || t.kw[j] == Keywords.LOCAL || t.kw[j] == Keywords.RECURSIVE
          || isWord(t, s, j, "global"))) {
        j++;
      }
      String verb = Keywords.upper(kw);
      if (t.isWord(j, Keywords.MATERIALIZED)) {
        return verb + " MATERIALIZED VIEW";
      }
      if (j < t.size && t.kind[j] == WORD && isAsciiWord(s, t.start[j], t.end[j])) {
        return verb + ' ' + s.substring(t.start[j], t.end[j]).toUpperCase(Locale.ROOT);
      }
      return verb;
    }
    if (kw == Keywords.TABLE) {
      return "SELECT";
    }
    if (kw == Keywords.START) {
      return "BEGIN";
    }
    if (kw == Keywords.END) {
      return "COMMIT";
    }
    if (kw == Keywords.ABORT) {
      return "ROLLBACK";
    }
    if (kw == Keywords.REFRESH) {
      return "REFRESH MATERIALIZED VIEW";
    }
    if (Keywords.has(kw, Keywords.DISPLAY) && !Keywords.has(kw, Keywords.FUNC)) {
      return Keywords.upper(kw);
    }
    return "";
  }

  private static boolean isWord(Tokens t, String s, int j, String word) {
    return j < t.size && t.kind[j] == WORD && t.end[j] - t.start[j] == word.length()
        && s.regionMatches(true, t.start[j], word, 0, word.length());
  }

  private static boolean isAsciiWord(String s, int start, int end) {
    if (end - start > 24) {
      return false;
    }
    for (int i = start; i < end; i++) {
      char c = Keywords.lower(s.charAt(i));
      if (c < 'a' || c > 'z') {
        return false;
      }
    }
    return true;
  }

  /**
   * One walk over the tokens collecting table names; reused per thread. Applications send the
   * same few tables over and over, so it keeps two small direct-mapped caches that make the
   * common case allocate nothing: table names by their characters, and whole summaries by
   * operation and tables. Both are bounded in entries and in the length of what they keep.
   */
  static final class Scan {
    private static final int NAME_SLOTS = 256;
    private static final int SUMMARY_SLOTS = 256;
    /** Longest total of table-name characters a cached summary may hold. */
    private static final int CACHED_SUMMARY_CHARS = 256;

    private final List<String> tables = new ArrayList<>();
    private final String[] names = new String[NAME_SLOTS];
    private final Summary[] summaries = new Summary[SUMMARY_SLOTS];
    private char[] name = new char[MAX_NAME];
    private int nameLength;
    /** Token index of each table's first mention: list reading can run ahead of the walk. */
    private final int[] positions = new int[MAX_TABLES];
    private final List<String> cteNames = new ArrayList<>();
    private boolean[] trapStack = new boolean[16];
    private Tokens t;
    private char[] s;
    private int[] match;
    private String op;

    /** The summary for {@code op} and the tables found, shared with earlier calls when equal. */
    Summary summary(String op, List<String> found) {
      int h = op.hashCode();
      int chars = 0;
      for (int i = 0; i < found.size(); i++) {
        String table = found.get(i);
        h = h * 31 + table.hashCode();
        chars += table.length();
      }
      if (chars > CACHED_SUMMARY_CHARS) {
        return build(op, found);
      }
      int slot = (h ^ (h >>> 16)) & (SUMMARY_SLOTS - 1);
      Summary cached = summaries[slot];
      if (cached != null && cached.operation().equals(op) && cached.tables().equals(found)) {
        return cached;
      }
      Summary built = build(op, found);
      summaries[slot] = built;
      return built;
    }

    List<String> tables(Tokens tokens, char[] sql, int[] parens, String operation, int opIndex) {
      t = tokens;
      s = sql;
      match = parens;
      op = operation;
      tables.clear();
      cteNames.clear();
      try {
        return walk(opIndex);
      } finally {
        t = null;
        s = null;
        match = null;
        if (trapStack.length > 1024) {
          trapStack = new boolean[16];
        }
      }
    }

    private List<String> walk(int opIndex) {
      boolean[] trapStack = this.trapStack;
      int depth = 0;
      for (int i = 0; i < t.size && tables.size() < MAX_TABLES; i++) {
        int k = t.kind[i];
        if (k == LPAREN) {
          if (depth == trapStack.length) {
            trapStack = java.util.Arrays.copyOf(trapStack, depth * 2);
            this.trapStack = trapStack;
          }
          int fn = i > 0 && t.kind[i - 1] == WORD ? t.kw[i - 1] : -1;
          trapStack[depth++] = fn == Keywords.EXTRACT || fn == Keywords.SUBSTRING || fn == Keywords.TRIM
              || fn == Keywords.OVERLAY;
          continue;
        }
        if (k == RPAREN) {
          depth = Math.max(0, depth - 1);
          continue;
        }
        if (k != WORD || !Keywords.has(t.kw[i], Keywords.TABLE_CLAUSE)) {
          continue;
        }
        int kw = t.kw[i];
        if (kw == Keywords.WITH) {
          collectCteNames(i);
          continue;
        }
        if (kw == Keywords.FROM) {
          if ((depth > 0 && trapStack[depth - 1]) || isDistinctFrom(i)) {
            continue;
          }
          list(i + 1, true);
        } else if (kw == Keywords.JOIN) {
          list(i + 1, true);
        } else if (kw == Keywords.INTO) {
          if (t.isWord(i - 1, Keywords.INSERT) || t.isWord(i - 1, Keywords.MERGE)) {
            ref(i + 1, false);
          }
        } else if (kw == Keywords.UPDATE) {
          if (i == opIndex || !(i > 0 && t.kind[i - 1] == WORD)) {
            ref(i + 1, false);
          }
        } else if (kw == Keywords.USING) {
          if (op.equals("MERGE") || op.equals("DELETE")) {
            ref(i + 1, true);
          }
        } else if (kw == Keywords.TABLE) {
          int p = i > 0 && t.kind[i - 1] == WORD ? t.kw[i - 1] : -1;
          if (i == opIndex || p == Keywords.CREATE || p == Keywords.ALTER || p == Keywords.DROP
              || p == Keywords.TRUNCATE || p == Keywords.LOCK || p == Keywords.TEMP
              || p == Keywords.TEMPORARY || p == Keywords.UNLOGGED) {
            list(i + 1, false);
          }
        } else if (i == opIndex && (kw == Keywords.TRUNCATE || kw == Keywords.LOCK || kw == Keywords.VACUUM
            || kw == Keywords.ANALYZE)) {
          int j = i + 1;
          if (j < t.size && t.kind[j] == LPAREN) {
            j = match[j] + 1;
          }
          while (t.isWord(j, Keywords.FULL) || t.isWord(j, Keywords.FREEZE) || t.isWord(j, Keywords.VERBOSE)
              || t.isWord(j, Keywords.ANALYZE)) {
            j++;
          }
          list(j, false);
        } else if (i == opIndex && kw == Keywords.COPY) {
          ref(i + 1, false);
        } else if (kw == Keywords.ON && op.equals("CREATE INDEX")) {
          ref(i + 1, false);
        } else if (kw == Keywords.VIEW && op.startsWith("REFRESH") && t.isWord(i - 1, Keywords.MATERIALIZED)) {
          ref(i + 1, false);
        }
      }
      // insertion sort by first mention: at most MAX_TABLES entries, usually in order already
      for (int a = 1; a < tables.size(); a++) {
        for (int b = a; b > 0 && positions[b - 1] > positions[b]; b--) {
          int p = positions[b];
          positions[b] = positions[b - 1];
          positions[b - 1] = p;
          tables.set(b, tables.set(b - 1, tables.get(b)));
        }
      }
      return tables;
    }

    private boolean isDistinctFrom(int i) {
      if (!t.isWord(i - 1, Keywords.DISTINCT)) {
        return false;
      }
      return t.isWord(i - 2, Keywords.IS) || (t.isWord(i - 2, Keywords.NOT) && t.isWord(i - 3, Keywords.IS));
    }

    /** Reads comma-separated table references with optional aliases. */
    private void list(int j, boolean functionsPossible) {
      while (j < t.size && tables.size() < MAX_TABLES) {
        while (t.isWord(j, Keywords.LATERAL) || t.isWord(j, Keywords.ONLY)) {
          j++;
        }
        if (j < t.size && t.kind[j] == LPAREN) {
          // a subquery: its own FROM clauses are found by the main walk
          j = match[j] + 1;
        } else {
          j = ref(j, functionsPossible);
        }
        if (j < 0 || j >= t.size) {
          return;
        }
        if (t.isWord(j, Keywords.AS)) {
          j++;
        }
        if (j < t.size && (t.kind[j] == QIDENT || (t.kind[j] == WORD && !Keywords.has(t.kw[j], Keywords.DISPLAY)))) {
          j++;
        }
        if (j < t.size && t.kind[j] == LPAREN) {
          j = match[j] + 1;
        }
        if (j >= t.size || t.kind[j] != COMMA) {
          return;
        }
        j++;
      }
    }

    /** Reads one table name at {@code j}; returns the index after it, or -1 if there is none. */
    private int ref(int j, boolean functionsPossible) {
      while (t.isWord(j, Keywords.ONLY) || t.isWord(j, Keywords.LATERAL) || t.isWord(j, Keywords.IF)
          || t.isWord(j, Keywords.NOT) || t.isWord(j, Keywords.EXISTS) || t.isWord(j, Keywords.CONCURRENTLY)) {
        j++;
      }
      if (!isNamePart(j)) {
        return -1;
      }
      final int nameStart = j;
      nameLength = 0;
      part(j);
      int parts = 1;
      j++;
      while (j + 1 < t.size && t.kind[j] == DOT && isNamePart(j + 1) && parts < 3) {
        append('.');
        part(j + 1);
        parts++;
        j += 2;
      }
      if (functionsPossible && j < t.size && t.kind[j] == LPAREN) {
        // a set-returning function (generate_series(...)): not a table, but the list goes on
        return match[j] + 1;
      }
      if (t.isWord(j, Keywords.STDIN) || t.isWord(j, Keywords.STDOUT)) {
        return -1;
      }
      String n = canonicalName();
      if (!(parts == 1 && cteNames.contains(n))) {
        int at = tables.indexOf(n);
        if (at < 0) {
          tables.add(n);
          positions[tables.size() - 1] = nameStart;
        } else {
          positions[at] = Math.min(positions[at], nameStart);
        }
      }
      return j;
    }

    private boolean isNamePart(int j) {
      if (j >= t.size) {
        return false;
      }
      if (t.kind[j] == QIDENT) {
        return true;
      }
      return t.kind[j] == WORD && !Keywords.has(t.kw[j], Keywords.DISPLAY);
    }

    /**
     * Appends one name part to the name being read, as PostgreSQL resolves it: folded if
     * unquoted, unescaped if quoted. Only ASCII letters fold, as in {@code downcase_identifier}
     * for UTF-8.
     */
    private void part(int j) {
      int start = t.start[j];
      int end = t.end[j];
      if (t.kind[j] == WORD) {
        for (int i = start; i < end; i++) {
          append(Keywords.lower(s[i]));
        }
        return;
      }
      if (s[start] != '"') {
        // U&"..." keeps its escapes as written
        for (int i = start; i < end; i++) {
          append(s[i]);
        }
        return;
      }
      for (int i = start + 1; i < end - 1; i++) {
        append(s[i]);
        if (s[i] == '"') {
          i++;
        }
      }
    }

    private void append(char c) {
      if (nameLength < MAX_NAME) {
        name[nameLength++] = c;
      }
    }

    /** The name just read, as a String shared with earlier reads of the same name. */
    private String canonicalName() {
      final char[] c = name;
      final int n = nameLength;
      int h = n;
      for (int i = 0; i < n; i++) {
        h = h * 31 + c[i];
      }
      int slot = (h ^ (h >>> 16)) & (NAME_SLOTS - 1);
      String known = names[slot];
      if (known != null && known.length() == n) {
        int i = 0;
        while (i < n && known.charAt(i) == c[i]) {
          i++;
        }
        if (i == n) {
          return known;
        }
      }
      String fresh = new String(c, 0, n);
      names[slot] = fresh;
      return fresh;
    }

    /**
     * {@code WITH [RECURSIVE] name [(cols)] AS [NOT] [MATERIALIZED] (...), ...}: names only.
     * Called when the walk reaches WITH, before any reference to the names (a recursive
     * CTE's reference to itself is inside its body, which comes after its name).
     */
    private void collectCteNames(int i) {
      int j = i + 1;
      if (t.isWord(j, Keywords.RECURSIVE)) {
        j++;
      }
      while (j < t.size && isNamePart(j)) {
        nameLength = 0;
        part(j);
        String name = canonicalName();
        j++;
        if (j < t.size && t.kind[j] == LPAREN) {
          j = match[j] + 1;
        }
        if (!t.isWord(j, Keywords.AS)) {
          break;
        }
        j++;
        if (t.isWord(j, Keywords.NOT)) {
          j++;
        }
        if (t.isWord(j, Keywords.MATERIALIZED)) {
          j++;
        }
        if (j >= t.size || t.kind[j] != LPAREN) {
          break;
        }
        cteNames.add(name);
        j = match[j] + 1;
        if (j >= t.size || t.kind[j] != COMMA) {
          break;
        }
        j++;
      }
    }
  }
}
