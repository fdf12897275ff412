package io.pgintel.sql;

import static io.pgintel.sql.Tokens.CAST;
import static io.pgintel.sql.Tokens.COLON;
import static io.pgintel.sql.Tokens.COMMA;
import static io.pgintel.sql.Tokens.COMMENT;
import static io.pgintel.sql.Tokens.CONST;
import static io.pgintel.sql.Tokens.DOT;
import static io.pgintel.sql.Tokens.LBRACK;
import static io.pgintel.sql.Tokens.LIST;
import static io.pgintel.sql.Tokens.LPAREN;
import static io.pgintel.sql.Tokens.NUMBER;
import static io.pgintel.sql.Tokens.OP;
import static io.pgintel.sql.Tokens.PARAM;
import static io.pgintel.sql.Tokens.QIDENT;
import static io.pgintel.sql.Tokens.RBRACK;
import static io.pgintel.sql.Tokens.RPAREN;
import static io.pgintel.sql.Tokens.SEMI;
import static io.pgintel.sql.Tokens.STRING;
import static io.pgintel.sql.Tokens.WORD;

import java.util.Map;

/**
 * Turns a statement into its canonical token stream, then hashes and prints that stream.
 *
 * <p>One instance per thread (it owns reusable buffers); {@link #analyze} is the only entry.
 * Three passes over int arrays, each linear:
 * <ol>
 *   <li>classify raw tokens: constants of every kind (and typed literals, signed numbers, bind
 *       parameters, {@code SET} values) become {@link Tokens#CONST}; comments are dropped after
 *       PostgreSQL 18's {@code /*, ... *}{@code /} list marker and sqlcommenter tags are read;
 *       positional {@code ORDER BY}/{@code GROUP BY} items and type modifiers stay numbers;</li>
 *   <li>collapse constant lists in {@code IN (...)} and {@code ARRAY[...]} to one
 *       {@link Tokens#LIST}, and all-constant multi-row {@code VALUES} to their first row;</li>
 *   <li>hash (kinds plus canonical text, never the display string) and print.</li>
 * </ol>
 * The printed text is valid input in the same mode and normalizes to itself: constants print
 * as {@code $1..$n} for server text and {@code ?} for JDBC text, a list as that placeholder
 * followed by {@code /*, ... *}{@code /}, and JDBC text doubles the {@code ?} operator character.
 * This is what makes {@code normalize(normalize(x)) == normalize(x)} hold.
 */
final class Normalizer {

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

  /** Raw tokens from the lexer, compacted in place into the canonical stream by the passes. */
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
  private int textLength;
  private int[] match = new int[256];
  private int[] parenStack = new int[64];
  private Map<String, String> comments;
  /** Whether classify saw IN, ARRAY or VALUES: without them there is nothing to collapse. */
  private boolean listCandidates;
  /** Index of the first IN, ARRAY or VALUES in the canonical tokens: collapsing starts there. */
  private int firstCandidate;
  /** Number of raw tokens while {@link #classify} rewrites them. */
  private int rawSize;
  /** Element count of the last list {@link #constList} accepted. */
  private int elements;

  /** Fingerprint and normalized text; the summary is left to {@link #summarize}, on demand. */
  NormalizedQuery analyze(String sql, boolean jdbc) {
    boolean truncated = canonicalTokens(sql, jdbc);
    long hash = emit(chars, jdbc);
    NormalizedQuery result = new NormalizedQuery(hash, new String(buf, 0, textLength), jdbc, truncated, comments);
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

  /** Passes 1 and 2; returns whether the input was cut short. */
  private boolean canonicalTokens(String sql, boolean jdbc) {
    out.clear();
    comments = Map.of();
    int n = sql.length();
    if (chars.length < n) {
      chars = new char[Math.max(n, chars.length * 2)];
    }
    sql.getChars(0, n, chars, 0);
    boolean truncated = Lexer.lex(chars, n, jdbc, out);
    listCandidates = false;
    classify(sql);
    if (listCandidates) {
      collapse();
    }
    return truncated;
  }

  private void releaseIfHuge() {
    if (out.capacity() > RETAIN_TOKENS || chars.length > RETAIN_CHARS || buf.length > RETAIN_CHARS) {
      // one huge statement must not pin megabytes per thread for the thread's lifetime
      out.shrink();
      match = new int[256];
      parenStack = new int[64];
      buf = new char[512];
      chars = new char[512];
    }
  }

  // ---------------------------------------------------------------- pass 1: classify

  /**
   * Rewrites the raw tokens in place: the token written for raw token {@code i} lands at an
   * index no greater than {@code i}, so raw tokens still to be read (and looked ahead at) are
   * intact. {@code r} reads raw tokens, {@code o} writes canonical ones; they are one list.
   */
  private void classify(String s) {
    final Tokens r = out;
    final Tokens o = out;
    final char[] c = chars;
    final int n = r.size;
    int trailing = n - 1;
    while (trailing >= 0 && r.kind[trailing] == SEMI) {
      trailing--;
    }
    rawSize = n;
    o.size = 0;
    int depth = 0;
    int byDepth = -1;
    int typmodDepth = -1;
    int setState = 0;
    int stmtFirst = -1;
    for (int i = 0; i < n; i++) {
      final int k = r.kind[i];
      if (k == COMMENT) {
        if (o.size > 0 && o.kind[o.size - 1] == CONST && isListMarker(c, r.start[i], r.end[i])) {
          o.kind[o.size - 1] = LIST;
        } else if (i == trailing) {
          comments = SqlCommenter.parse(s, r.start[i], r.end[i]);
        }
        continue;
      }
      if (k == SEMI) {
        setState = 0;
        byDepth = -1;
        typmodDepth = -1;
        depth = 0;
        if (o.size > 0 && o.kind[o.size - 1] != SEMI) {
          o.keep(i);
        }
        continue;
      }
      final int last = o.size - 1;
      if (last < 0 || o.kind[last] == SEMI) {
        stmtFirst = k == WORD ? r.kw[i] : -2;
      }
      final int kw = r.kw[i];
      if (setState != 0) {
        // SET name = value: the value may be a bare word (SET role TO bob) and
        // pg_stat_statements keeps utility text verbatim, so all of it is one placeholder
        if (setState == 3) {
          if (o.kind[last] != CONST) {
            o.add(CONST, r.start[i], r.end[i], -1);
          }
          continue;
        }
        if (setState == 1 && k == WORD && (kw == Keywords.SESSION || kw == Keywords.LOCAL || kw == Keywords.TIME)) {
          o.keep(i);
          continue;
        }
        if (setState == 1 && k == WORD && (kw == Keywords.ROLE || kw == Keywords.NAMES || kw == Keywords.SCHEMA
            || kw == Keywords.ZONE || kw == Keywords.AUTHORIZATION)) {
          o.keep(i);
          setState = 3;
          continue;
        }
        if ((k == OP && isOp(c, r.start[i], r.end[i], '=')) || (k == WORD && kw == Keywords.TO)) {
          o.keep(i);
          setState = 3;
          continue;
        }
        if (k == WORD || k == QIDENT || (k == DOT && setState == 2)) {
          word(i);
          setState = 2;
          continue;
        }
        setState = 0;
      }
      switch (k) {
        case STRING, PARAM -> addConst(i);
        case NUMBER -> {
          int prev = last >= 0 ? o.kind[last] : 0;
          // only plain digits are kept: anything else glued on could be a value
          boolean digits = isDigits(c, r.start[i], r.end[i]);
          if (digits && depth == typmodDepth && (prev == LPAREN || prev == COMMA)) {
            o.keep(i);
          } else if (digits && depth == byDepth && (o.isWord(last, Keywords.BY) || prev == COMMA)
              && endsItem(i + 1)) {
            o.keep(i);
          } else {
            if (prev == OP && o.end[last] - o.start[last] == 1 && c[o.start[last]] == '-'
                && operandPosition(last - 1)) {
              o.size--;
            }
            addConst(i);
          }
        }
        case WORD -> {
          if (kw < 0) {
            // an identifier: none of the keyword rules below applies
            o.keep(i);
          } else if (kw == Keywords.NULL) {
            if (o.isWord(last, Keywords.IS) || o.isWord(last, Keywords.NOT)) {
              o.keep(i);
            } else {
              addConst(i);
            }
          } else if (kw == Keywords.TRUE || kw == Keywords.FALSE) {
            if (o.isWord(last, Keywords.IS) || (o.isWord(last, Keywords.NOT) && o.isWord(last - 1, Keywords.IS))) {
              o.keep(i);
            } else {
              addConst(i);
            }
          } else if (kw == Keywords.SET && (last < 0 || o.kind[last] == SEMI || stmtFirst == Keywords.ALTER)) {
            o.keep(i);
            setState = 1;
          } else {
            if (!listCandidates && (kw == Keywords.IN || kw == Keywords.ARRAY || kw == Keywords.VALUES)) {
              listCandidates = true;
              firstCandidate = o.size;
            }
            if (kw == Keywords.BY && (o.isWord(last, Keywords.ORDER) || o.isWord(last, Keywords.GROUP))) {
              byDepth = depth;
            } else if (depth == byDepth && endsOrderBy(kw)) {
              byDepth = -1;
            }
            o.keep(i);
          }
        }
        case QIDENT -> word(i);
        case LPAREN -> {
          depth++;
          if (last >= 0 && o.kind[last] == WORD && Keywords.has(o.kw[last], Keywords.TYPMOD)) {
            typmodDepth = depth;
          }
          o.keep(i);
        }
        case RPAREN -> {
          if (depth == typmodDepth) {
            typmodDepth = -1;
          }
          if (depth == byDepth) {
            byDepth = -1;
          }
          depth = Math.max(0, depth - 1);
          o.keep(i);
        }
        default -> o.keep(i);
      }
    }
    while (o.size > 0 && o.kind[o.size - 1] == SEMI) {
      o.size--;
    }
  }

  /**
   * Adds a constant for raw token {@code i}. A type name right before it makes one typed literal
   * ({@code date '2024-01-01'}); this applies to any constant, not only strings, because the
   * printed form {@code date $1} must read back as the same single constant.
   */
  private void addConst(int i) {
    final Tokens o = out;
    int last = o.size - 1;
    while (last >= 0 && o.kind[last] == WORD && Keywords.has(o.kw[last], Keywords.TYPELIT)
        && !(last > 0 && (o.kind[last - 1] == DOT || o.kind[last - 1] == CAST))) {
      last--;
    }
    o.size = last + 1;
    o.add(CONST, o.start[i], o.end[i], -1);
  }

  /** Copies a word or quoted identifier; a quote that changes nothing is dropped. */
  private void word(int i) {
    final Tokens t = out;
    if (t.kind[i] == QIDENT) {
      int cs = t.start[i] + 1;
      int ce = t.end[i] - 1;
      if (chars[t.start[i]] == '"' && isPlainName(chars, cs, ce)) {
        long h = Keywords.hash(chars, cs, ce);
        int kw = Keywords.lookup(chars, cs, ce, h);
        if (!Keywords.has(kw, Keywords.RESERVED)) {
          if (!listCandidates && kw == Keywords.VALUES) {
            listCandidates = true;
            firstCandidate = t.size;
          }
          t.addWord(cs, ce, kw, h);
          return;
        }
      }
    }
    t.keep(i);
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

  /** Whether the raw token at {@code j} ends an ORDER BY / GROUP BY item. */
  private boolean endsItem(int j) {
    final Tokens r = out;
    while (j < rawSize && r.kind[j] == COMMENT) {
      j++;
    }
    if (j >= rawSize) {
      return true;
    }
    int k = r.kind[j];
    if (k == COMMA || k == RPAREN || k == SEMI) {
      return true;
    }
    int kw = r.kw[j];
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

  // ---------------------------------------------------------------- pass 2: collapse lists

  private void collapse() {
    final Tokens t = out;
    final int n = t.size;
    // tokens before the first IN, ARRAY or VALUES stay where they are
    int w = firstCandidate;
    int i = firstCandidate;
    while (i < n) {
      int k = t.kind[i];
      if ((k == LPAREN && w > 0 && t.isWord(w - 1, Keywords.IN))
          || (k == LBRACK && w > 0 && t.isWord(w - 1, Keywords.ARRAY))) {
        int close = constList(i, k == LPAREN ? RPAREN : RBRACK, true);
        if (close > 0) {
          t.move(w++, i);
          t.kind[w] = LIST;
          t.start[w] = t.start[i + 1];
          t.end[w] = t.end[i + 1];
          t.kw[w] = -1;
          w++;
          t.move(w++, close);
          i = close + 1;
          continue;
        }
      }
      if (k == WORD && t.kw[i] == Keywords.VALUES && i + 1 < n && t.kind[i + 1] == LPAREN) {
        int first = constList(i + 1, RPAREN, false);
        if (first > 0) {
          int arity = elements;
          int end = first;
          while (end + 2 < n && t.kind[end + 1] == COMMA && t.kind[end + 2] == LPAREN) {
            int next = constList(end + 2, RPAREN, false);
            if (next < 0 || elements != arity) {
              break;
            }
            end = next;
          }
          for (int j = i; j <= first; j++) {
            t.move(w++, j);
          }
          i = end + 1;
          continue;
        }
      }
      t.move(w++, i);
      i++;
    }
    t.size = w;
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

  // ---------------------------------------------------------------- pass 3: hash and print

  private long emit(char[] s, boolean jdbc) {
    final Tokens t = out;
    final int size = t.size;
    char[] b = buf;
    int len = 0;
    long h = SEED ^ (SqlEngine.ALGORITHM_VERSION * MIX);
    int param = 0;
    int prevKind = 0;
    for (int i = 0; i < size; i++) {
      final int k = t.kind[i];
      final int start = t.start[i];
      final int end = t.end[i];
      // worst case: every char doubled (JDBC ??), or a list placeholder, plus a space
      int need = len + 2 * (end - start) + 32;
      if (need > b.length) {
        b = buf = java.util.Arrays.copyOf(b, Math.max(need, b.length * 2));
      }
      if (i > 0) {
        byte rule = SPACE_RULES[prevKind << 5 | k];
        if (rule == SPACE || (rule == SPACE_IF_NOT_CALL && spaceBeforeParen(i))) {
          b[len++] = ' ';
        }
      }
      prevKind = k;
      long v = 0;
      switch (k) {
        case WORD -> {
          // the lexer hashed the folded word already
          v = t.hash[i];
          if (Keywords.has(t.kw[i], Keywords.DISPLAY)) {
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
        }
        case OP -> {
          if (end - start == 2 && s[start] == '!' && s[start + 1] == '=') {
            v = NOT_EQUAL;
            b[len++] = '<';
            b[len++] = '>';
            break;
          }
          v = textValue(s, start, end, jdbc);
          for (int j = start; j < end; j++) {
            char c = s[j];
            if (c == '?' && jdbc) {
              j++;
              b[len++] = '?';
            }
            b[len++] = c;
          }
        }
        case CONST, LIST -> {
          if (jdbc) {
            b[len++] = '?';
          } else {
            b[len++] = '$';
            len = putInt(b, len, ++param);
          }
          if (k == LIST) {
            LIST_MARKER.getChars(0, LIST_MARKER.length(), b, len);
            len += LIST_MARKER.length();
          }
        }
        case CAST -> {
          b[len++] = ':';
          b[len++] = ':';
        }
        case LPAREN, RPAREN, LBRACK, RBRACK, COMMA, SEMI, DOT, COLON -> b[len++] = s[start];
        default -> {
          // QIDENT, NUMBER, OTHER: their text is already canonical
          v = textValue(s, start, end, false);
          System.arraycopy(s, start, b, len, end - start);
          len += end - start;
        }
      }
      // one multiply per token; the kind's spread keeps equal values of different kinds apart
      h = (h ^ (v + k * KIND_SPREAD)) * MIX;
    }
    textLength = len;
    return fmix(h);
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
    int[] stack = parenStack;
    int top = 0;
    for (int i = 0; i < t.size; i++) {
      m[i] = t.size;
      if (t.kind[i] == LPAREN) {
        if (top == stack.length) {
          stack = java.util.Arrays.copyOf(stack, top * 2);
          parenStack = stack;
        }
        stack[top++] = i;
      } else if (t.kind[i] == RPAREN && top > 0) {
        m[stack[--top]] = i;
      }
    }
    return m;
  }
}
