package io.pgintel.sql;

import java.util.Arrays;

/**
 * Single-pass scanner for PostgreSQL's lexical syntax, in server or JDBC flavour.
 *
 * <p>Hazards this class is written around:
 * <ul>
 *   <li><b>Linear time on hostile input.</b> Every loop advances the position; the only
 *       look-aheads are bounded re-reads (whitespace after a string, checked once) or stop at
 *       the next {@code $}. A closing dollar-quote tag never contains {@code $}, so a failed tag
 *       comparison started at one {@code $} ends before the next one, and total comparison work
 *       stays linear in the input.</li>
 *   <li><b>Fail closed.</b> An unterminated string, dollar quote, quoted identifier or comment
 *       runs to the end of the input and the scan reports truncation; an unterminated quoted
 *       identifier is emitted as a string so that it is redacted like one.</li>
 *   <li><b>Never throws.</b> Unknown characters (including lone surrogates) become identifier
 *       characters (at or above U+0080, as in PostgreSQL) or single {@link Tokens#OTHER} tokens.</li>
 * </ul>
 * JDBC text differs only in {@code ?} (a lone one is a parameter, {@code ??} is the operator
 * character) and in the {@code {fn ...}}-style escapes, which are unwrapped here so that later
 * stages see what the driver would send.
 */
final class Lexer {

  private static final int UESCAPE = Keywords.lookup("uescape", 0, 7);
  private static final byte IDENT_START = 1;
  private static final byte IDENT_PART = 2;
  private static final byte OP_CHAR = 4;
  private static final byte[] CLASSES = new byte[128];

  private static final byte C_OTHER = 0;
  private static final byte C_SPACE = 1;
  private static final byte C_LETTER = 2;
  private static final byte C_OPEN = 4;
  private static final byte C_QUOTE = 5;
  private static final byte C_DIGIT = 6;
  private static final byte C_DOT = 7;
  private static final byte C_MINUS = 8;
  private static final byte C_SLASH = 9;
  private static final byte C_QUESTION = 10;
  private static final byte C_OP = 11;
  private static final byte C_DQUOTE = 12;
  private static final byte C_DOLLAR = 13;
  private static final byte C_COLON = 14;
  private static final byte C_LBRACE = 15;
  private static final byte C_RBRACE = 16;
  private static final byte C_CLOSE = 17;
  private static final byte C_COMMA = 18;
  private static final byte C_SEMI = 19;
  /** What a token starting with an ASCII character is, as one of the {@code C_} classes. */
  private static final byte[] DISPATCH = new byte[128];
  /** {@link Keywords#LOWER} of an ASCII character that continues a word, 0 for one that ends it. */
  private static final byte[] WORD_PART = new byte[128];

  static {
    for (char c = 0; c < 128; c++) {
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      int k = 0;
      if (letter) {
        k |= IDENT_START | IDENT_PART;
      }
      if ((c >= '0' && c <= '9') || c == '$') {
        k |= IDENT_PART;
      }
      if ("+-*/<>=~!@#%^&|`?".indexOf(c) >= 0) {
        k |= OP_CHAR;
      }
      CLASSES[c] = (byte) k;
      WORD_PART[c] = (k & IDENT_PART) != 0 ? Keywords.LOWER[c] : 0;
      DISPATCH[c] = letter ? C_LETTER : (k & OP_CHAR) != 0 ? C_OP : (c >= '0' && c <= '9') ? C_DIGIT : C_OTHER;
    }
    for (char c : " \t\n\r\f\u000b".toCharArray()) {
      DISPATCH[c] = C_SPACE;
    }
    DISPATCH['\''] = C_QUOTE;
    DISPATCH['"'] = C_DQUOTE;
    DISPATCH['.'] = C_DOT;
    DISPATCH['-'] = C_MINUS;
    DISPATCH['/'] = C_SLASH;
    DISPATCH['?'] = C_QUESTION;
    DISPATCH['$'] = C_DOLLAR;
    DISPATCH[':'] = C_COLON;
    DISPATCH['{'] = C_LBRACE;
    DISPATCH['}'] = C_RBRACE;
    DISPATCH['('] = C_OPEN;
    DISPATCH['['] = C_OPEN;
    DISPATCH[')'] = C_CLOSE;
    DISPATCH[']'] = C_CLOSE;
    DISPATCH[','] = C_COMMA;
    DISPATCH[';'] = C_SEMI;
  }

  private Lexer() {
  }

  /**
   * Receives tokens as the lexer reads them: the normalizer classifies and prints each token as it arrives, tests
   * collect them. Words, the most frequent tokens, come with what the lexer learnt reading them; the lexer calls
   * each method from one place, so that the JIT compiler inlines the receiver's code into the lexer's loop once
   * (it stops inlining into a method past a size budget, and a call per token costs more than the work).
   */
  interface Sink {
    /** A word: its keyword id (or -1) and its hash as {@link Keywords#hash} computes it. */
    void word(int start, int end, int keyword, long hash);

    /** Any other token, of one of the {@link Tokens} kinds from {@link Tokens#QIDENT} to {@link Tokens#OTHER}. */
    void token(int kind, int start, int end);
  }

  /**
   * Hands the tokens of {@code s} to {@code out} in order, comments included, whitespace dropped.
   *
   * @return true if some construct was left unterminated
   */
  static boolean lex(char[] s, int n, boolean jdbc, Sink out) {
    boolean truncated = false;
    int escapeDepth = 0;
    int i = 0;
    while (i < n) {
      char c = s[i];
      if (c == ' ') {
        // tokens are mostly one space apart: a test that predicts well, not a jump per space
        if (++i == n) {
          break;
        }
        c = s[i];
      }
      int start = i;
      byte cls = c < 0x80 ? DISPATCH[c] : C_LETTER;
      if (cls == C_LETTER) {
        // inlined here, not a method of its own: the lexer's hottest loop
        i++;
        long h = 0;
        long packed = c < 0x80 ? Keywords.LOWER[c] : 0;
        boolean special = c >= 0x80;
        while (i < n) {
          char d = s[i];
          int part;
          if (d >= 0x80) {
            special = true;
            part = 0;
          } else if ((part = WORD_PART[d]) == 0) {
            // E'..', N'..', B'..', X'..', U&'..', U&"..": looked for only where a one-letter word ends
            special |= i - start == 1 && (d == '\'' || d == '&');
            break;
          }
          if (((i - start) & 7) == 0) {
            h = Keywords.mix(h, packed);
            packed = 0;
          }
          packed = packed << 8 | part;
          i++;
        }
        if (special) {
          i = wideOrPrefixed(s, n, start, i, out);
          truncated |= i < 0;
          i = i < 0 ? n : i;
        } else {
          h = Keywords.finish(h, packed, i - start);
          out.word(start, i, Keywords.lookup(s, start, i, h, packed), h);
        }
        continue;
      }
      // one jump per token on the character's class, not a chain of tests; then one call for every kind but a
      // word, so that the compiler inlines the receiver once (it stops inlining into a method past a size budget)
      int kind;
      switch (cls) {
        case C_SPACE -> {
          i++;
          continue;
        }
        case C_OPEN -> {
          kind = c == '(' ? Tokens.LPAREN : Tokens.LBRACK;
          i++;
        }
        case C_CLOSE -> {
          kind = c == ')' ? Tokens.RPAREN : Tokens.RBRACK;
          i++;
        }
        case C_COMMA -> {
          kind = Tokens.COMMA;
          i++;
        }
        case C_SEMI -> {
          kind = Tokens.SEMI;
          i++;
        }
        case C_QUOTE -> {
          i = string(s, n, i + 1, false);
          truncated |= i < 0;
          i = i < 0 ? n : i;
          kind = Tokens.STRING;
        }
        case C_DIGIT -> {
          i = number(s, n, i);
          kind = Tokens.NUMBER;
        }
        case C_DOT -> {
          if (i + 1 < n && isDigit(s[i + 1])) {
            i = number(s, n, i);
            kind = Tokens.NUMBER;
          } else {
            i++;
            kind = Tokens.DOT;
          }
        }
        case C_MINUS, C_SLASH -> {
          char second = c == '-' ? '-' : '*';
          if (i + 1 < n && s[i + 1] == second) {
            if (c == '-') {
              i += 2;
              while (i < n && s[i] != '\n' && s[i] != '\r') {
                i++;
              }
            } else {
              i = blockComment(s, n, i);
              if (i < 0) {
                i = n;
                truncated = true;
              }
            }
            kind = Tokens.COMMENT;
          } else {
            i = operator(s, n, i, jdbc);
            kind = Tokens.OP;
          }
        }
        case C_QUESTION, C_OP -> {
          if (c == '?' && jdbc && (i + 1 >= n || s[i + 1] != '?')) {
            i++;
            kind = Tokens.PARAM;
          } else {
            i = operator(s, n, i, jdbc);
            kind = Tokens.OP;
          }
        }
        case C_DQUOTE -> {
          int e = quotedIdent(s, n, i + 1);
          if (e < 0) {
            truncated = true;
            kind = Tokens.STRING;
            i = n;
          } else {
            kind = Tokens.QIDENT;
            i = e;
          }
        }
        case C_DOLLAR -> {
          if (i + 1 < n && isDigit(s[i + 1])) {
            i += 2;
            // glued letters are swallowed, as for numbers: fail closed
            while (i < n && isIdentPart(s[i])) {
              i++;
            }
            kind = Tokens.PARAM;
          } else {
            int tagEnd = dollarTag(s, n, i);
            if (tagEnd > 0) {
              int e = dollarBody(s, n, i, tagEnd);
              truncated |= e < 0;
              i = e < 0 ? n : e;
              kind = Tokens.STRING;
            } else {
              i++;
              kind = Tokens.OTHER;
            }
          }
        }
        case C_COLON -> {
          i++;
          char next = i < n ? s[i] : 0;
          if (next == ':') {
            i++;
            kind = Tokens.CAST;
          } else if (next == '=') {
            i++;
            kind = Tokens.OP;
          } else {
            kind = Tokens.COLON;
          }
        }
        case C_LBRACE -> {
          if (jdbc) {
            int e = jdbcEscape(s, n, i, out);
            if (e > 0) {
              escapeDepth++;
              i = e;
            } else {
              // a brace that opens no escape is dropped: printed back it could open one
              i++;
            }
            continue;
          }
          i++;
          kind = Tokens.OTHER;
        }
        case C_RBRACE -> {
          i++;
          if (jdbc && escapeDepth > 0) {
            escapeDepth--;
            continue;
          }
          kind = Tokens.OTHER;
        }
        default -> {
          i++;
          kind = Tokens.OTHER;
        }
      }
      out.token(kind, start, i);
    }
    return truncated;
  }

  /**
   * A string or quoted name with a prefix ({@code E'..'}, {@code N'..'}, {@code B'..'}, {@code X'..'},
   * {@code U&'..'}, {@code U&"..."}), where {@link #opensLiteral} said one starts at {@code i}.
   *
   * @return the index after the token, or -1 if it ran to the end unterminated (a token was added)
   */
  private static int prefixed(char[] s, int n, int i, Sink out) {
    final int start = i;
    char lc = Keywords.lower(s[i]);
    if (lc != 'u') {
      i = string(s, n, i + 2, lc == 'e');
      out.token(Tokens.STRING, start, i < 0 ? n : i);
      return i;
    }
    if (s[i + 2] == '\'') {
      i = string(s, n, i + 3, false);
      if (i >= 0) {
        i = uescape(s, n, i);
      }
      out.token(Tokens.STRING, start, i < 0 ? n : i);
      return i;
    }
    int e = quotedIdent(s, n, i + 3);
    if (e < 0) {
      out.token(Tokens.STRING, start, n);
      return -1;
    }
    e = uescape(s, n, e);
    if (e < 0) {
      out.token(Tokens.STRING, start, n);
    } else {
      out.token(Tokens.QIDENT, start, e);
    }
    return e;
  }

  /**
   * The end of a word the letter loop left: one with a character beyond ASCII, or a one-letter word before a quote
   * or {@code &}, which may prefix a string or quoted name ({@link #opensLiteral}).
   *
   * @return the index after the token, or -1 if a literal ran to the end unterminated
   */
  private static int wideOrPrefixed(char[] s, int n, int start, int i, Sink out) {
    if (opensLiteral(s, n, start)) {
      return prefixed(s, n, start, out);
    }
    long h = Keywords.hash(s, start, i);
    out.word(start, i, Keywords.lookup(s, start, i, h), h);
    return i;
  }

  /** Whether the letter at {@code i} prefixes a string or quoted name rather than starting a word. */
  private static boolean opensLiteral(char[] s, int n, int i) {
    char next = i + 1 < n ? s[i + 1] : 0;
    if (next == '\'') {
      char lc = Keywords.lower(s[i]);
      return lc == 'e' || lc == 'n' || lc == 'b' || lc == 'x';
    }
    return (s[i] == 'u' || s[i] == 'U') && next == '&' && i + 2 < n && (s[i + 2] == '\'' || s[i + 2] == '"');
  }

  static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isIdentStart(char c) {
    return c >= 0x80 || (CLASSES[c] & IDENT_START) != 0;
  }

  static boolean isIdentPart(char c) {
    return c >= 0x80 || (CLASSES[c] & IDENT_PART) != 0;
  }

  static boolean isOpChar(char c) {
    return c < 0x80 && (CLASSES[c] & OP_CHAR) != 0;
  }

  /** Characters whose presence lets an operator end in {@code +} or {@code -}. */
  private static boolean isSpecialOpChar(char c) {
    return switch (c) {
      case '~', '!', '@', '#', '%', '^', '&', '|', '`', '?' -> true;
      default -> false;
    };
  }

  /** @return the index after the comment, or -1 if it never closes */
  private static int blockComment(char[] s, int n, int i) {
    int depth = 0;
    while (i < n) {
      char c = s[i];
      if (c == '/' && i + 1 < n && s[i + 1] == '*') {
        depth++;
        i += 2;
      } else if (c == '*' && i + 1 < n && s[i + 1] == '/') {
        depth--;
        i += 2;
        if (depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return -1;
  }

  /**
   * Scans string content from {@code i} (just after the opening quote), including constants
   * continued on a following line.
   *
   * @return the index after the closing quote, or -1 if unterminated
   */
  private static int string(char[] s, int n, int i, boolean backslashEscapes) {
    while (i < n) {
      char c = s[i];
      if (c == '\\' && backslashEscapes) {
        i += 2;
      } else if (c == '\'') {
        if (i + 1 < n && s[i + 1] == '\'') {
          i += 2;
        } else {
          int k = continuation(s, n, i + 1);
          if (k < 0) {
            return i + 1;
          }
          i = k;
        }
      } else {
        i++;
      }
    }
    return -1;
  }

  /** The index after the quote that continues a string, if whitespace with a newline leads to one. */
  private static int continuation(char[] s, int n, int i) {
    boolean newline = false;
    while (i < n && isSpace(s[i])) {
      newline |= s[i] == '\n' || s[i] == '\r';
      i++;
    }
    return newline && i < n && s[i] == '\'' ? i + 1 : -1;
  }

  /** Extends a {@code U&} token over an optional {@code UESCAPE 'c'}; -1 if that string is unterminated. */
  private static int uescape(char[] s, int n, int i) {
    int j = i;
    while (j < n && isSpace(s[j])) {
      j++;
    }
    if (j + 7 > n || Keywords.lookup(new String(s, j, 7), 0, 7) != UESCAPE
        || (j + 7 < n && isIdentPart(s[j + 7]))) {
      return i;
    }
    j += 7;
    while (j < n && isSpace(s[j])) {
      j++;
    }
    if (j < n && s[j] == '\'') {
      return string(s, n, j + 1, false);
    }
    return i;
  }

  /** @return the index after the closing double quote, or -1 if unterminated */
  private static int quotedIdent(char[] s, int n, int i) {
    while (i < n) {
      if (s[i] == '"') {
        if (i + 1 < n && s[i + 1] == '"') {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return -1;
  }

  private static int number(char[] s, int n, int i) {
    while (i < n && (isDigit(s[i]) || s[i] == '_')) {
      i++;
    }
    if (i < n && s[i] == '.' && !(i + 1 < n && s[i + 1] == '.')) {
      i++;
      while (i < n && (isDigit(s[i]) || s[i] == '_')) {
        i++;
      }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
      int j = i + 1;
      if (j < n && (s[j] == '+' || s[j] == '-')) {
        j++;
      }
      if (j < n && isDigit(s[j])) {
        i = j;
        while (i < n && isDigit(s[i])) {
          i++;
        }
      }
    }
    // 0x1F, 0o17, 0b1010, and junk like 123abc: all one (redacted) number. Only a letter
    // starts junk: 42$$x$$ is a number and a dollar quote, as PostgreSQL reads it
    if (i < n && isIdentStart(s[i])) {
      while (i < n && isIdentPart(s[i])) {
        i++;
      }
    }
    return i;
  }

  /** If a dollar-quote opening tag starts at {@code i}, the index after it; else -1. */
  private static int dollarTag(char[] s, int n, int i) {
    int j = i + 1;
    if (j < n && s[j] == '$') {
      return j + 1;
    }
    if (j >= n || !isIdentStart(s[j])) {
      return -1;
    }
    j++;
    while (j < n) {
      char c = s[j];
      if (c == '$') {
        return j + 1;
      }
      if (!isIdentStart(c) && !isDigit(c)) {
        return -1;
      }
      j++;
    }
    return -1;
  }

  /** @return the index after the closing tag, or -1 if it never appears */
  private static int dollarBody(char[] s, int n, int tagStart, int tagEnd) {
    final int tagLen = tagEnd - tagStart;
    int i = tagEnd;
    while (i < n) {
      if (s[i] == '$' && n - i >= tagLen && Arrays.equals(s, i, i + tagLen, s, tagStart, tagEnd)) {
        return i + tagLen;
      }
      i++;
    }
    return -1;
  }

  private static int operator(char[] s, int n, int i, boolean jdbc) {
    final int start = i;
    boolean special = false;
    while (i < n) {
      char c = s[i];
      if (!isOpChar(c)) {
        break;
      }
      if (i > start && i + 1 < n && ((c == '-' && s[i + 1] == '-') || (c == '/' && s[i + 1] == '*'))) {
        break;
      }
      if (c == '?' && jdbc) {
        if (i + 1 < n && s[i + 1] == '?') {
          special = true;
          i += 2;
          continue;
        }
        break;
      }
      special |= isSpecialOpChar(c);
      i++;
    }
    if (!special) {
      while (i - start > 1 && (s[i - 1] == '+' || s[i - 1] == '-')) {
        i--;
      }
    }
    return i;
  }

  /**
   * Unwraps a JDBC escape opening at {@code i}. Words the driver turns into SQL (call, escape,
   * limit) are emitted as words; the rest ({@code fn}, {@code d}, {@code t}, {@code ts},
   * {@code oj}) vanish.
   *
   * @return the index after the escape's keyword, or -1 if this brace is not an escape
   */
  private static int jdbcEscape(char[] s, int n, int i, Sink out) {
    int j = skipSpace(s, n, i + 1);
    if (j < n && s[j] == '?') {
      // {? = call f(?)}: the result parameter is the driver's business, not the query's
      j = skipSpace(s, n, j + 1);
      if (j >= n || s[j] != '=') {
        return -1;
      }
      j = skipSpace(s, n, j + 1);
    }
    int w = j;
    while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z'))) {
      j++;
    }
    if (j == w || j - w > 6 || (j < n && isIdentPart(s[j]))) {
      return -1;
    }
    String word = new String(s, w, j - w).toLowerCase(java.util.Locale.ROOT);
    switch (word) {
      case "call", "escape", "limit" -> out.word(w, j, Keywords.lookup(word, 0, word.length()),
          Keywords.hash(s, w, j));
      case "fn", "d", "t", "ts", "oj" -> {
        // unwrapped to their content
      }
      default -> {
        return -1;
      }
    }
    return j;
  }

  private static int skipSpace(char[] s, int n, int i) {
    while (i < n && isSpace(s[i])) {
      i++;
    }
    return i;
  }
}
