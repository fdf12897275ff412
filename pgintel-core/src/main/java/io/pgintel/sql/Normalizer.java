package io.pgintel.sql;

import static io.pgintel.sql.Tokens.CAST;
import static io.pgintel.sql.Tokens.COLON;
import static io.pgintel.sql.Tokens.COMMA;
import static io.pgintel.sql.Tokens.CONST;
import static io.pgintel.sql.Tokens.DOT;
import static io.pgintel.sql.Tokens.LBRACK;
import static io.pgintel.sql.Tokens.LIST;
import static io.pgintel.sql.Tokens.LPAREN;
import static io.pgintel.sql.Tokens.NUMBER;
import static io.pgintel.sql.Tokens.OP;
import static io.pgintel.sql.Tokens.OTHER;
import static io.pgintel.sql.Tokens.QIDENT;
import static io.pgintel.sql.Tokens.RBRACK;
import static io.pgintel.sql.Tokens.RPAREN;
import static io.pgintel.sql.Tokens.SEMI;
import static io.pgintel.sql.Tokens.WORD;

import java.util.Map;

/**
 * Turns a statement into its canonical token stream, hashing and printing each canonical token as it is made.
 *
 * <p>One instance per thread (it owns reusable buffers); {@link #analyze} and {@link #summarize} are the entries.
 * One pass: the {@link Lexer} hands each token to the method for its kind here, which classifies it and appends
 * the canonical token, its share of the hash and its printed form at once:
 * <ul>
 *   <li>constants of every kind (and typed literals, signed numbers, bind parameters, {@code SET} values) become
 *       {@link Tokens#CONST}; comments are dropped after PostgreSQL 18's {@code /*, ... *}{@code /} list marker
 *       and sqlcommenter tags are read from a trailing one; positional {@code ORDER BY}/{@code GROUP BY} items
 *       and type modifiers stay numbers (a number that may be a position waits for the next token to tell);</li>
 *   <li>at a closing bracket, a list of constants in {@code IN (...)} or {@code ARRAY[...]} collapses to one
 *       {@link Tokens#LIST}, and a row of all-constant multi-row {@code VALUES} after the first is dropped.</li>
 * </ul>
 * Every canonical token records the printed length, hash and placeholder count before it, so that these rewrites
 * (which only ever replace the last tokens) rewind the text and the hash exactly. The hash takes kinds and
 * canonical text, never the display string. The printed text is valid input in the same mode and normalizes to
 * itself: constants print as {@code $1..$n} for server text and {@code ?} for JDBC text, a list as that
 * placeholder followed by {@code /*, ... *}{@code /}, and JDBC text doubles the {@code ?} operator character.
 * This is what makes {@code normalize(normalize(x)) == normalize(x)} hold.
 */
final class Normalizer implements Lexer.Sink {

  /** Odd, with bits spread over the whole word: each token's value reaches every bit of the hash. */
  private static final long MIX = 0x9E3779B97F4A7C15L;
  private static final long SEED = 0xcbf29ce484222325L;
  /** Odd, bits spread, not {@link #MIX}: added times the kind to a token's value. */
  private static final long KIND_SPREAD = 0xC2B2AE3D27D4EB4FL;
  /** {@code !=} hashes as {@code <>}, which PostgreSQL reads it as. */
  private static final long NOT_EQUAL = textValue(new char[] {'<', '>'}, 0, 2, false);
  private static final int RETAIN_TOKENS = 1 << 14;
  private static final int RETAIN_CHARS = 1 << 16;

  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  private static final String LIST_MARKER = " /*, ... */";
  /** Kinds printed without a space before them, as bits. */
  private static final int NO_SPACE_BEFORE = 1 << RPAREN | 1 << RBRACK | 1 << COMMA | 1 << SEMI | 1 << DOT | 1 << CAST
      | 1 << COLON;
  /** Kinds printed without a space after them, as bits. */
  private static final int NO_SPACE_AFTER = 1 << LPAREN | 1 << LBRACK | 1 << DOT | 1 << CAST | 1 << COLON;

  /** How two adjacent canonical tokens are spaced when printed; see {@link #spaceRule}. */
  private static final byte NO_SPACE = 0;
  private static final byte SPACE = 1;
  private static final byte SPACE_IF_NOT_CALL = 2;
  /** {@link #spaceRule} for every pair of kinds, indexed by {@code previous << 5 | kind}. */
  private static final byte[] SPACE_RULES = new byte[32 * 32];

  static {
    for (int p = 0; p < 32; p++) {
      for (int k = 0; k < 32; k++) {
        SPACE_RULES[p << 5 | k] = spaceRule(p, k);
      }
    }
  }

  private final Tokens out = new Tokens(256);
  private final Summary.Scan scan = new Summary.Scan();
  private char[] buf = new char[512];
  private char[] chars = new char[512];
  private boolean jdbc;
  private int[] match = new int[256];
  /** Output indices of brackets not closed yet. */
  private int[] opens = new int[64];
  private int openCount;
  /** Per canonical token: printed length (high half) and placeholder count before it, to rewind to. */
  private long[] marks = new long[256];
  /** Per canonical token: the hash before it. */
  private long[] markHash = new long[256];
  private int length;
  private long hash;
  private int param;
  private Map<String, String> comments;

  // classification state, per statement
  private int depth;
  private int byDepth;
  private int typmodDepth;
  private int setState;
  /** Index of the current statement's first canonical token (after the last semicolon). */
  private int stmtStart;
  /**
   * Index of the next token where PostgreSQL's grammar puts a name it makes a constant: the field of
   * {@code EXTRACT(field FROM ...)}, and the name of a savepoint or prepared statement (a constant from PostgreSQL
   * 17); -1 when none is due. pg_stat_statements stores them as {@code $n}.
   */
  private int constantAt;
  /** Whether IN, ARRAY or VALUES was seen, and the index of the first: lists collapse only from there. */
  private boolean listCandidates;
  private int firstCandidate;
  /** Index of the closing parenthesis of the first all-constant VALUES row, while rows may follow; else -1. */
  private int valuesEnd;
  private int arity;
  /** Element count of the last list {@link #constList} accepted. */
  private int elements;
  /** A number that may be an ORDER BY / GROUP BY position, waiting for the next token to tell. */
  private boolean pending;
  private int pendingStart;
  private int pendingEnd;
  /** Comments read while a number waited: start and end pairs, handled once it is settled. */
  private int[] waitingComments = new int[8];
  private int waitingCount;
  /** The last comment while only semicolons followed it (-1 if none): read for sqlcommenter tags at the end. */
  private int lastCommentStart;
  private int lastCommentEnd;

  /** Fingerprint and normalized text; the summary is left to {@link #summarize}, on demand. */
  NormalizedQuery analyze(String sql, boolean jdbc) {
    boolean truncated = canonicalTokens(sql, jdbc);
    NormalizedQuery result = new NormalizedQuery(fmix(hash), new String(buf, 0, length), jdbc, truncated,
        comments);
    releaseIfHuge();
    return result;
  }

  /**
   * Operation and tables of a statement. Run on normalized text, which reads back to the same
   * canonical tokens as the statement it came from, so the summary is the statement's.
   */
  Summary summarize(String sql, boolean jdbc) {
    canonicalTokens(sql, jdbc);
    Summary summary = Summary.of(out, sql, chars, matchParens(), scan);
    releaseIfHuge();
    return summary;
  }

  /** The whole pass; returns whether the input was cut short. */
  private boolean canonicalTokens(String sql, boolean jdbc) {
    out.clear();
    comments = Map.of();
    this.jdbc = jdbc;
    int n = sql.length();
    if (chars.length < n) {
      chars = new char[Math.max(n, chars.length * 2)];
    }
    sql.getChars(0, n, chars, 0);
    length = 0;
    hash = SEED ^ (SqlEngine.ALGORITHM_VERSION * MIX);
    param = 0;
    depth = 0;
    byDepth = -1;
    typmodDepth = -1;
    setState = 0;
    stmtStart = 0;
    constantAt = -1;
    listCandidates = false;
    valuesEnd = -1;
    openCount = 0;
    pending = false;
    waitingCount = 0;
    lastCommentStart = -1;
    boolean truncated = Lexer.lex(chars, n, jdbc, this);
    if (pending) {
      settle(true);
    }
    if (lastCommentStart >= 0) {
      comments = SqlCommenter.parse(sql, lastCommentStart, lastCommentEnd);
    }
    while (out.size > 0 && out.kind[out.size - 1] == SEMI) {
      rewind(out.size - 1);
    }
    return truncated;
  }

  private void releaseIfHuge() {
    if (out.capacity() > RETAIN_TOKENS || chars.length > RETAIN_CHARS || buf.length > RETAIN_CHARS) {
      // one huge statement must not pin megabytes per thread for the thread's lifetime
      out.shrink();
      match = new int[256];
      opens = new int[64];
      marks = new long[256];
      markHash = new long[256];
      waitingComments = new int[8];
      buf = new char[512];
      chars = new char[512];
    }
  }

  // ---------------------------------------------------------------- tokens from the lexer

  @Override
  public void word(int start, int end, int kw, long h) {
    if (before(WORD, kw) && set(WORD, start, end, kw, h)) {
      return;
    }
    // a word in the place of the name may be the keyword before it: RELEASE SAVEPOINT sp, DEALLOCATE PREPARE p
    if (out.size == constantAt && kw != Keywords.SAVEPOINT && kw != Keywords.PREPARE && kw != Keywords.ALL) {
      addConst(start, end);
      return;
    }
    // an identifier (kw < 0) meets none of the keyword rules; one call of appendWord, so that it is inlined once
    if (kw < 0 || !keywordConstant(kw, start, end)) {
      appendWord(start, end, kw, h);
    }
  }

  /**
   * Whether the token after this keyword names a savepoint or a prepared statement: {@code SAVEPOINT sp},
   * {@code RELEASE [SAVEPOINT] sp}, {@code ROLLBACK [WORK] TO [SAVEPOINT] sp}, {@code DEALLOCATE [PREPARE] p}.
   * PostgreSQL 17 and later store the name as a constant ({@code SAVEPOINT $1}); earlier versions keep it, and
   * the fingerprint is the same either way.
   */
  private boolean namesNext(int kw, int last) {
    final Tokens o = out;
    boolean first = last < stmtStart;
    boolean rollbackTo = o.isWord(stmtStart, Keywords.ROLLBACK);
    if (kw == Keywords.SAVEPOINT) {
      return first || last == stmtStart && o.isWord(last, Keywords.RELEASE)
          || rollbackTo && o.isWord(last, Keywords.TO);
    }
    if (kw == Keywords.RELEASE || kw == Keywords.DEALLOCATE) {
      return first;
    }
    if (kw == Keywords.TO) {
      return rollbackTo;
    }
    return kw == Keywords.PREPARE && last == stmtStart && o.isWord(last, Keywords.DEALLOCATE);
  }

  /** Whether a normal form after token {@code last} is in {@code x IS NFC NORMALIZED} or {@code normalize(x, NFC)}. */
  private boolean normalFormArgument(int last) {
    final Tokens o = out;
    if (o.isWord(last, Keywords.IS) || o.isWord(last, Keywords.NOT) && o.isWord(last - 1, Keywords.IS)) {
      return true;
    }
    if (last < 0 || o.kind[last] != COMMA || openCount == 0) {
      return false;
    }
    int open = opens[openCount - 1];
    return o.isWord(open - 1, Keywords.NORMALIZE) && (open < 2 || o.kind[open - 2] != DOT);
  }

  /**
   * Applies the rules a keyword starts or ends ({@code SET}, {@code ORDER BY}, lists), or adds it as a constant
   * ({@code NULL}, {@code TRUE}, {@code FALSE} as values).
   *
   * @return whether it was added as a constant; if not, the caller prints it as a word
   */
  private boolean keywordConstant(int kw, int start, int end) {
    final Tokens o = out;
    final int last = o.size - 1;
    if (kw == Keywords.NULL) {
      if (o.isWord(last, Keywords.IS) || o.isWord(last, Keywords.NOT)) {
        return false;
      }
      addConst(start, end);
      return true;
    }
    if (kw == Keywords.TRUE || kw == Keywords.FALSE) {
      if (o.isWord(last, Keywords.IS) || (o.isWord(last, Keywords.NOT) && o.isWord(last - 1, Keywords.IS))) {
        return false;
      }
      addConst(start, end);
      return true;
    }
    // the grammar makes these constants, as pg_stat_statements stores them: LIMIT $1, normalize(x, $1),
    // x IS $1 NORMALIZED
    if (kw == Keywords.ALL && o.isWord(last, Keywords.LIMIT)
        || Keywords.has(kw, Keywords.NORMAL_FORM) && normalFormArgument(last)) {
      addConst(start, end);
      return true;
    }
    if (namesNext(kw, last)) {
      constantAt = o.size + 1;
      return false;
    }
    if (kw == Keywords.SET && (last < 0 || o.kind[last] == SEMI || o.isWord(stmtStart, Keywords.ALTER))) {
      setState = 1;
      return false;
    }
    if (!listCandidates && (kw == Keywords.IN || kw == Keywords.ARRAY || kw == Keywords.VALUES)) {
      listCandidates = true;
      firstCandidate = o.size;
    }
    if (kw == Keywords.BY && (o.isWord(last, Keywords.ORDER) || o.isWord(last, Keywords.GROUP))) {
      byDepth = depth;
    } else if (depth == byDepth && endsOrderBy(kw)) {
      byDepth = -1;
    }
    return false;
  }

  @Override
  public void token(int kind, int start, int end) {
    switch (kind) {
      case Tokens.STRING, Tokens.PARAM -> literal(kind, start, end);
      case NUMBER -> number(start, end);
      case QIDENT -> qident(start, end);
      case Tokens.COMMENT -> comment(start, end);
      case LPAREN, LBRACK -> open(kind, start, end);
      case RPAREN, RBRACK -> close(kind, start, end);
      case SEMI -> semi(start, end);
      case OP -> op(start, end);
      default -> symbol(kind, start, end);
    }
  }

  private void literal(int kind, int start, int end) {
    if (before(kind, -1) && set(kind, start, end, -1, 0)) {
      return;
    }
    addConst(start, end);
  }

  private void number(int start, int end) {
    if (before(NUMBER, -1) && set(NUMBER, start, end, -1, 0)) {
      return;
    }
    final Tokens o = out;
    final int last = o.size - 1;
    int prev = last >= 0 ? o.kind[last] : 0;
    // only plain digits are kept: anything else glued on could be a value
    boolean digits = isDigits(chars, start, end);
    if (digits && depth == typmodDepth && (prev == LPAREN || prev == COMMA)) {
      appendVerbatim(NUMBER, start, end);
    } else if (digits && depth == byDepth && (o.isWord(last, Keywords.BY) || prev == COMMA)) {
      pending = true;
      pendingStart = start;
      pendingEnd = end;
    } else {
      numberConst(start, end);
    }
  }

  private void qident(int start, int end) {
    if (before(QIDENT, -1) && set(QIDENT, start, end, -1, 0)) {
      return;
    }
    if (out.size == constantAt) {
      addConst(start, end);
      return;
    }
    name(QIDENT, start, end, -1, 0);
  }

  private void comment(int start, int end) {
    if (pending) {
      if (waitingCount + 2 > waitingComments.length) {
        waitingComments = java.util.Arrays.copyOf(waitingComments, waitingComments.length * 2);
      }
      waitingComments[waitingCount++] = start;
      waitingComments[waitingCount++] = end;
      return;
    }
    final Tokens o = out;
    final int last = o.size - 1;
    if (last >= 0 && o.kind[last] == CONST && isListMarker(chars, start, end)) {
      int s = o.start[last];
      int e = o.end[last];
      rewind(last);
      appendConst(LIST, s, e);
      lastCommentStart = -1;
    } else {
      lastCommentStart = start;
      lastCommentEnd = end;
    }
  }

  private void open(int kind, int start, int end) {
    if (before(kind, -1) && set(kind, start, end, -1, 0)) {
      return;
    }
    final Tokens o = out;
    if (kind == LPAREN) {
      depth++;
      int last = o.size - 1;
      if (last >= 0 && o.kind[last] == WORD && Keywords.has(o.kw[last], Keywords.TYPMOD)) {
        typmodDepth = depth;
      } else if (o.isWord(last, Keywords.EXTRACT) && (last < 1 || o.kind[last - 1] != DOT)) {
        // the field of EXTRACT(field FROM ...): year and month are one query to PostgreSQL, whether the field is
        // a word, a quoted name or a string
        constantAt = o.size + 1;
      }
    }
    if (openCount == opens.length) {
      opens = java.util.Arrays.copyOf(opens, openCount * 2);
    }
    opens[openCount++] = o.size;
    appendChar(kind, start, end);
  }

  private void close(int kind, int start, int end) {
    if (before(kind, -1) && set(kind, start, end, -1, 0)) {
      return;
    }
    if (kind == RPAREN) {
      if (depth == typmodDepth) {
        typmodDepth = -1;
      }
      if (depth == byDepth) {
        byDepth = -1;
      }
      depth = Math.max(0, depth - 1);
    }
    int close = out.size;
    appendChar(kind, start, end);
    if (openCount > 0) {
      collapse(opens[--openCount], close, kind);
    }
  }

  private void semi(int start, int end) {
    if (pending) {
      settle(true);
    }
    setState = 0;
    byDepth = -1;
    typmodDepth = -1;
    depth = 0;
    if (out.size > 0 && out.kind[out.size - 1] != SEMI) {
      appendChar(SEMI, start, end);
    }
    stmtStart = out.size;
  }

  private void op(int start, int end) {
    if (before(OP, -1) && set(OP, start, end, -1, 0)) {
      return;
    }
    appendOp(start, end);
  }

  private void symbol(int kind, int start, int end) {
    if (before(kind, -1) && set(kind, start, end, -1, 0)) {
      return;
    }
    switch (kind) {
      case CAST -> {
        begin(CAST, start, end, -1, 2);
        buf[length++] = ':';
        buf[length++] = ':';
        end(CAST, 0);
      }
      case OTHER -> appendVerbatim(OTHER, start, end);
      default -> appendChar(kind, start, end);
    }
  }

  // ---------------------------------------------------------------- classifying

  /**
   * What every token but a comment or semicolon does first: a waiting number is settled by it, and no comment
   * before it is trailing.
   *
   * @return whether a SET statement's state machine must see the token
   */
  private boolean before(int kind, int kw) {
    if (pending) {
      settle(endsItem(kind, kw));
    }
    lastCommentStart = -1;
    return setState != 0;
  }

  /**
   * SET name = value: the value may be a bare word (SET role TO bob) and pg_stat_statements keeps utility text
   * verbatim, so all of it is one placeholder.
   *
   * @return whether the token was consumed
   */
  private boolean set(int k, int start, int end, int kw, long h) {
    if (setState == 3) {
      if (out.kind[out.size - 1] != CONST) {
        appendConst(CONST, start, end);
      }
      return true;
    }
    if (setState == 1 && k == WORD && (kw == Keywords.SESSION || kw == Keywords.LOCAL || kw == Keywords.TIME)) {
      appendWord(start, end, kw, h);
      return true;
    }
    if (setState == 1 && k == WORD && (kw == Keywords.ROLE || kw == Keywords.NAMES || kw == Keywords.SCHEMA
        || kw == Keywords.ZONE || kw == Keywords.AUTHORIZATION)) {
      appendWord(start, end, kw, h);
      setState = 3;
      return true;
    }
    if (k == OP && isOp(chars, start, end, '=')) {
      appendOp(start, end);
      setState = 3;
      return true;
    }
    if (k == WORD && kw == Keywords.TO) {
      appendWord(start, end, kw, h);
      setState = 3;
      return true;
    }
    if (k == WORD || k == QIDENT || (k == DOT && setState == 2)) {
      name(k, start, end, kw, h);
      setState = 2;
      return true;
    }
    setState = 0;
    return false;
  }

  /** A number that turned out to be a position (kept) or a value (a constant, with its sign). */
  private void settle(boolean position) {
    pending = false;
    if (position) {
      appendVerbatim(NUMBER, pendingStart, pendingEnd);
    } else {
      numberConst(pendingStart, pendingEnd);
    }
    int n = waitingCount;
    waitingCount = 0;
    for (int i = 0; i < n; i += 2) {
      comment(waitingComments[i], waitingComments[i + 1]);
    }
  }

  /** A number as a constant: a minus in operand position before it is its sign. */
  private void numberConst(int start, int end) {
    final Tokens o = out;
    final int last = o.size - 1;
    if (last >= 0 && o.kind[last] == OP && o.end[last] - o.start[last] == 1 && chars[o.start[last]] == '-'
        && operandPosition(last - 1)) {
      rewind(last);
    }
    addConst(start, end);
  }

  /**
   * Adds a constant. A type name right before it makes one typed literal ({@code date '2024-01-01'}); this
   * applies to any constant, not only strings, because the printed form {@code date $1} must read back as the
   * same single constant.
   */
  private void addConst(int start, int end) {
    final Tokens o = out;
    int last = o.size - 1;
    while (last >= 0 && o.kind[last] == WORD && Keywords.has(o.kw[last], Keywords.TYPELIT)
        && !(last > 0 && (o.kind[last - 1] == DOT || o.kind[last - 1] == CAST))) {
      last--;
    }
    rewind(last + 1);
    appendConst(CONST, start, end);
  }

  /** A word, quoted identifier or dot; a quote that changes nothing is dropped. */
  private void name(int k, int start, int end, int kw, long h) {
    if (k == QIDENT) {
      int cs = start + 1;
      int ce = end - 1;
      if (chars[start] == '"' && isPlainName(chars, cs, ce)) {
        long plain = Keywords.hash(chars, cs, ce);
        int plainKw = Keywords.lookup(chars, cs, ce, plain);
        if (!Keywords.has(plainKw, Keywords.RESERVED)) {
          if (!listCandidates && plainKw == Keywords.VALUES) {
            listCandidates = true;
            firstCandidate = out.size;
          }
          appendWord(cs, ce, plainKw, plain);
          return;
        }
      }
      appendVerbatim(QIDENT, start, end);
    } else if (k == WORD) {
      appendWord(start, end, kw, h);
    } else {
      appendChar(k, start, end);
    }
  }

  /**
   * After the bracket at {@code close} closing the one at {@code open}: collapses a list of constants after IN or
   * ARRAY to one {@link Tokens#LIST}, and drops a VALUES row of constants that repeats the first row's arity.
   */
  private void collapse(int open, int close, int kind) {
    final Tokens t = out;
    if (!listCandidates) {
      return;
    }
    if (open > firstCandidate && t.kind[open - 1] == WORD) {
      int kw = t.kw[open - 1];
      if ((kw == Keywords.IN && kind == RPAREN && t.kind[open] == LPAREN)
          || (kw == Keywords.ARRAY && kind == RBRACK && t.kind[open] == LBRACK)) {
        if (constList(open, kind, true) == close) {
          int ls = t.start[open + 1];
          int le = t.end[open + 1];
          int cs = t.start[close];
          int ce = t.end[close];
          rewind(open + 1);
          appendConst(LIST, ls, le);
          appendChar(kind, cs, ce);
        }
        return;
      }
      if (kw == Keywords.VALUES && kind == RPAREN && t.kind[open] == LPAREN) {
        if (constList(open, RPAREN, false) == close) {
          valuesEnd = close;
          arity = elements;
        }
        return;
      }
    }
    if (valuesEnd >= 0 && open == valuesEnd + 2 && kind == RPAREN && t.kind[open] == LPAREN
        && t.kind[open - 1] == COMMA) {
      if (constList(open, RPAREN, false) == close && elements == arity) {
        rewind(open - 1);
      } else {
        valuesEnd = -1;
      }
    }
  }

  private static boolean isPlainName(char[] s, int cs, int ce) {
    if (cs >= ce) {
      return false;
    }
    char c = s[cs];
    if (!((c >= 'a' && c <= 'z') || c == '_' || c >= 0x80)) {
      return false;
    }
    for (int i = cs + 1; i < ce; i++) {
      c = s[i];
      if (!((c >= 'a' && c <= 'z') || c == '_' || c >= 0x80 || Lexer.isDigit(c) || c == '$')) {
        return false;
      }
    }
    return true;
  }

  private boolean operandPosition(int j) {
    if (j < 0) {
      return true;
    }
    return switch (out.kind[j]) {
      case OP, LPAREN, COMMA, LBRACK, SEMI, COLON -> true;
      case WORD -> Keywords.has(out.kw[j], Keywords.OPERAND);
      default -> false;
    };
  }

  /** Whether a token of kind {@code k} (keyword {@code kw}) after a number ends an ORDER BY / GROUP BY item. */
  private static boolean endsItem(int k, int kw) {
    if (k == COMMA || k == RPAREN || k == SEMI) {
      return true;
    }
    return k == WORD && (kw == Keywords.ASC || kw == Keywords.DESC || kw == Keywords.NULLS || kw == Keywords.USING
        || kw == Keywords.ORDER
        || endsOrderBy(kw));
  }

  private static boolean endsOrderBy(int kw) {
    return kw == Keywords.LIMIT || kw == Keywords.OFFSET || kw == Keywords.FETCH || kw == Keywords.FOR
        || kw == Keywords.HAVING || kw == Keywords.WINDOW || kw == Keywords.UNION
        || kw == Keywords.INTERSECT || kw == Keywords.EXCEPT || kw == Keywords.RETURNING;
  }

  private static boolean isDigits(char[] s, int start, int end) {
    if (end - start > 9) {
      return false;
    }
    for (int i = start; i < end; i++) {
      if (!Lexer.isDigit(s[i])) {
        return false;
      }
    }
    return true;
  }

  private static boolean isListMarker(char[] s, int start, int end) {
    if (end - start < 4 || s[start] != '/') {
      return false;
    }
    int a = start + 2;
    int b = end - 2;
    while (a < b && Lexer.isSpace(s[a])) {
      a++;
    }
    while (b > a && Lexer.isSpace(s[b - 1])) {
      b--;
    }
    return b - a == 5 && s[a] == ',' && s[a + 1] == ' ' && s[a + 2] == '.' && s[a + 3] == '.' && s[a + 4] == '.';
  }

  private static boolean isOp(char[] s, int start, int end, char c) {
    return end - start == 1 && s[start] == c;
  }

  /**
   * Reads {@code ( const [::type], ... )} from the opening token at {@code open}.
   *
   * @return the index of the closing token, or -1 if this is not a list of constants
   *     (when {@code needTwo}, of at least two, or of one list marker)
   */
  private int constList(int open, int closeKind, boolean needTwo) {
    final Tokens t = out;
    final int n = t.size;
    int j = open + 1;
    int count = 0;
    boolean marker = false;
    while (j < n) {
      int k = t.kind[j];
      if (k != CONST && k != LIST) {
        return -1;
      }
      marker |= k == LIST;
      count++;
      j++;
      while (j < n && t.kind[j] == CAST) {
        j++;
        int words = 0;
        while (j < n && (t.kind[j] == WORD || t.kind[j] == QIDENT || (t.kind[j] == DOT && words > 0))) {
          j++;
          words++;
        }
        if (words == 0) {
          return -1;
        }
        if (j < n && t.kind[j] == LPAREN) {
          j++;
          while (j < n && (t.kind[j] == NUMBER || t.kind[j] == CONST || t.kind[j] == COMMA)) {
            j++;
          }
          if (j >= n || t.kind[j] != RPAREN) {
            return -1;
          }
          j++;
        }
        while (j + 1 < n && t.kind[j] == LBRACK && t.kind[j + 1] == RBRACK) {
          j += 2;
        }
      }
      if (j >= n) {
        return -1;
      }
      if (t.kind[j] == closeKind) {
        elements = count;
        return !needTwo || count >= 2 || marker ? j : -1;
      }
      if (t.kind[j] != COMMA) {
        return -1;
      }
      j++;
    }
    return -1;
  }

  // ---------------------------------------------------------------- printing and hashing

  /**
   * Starts canonical token {@code k}: records it and the mark to rewind to, makes room for {@code chars} more
   * printed characters, and prints the space before it.
   */
  private void begin(int k, int start, int end, int kw, int printed) {
    final Tokens t = out;
    final int i = t.size;
    // the worst case: a space, every char doubled (JDBC ??), or a list placeholder
    if (i == marks.length || i == t.kind.length || length + 2 * printed + 32 > buf.length) {
      grow(printed);
    }
    marks[i] = (long) length << 32 | param;
    markHash[i] = hash;
    if (i > 0) {
      byte rule = SPACE_RULES[t.kind[i - 1] << 5 | k];
      if (rule == SPACE || (rule == SPACE_IF_NOT_CALL && spaceBeforeParen(i))) {
        buf[length++] = ' ';
      }
    }
    t.kind[i] = k;
    t.start[i] = start;
    t.end[i] = end;
    t.kw[i] = kw;
    t.size = i + 1;
  }

  /** Room for one more canonical token and {@code printed} more characters; out of {@link #begin}'s hot path. */
  private void grow(int printed) {
    final int i = out.size;
    if (i == marks.length) {
      marks = java.util.Arrays.copyOf(marks, i * 2);
      markHash = java.util.Arrays.copyOf(markHash, i * 2);
    }
    out.ensureRoom();
    int need = length + 2 * printed + 32;
    if (need > buf.length) {
      buf = java.util.Arrays.copyOf(buf, Math.max(need, buf.length * 2));
    }
  }

  /** Ends a canonical token: one multiply; the kind's spread keeps equal values of different kinds apart. */
  private void end(int k, long v) {
    hash = (hash ^ (v + k * KIND_SPREAD)) * MIX;
  }

  /** Drops the canonical tokens from {@code size} on, with their text and hash. */
  private void rewind(int size) {
    if (size < out.size) {
      out.size = size;
      length = (int) (marks[size] >>> 32);
      param = (int) marks[size];
      hash = markHash[size];
    }
  }

  private void appendWord(int start, int end, int kw, long h) {
    begin(WORD, start, end, kw, end - start);
    final char[] s = chars;
    final char[] b = buf;
    int len = length;
    if (Keywords.has(kw, Keywords.DISPLAY)) {
      // a keyword is ASCII letters and underscores: upper case is c & ~0x20 for letters
      for (int j = start; j < end; j++) {
        char c = s[j];
        b[len++] = c == '_' ? c : (char) (c & ~0x20);
      }
    } else {
      for (int j = start; j < end; j++) {
        b[len++] = Keywords.lower(s[j]);
      }
    }
    length = len;
    // the lexer hashed the folded word already
    end(WORD, h);
  }

  private void appendConst(int k, int start, int end) {
    begin(k, start, end, -1, 0);
    final char[] b = buf;
    if (jdbc) {
      b[length++] = '?';
    } else {
      b[length++] = '$';
      length = putInt(b, length, ++param);
    }
    if (k == LIST) {
      LIST_MARKER.getChars(0, LIST_MARKER.length(), b, length);
      length += LIST_MARKER.length();
    }
    end(k, 0);
  }

  /** A one-character token whose kind says what it is: brackets, comma, semicolon, dot, colon. */
  private void appendChar(int k, int start, int end) {
    begin(k, start, end, -1, 1);
    buf[length++] = chars[start];
    end(k, 0);
  }

  private void appendOp(int start, int end) {
    begin(OP, start, end, -1, end - start);
    final char[] s = chars;
    final char[] b = buf;
    if (end - start == 2 && s[start] == '!' && s[start + 1] == '=') {
      b[length++] = '<';
      b[length++] = '>';
      end(OP, NOT_EQUAL);
      return;
    }
    int len = length;
    for (int j = start; j < end; j++) {
      char c = s[j];
      if (c == '?' && jdbc) {
        j++;
        b[len++] = '?';
      }
      b[len++] = c;
    }
    length = len;
    end(OP, textValue(s, start, end, jdbc));
  }

  /** QIDENT, NUMBER, OTHER: their text is already canonical. */
  private void appendVerbatim(int k, int start, int end) {
    begin(k, start, end, -1, end - start);
    System.arraycopy(chars, start, buf, length, end - start);
    length += end - start;
    end(k, textValue(chars, start, end, false));
  }

  /**
   * A token's text as one value: four characters packed to a long and mixed once per four (a multiply per
   * character would chain through the whole statement). With {@code jdbcOperator}, {@code ??} counts as the one
   * {@code ?} it stands for, so that an operator hashes alike in both modes.
   */
  private static long textValue(char[] s, int start, int end, boolean jdbcOperator) {
    long v = 0;
    long packed = 0;
    int count = 0;
    for (int j = start; j < end; j++) {
      char c = s[j];
      if (c == '?' && jdbcOperator) {
        j++;
      }
      packed = packed << 16 | c;
      if ((++count & 3) == 0) {
        v = (v ^ packed) * MIX;
        packed = 0;
      }
    }
    return ((v ^ packed) * MIX) ^ count;
  }

  private static int putInt(char[] b, int len, int v) {
    int digits = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : Integer.toString(v).length();
    for (int p = len + digits - 1; p >= len; p--) {
      b[p] = (char) ('0' + v % 10);
      v /= 10;
    }
    return len + digits;
  }

  /** Whether a space goes between a token of kind {@code p} and one of kind {@code k}, by the rules below. */
  private static byte spaceRule(int p, int k) {
    if (p == COLON && (k == OP || k == COLON || k == CAST)) {
      // a: = b and a: :b must not print as := or ::
      return SPACE;
    }
    if (((NO_SPACE_BEFORE >>> k) & 1) != 0 || ((NO_SPACE_AFTER >>> p) & 1) != 0) {
      return NO_SPACE;
    }
    if (k == LPAREN) {
      return p == WORD ? SPACE_IF_NOT_CALL : p != QIDENT ? SPACE : NO_SPACE;
    }
    if (k == LBRACK) {
      return p == OP || p == COMMA ? SPACE : NO_SPACE;
    }
    return SPACE;
  }

  /** For a parenthesis after a word: spaced unless the word reads as a function call. */
  private boolean spaceBeforeParen(int i) {
    final Tokens t = out;
    int kw = t.kw[i - 1];
    if (Keywords.has(kw, Keywords.DISPLAY)) {
      return !Keywords.has(kw, Keywords.FUNC);
    }
    // INSERT INTO t (a, b) and CREATE TABLE t (...) read better spaced; f(x) does not
    if (i < 2 || t.kind[i - 2] != WORD) {
      return false;
    }
    int before = t.kw[i - 2];
    return before == Keywords.INTO || before == Keywords.TABLE || before == Keywords.EXISTS
        || before == Keywords.COPY || before == Keywords.ONLY || before == Keywords.ON;
  }

  /** Murmur3's 64-bit finalizer: a multiply moves bits only upwards, so the last token reaches the low bits poorly. */
  private static long fmix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  static String hex(long h) {
    // a table, not a branch on d < 10: random digits would mispredict half the time
    byte[] c = new byte[16];
    for (int i = 15; i >= 0; i--) {
      c[i] = HEX_DIGITS[(int) h & 0xF];
      h >>>= 4;
    }
    return new String(c, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** Index of the matching parenthesis for every {@code (} in the normalized tokens (size if none). */
  private int[] matchParens() {
    final Tokens t = out;
    if (match.length < t.size + 1) {
      match = new int[Math.max(t.size + 1, match.length * 2)];
    }
    int[] m = match;
    int[] stack = opens;
    int top = 0;
    for (int i = 0; i < t.size; i++) {
      m[i] = t.size;
      if (t.kind[i] == LPAREN) {
        if (top == stack.length) {
          stack = java.util.Arrays.copyOf(stack, top * 2);
          opens = stack;
        }
        stack[top++] = i;
      } else if (t.kind[i] == RPAREN && top > 0) {
        m[stack[--top]] = i;
      }
    }
    return m;
  }
}
