package io.pgintel.sql;

/**
 * Makes server text that is one statement ready to run as the body of a JDBC query: what follows its last token
 * (a semicolon, comments, space) is dropped, and a {@code ?} in an operator is doubled, as JDBC wants it
 * ({@code ?|} becomes {@code ??|}), so that the driver does not take it for a parameter; an operator written with
 * {@code ??} already is taken as written so (PostgreSQL has no {@code ??} operator of its own). Read with the lexer,
 * so that a semicolon or parenthesis inside a literal, a quoted name or a comment counts for nothing. Also splits a
 * text of several statements at those semicolons (a function body in {@code BEGIN ATOMIC ... END} is split too).
 */
public final class OneStatement {

  private OneStatement() {}

  /**
   * The statement ready to embed, or null when {@code sql} is not exactly one complete statement with balanced
   * parentheses (empty, cut short, a second statement after a semicolon, a closing parenthesis too many).
   */
  public static String of(String sql) {
    char[] chars = sql.toCharArray();
    Reader reader = new Reader(sql);
    boolean truncated = Lexer.lex(chars, chars.length, false, reader);
    if (truncated || reader.broken || reader.depth != 0 || reader.end == 0) {
      return null;
    }
    StringBuilder out = new StringBuilder(reader.end + 8);
    int from = 0;
    for (int q = sql.indexOf('?'); q >= 0 && q < reader.end; q = sql.indexOf('?', q + 1)) {
      if (reader.inOperator(q)) {
        out.append(sql, from, q + 1).append('?');
        from = q + 1;
      }
    }
    return out.append(sql, from, reader.end).toString();
  }

  /**
   * The statements of a text, each as written from its first token to its last ({@code "a; b"} gives {@code a}
   * and {@code b}), without the empty ones between semicolons; one element for a text of one statement, none for
   * one of comments only. The text is read as JDBC text when {@code jdbc}.
   */
  public static java.util.List<String> each(String sql, boolean jdbc) {
    char[] chars = sql.toCharArray();
    Splitter splitter = new Splitter(sql);
    Lexer.lex(chars, chars.length, jdbc, splitter);
    splitter.flush();
    return splitter.statements;
  }

  /** Collects the statements of a text: each from its first token to its last before a semicolon. */
  private static final class Splitter implements Lexer.Sink {
    final String text;
    final java.util.List<String> statements = new java.util.ArrayList<>(2);
    int start = -1;
    int end;

    Splitter(String text) {
      this.text = text;
    }

    @Override
    public void word(int from, int to, int keyword, long hash) {
      add(from, to);
    }

    @Override
    public void token(int kind, int from, int to) {
      if (kind == Tokens.SEMI) {
        flush();
      } else if (kind != Tokens.COMMENT) {
        add(from, to);
      }
    }

    private void add(int from, int to) {
      start = start < 0 ? from : start;
      end = to;
    }

    void flush() {
      if (start >= 0) {
        statements.add(text.substring(start, end));
        start = -1;
      }
    }
  }

  /** Follows the tokens: where the statement ends, bracket depth, and where its operators are. */
  private static final class Reader implements Lexer.Sink {
    final String text;
    int end;
    int depth;
    boolean broken;
    boolean ended;
    /** Start and end of each operator containing {@code ?}, in pairs. */
    int[] operators = new int[8];
    int operatorCount;

    Reader(String text) {
      this.text = text;
    }

    @Override
    public void word(int start, int end, int keyword, long hash) {
      statementToken(end);
    }

    @Override
    public void token(int kind, int start, int end) {
      switch (kind) {
        case Tokens.COMMENT -> {
          return;
        }
        case Tokens.SEMI -> {
          ended = true;
          return;
        }
        case Tokens.LPAREN -> depth++;
        case Tokens.RPAREN -> broken |= --depth < 0;
        case Tokens.OP -> {
          if (text.indexOf("??", start) >= 0 && text.indexOf("??", start) < end) {
            // doubled for JDBC by its author already
            statementToken(end);
            return;
          }
          if (operatorCount + 2 > operators.length) {
            operators = java.util.Arrays.copyOf(operators, operators.length * 2);
          }
          operators[operatorCount++] = start;
          operators[operatorCount++] = end;
        }
        default -> {
          // any other token belongs to the statement as it is
        }
      }
      statementToken(end);
    }

    private void statementToken(int tokenEnd) {
      // a token after a semicolon starts a second statement
      broken |= ended;
      end = tokenEnd;
    }

    boolean inOperator(int position) {
      for (int i = 0; i < operatorCount; i += 2) {
        if (position >= operators[i] && position < operators[i + 1]) {
          return true;
        }
      }
      return false;
    }
  }
}
