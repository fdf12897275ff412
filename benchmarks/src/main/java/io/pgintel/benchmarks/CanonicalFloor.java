package io.pgintel.benchmarks;

import java.nio.charset.StandardCharsets;

/**
 * A second floor, above {@link TokenBoundaries}: what any engine that prints a statement's canonical text and
 * hashes its tokens must do at the least, with none of the SQL engine's rules. Each word is looked up in a table
 * of keywords and printed upper case if it is one, lower case if not; each number and quoted string prints as
 * {@code $n}; symbols and runs of operator characters print as they are; one space between tokens except after
 * {@code (} and {@code .} and before {@code , ) .}; {@code --} comments are dropped; every token is mixed into a
 * 64-bit hash; the result is the text as a {@code String} and the hash as 16 hex digits, as the engine's result
 * has them. Not a PostgreSQL lexer and not a normalizer (no lists, typed literals, signs, positions, SET values,
 * escapes, dollar quotes, block comments): the work of classifying tokens by PostgreSQL's rules is left out, so
 * that what is left is a lower bound on any engine's time.
 */
final class CanonicalFloor {

  private static final byte WORD = 1;
  private static final byte DIGIT = 2;
  private static final byte SPACE = 3;
  private static final byte QUOTE = 4;
  private static final byte OPERATOR = 5;
  private static final byte SYMBOL = 6;
  private static final byte MINUS = 7;
  private static final byte[] CLASSES = new byte[256];
  private static final byte[] LOWER = new byte[256];
  private static final long MIX = 0x9E3779B97F4A7C15L;
  private static final int SLOTS = 512;
  private static final long[] KEY_LOW = new long[SLOTS];
  private static final long[] KEY_HIGH = new long[SLOTS];
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
  private static final String[] KEYWORDS = {"select", "from", "where", "and", "or", "not", "null", "is", "in",
      "insert", "into", "values", "update", "set", "delete", "returning", "order", "by", "group", "having", "limit",
      "offset", "asc", "desc", "join", "left", "right", "inner", "outer", "on", "as", "with", "distinct", "union",
      "all", "exists", "between", "like", "ilike", "case", "when", "then", "else", "end", "count", "sum", "avg",
      "min", "max", "coalesce", "now", "true", "false", "for", "share", "nowait", "skip", "locked", "conflict", "do",
      "nothing", "lateral", "over", "partition", "window", "any", "array", "cast", "extract", "interval", "date",
      "timestamp", "text", "integer", "bigint", "numeric", "boolean", "varchar", "fetch", "first", "next", "rows",
      "only", "using", "natural", "cross", "full", "except", "intersect", "recursive", "materialized", "nulls",
      "last", "begin", "commit", "rollback", "savepoint", "release", "explain", "analyze", "create", "table",
      "index", "drop", "alter", "column", "primary", "key", "references", "default", "constraint", "unique", "check",
      "grant", "revoke", "to", "vacuum", "copy", "truncate", "some", "similar", "escape", "filter", "within",
      "ordinality", "unnest", "jsonb", "json", "uuid", "real", "double", "precision", "char", "character", "varying",
      "time", "zone", "current_timestamp", "current_date", "current_user", "session_user", "user", "collate"};

  static {
    for (int c = 0; c < 256; c++) {
      boolean word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
      CLASSES[c] = word ? WORD : c >= '0' && c <= '9' ? DIGIT : c == ' ' || c == '\n' || c == '\t' ? SPACE
          : c == '\'' ? QUOTE : c == '-' ? MINUS : "+*/<>=~!@#%^&|`?:".indexOf(c) >= 0 ? OPERATOR : SYMBOL;
      LOWER[c] = (byte) (c >= 'A' && c <= 'Z' ? c | 0x20 : c);
    }
    for (String k : KEYWORDS) {
      byte[] b = k.getBytes(StandardCharsets.ISO_8859_1);
      long low = 0;
      long high = 0;
      for (int i = 0; i < b.length; i++) {
        if (i < 8) {
          low = low << 8 | b[i];
        } else {
          high = high << 8 | b[i];
        }
      }
      int slot = slot(low, high, b.length);
      while (KEY_LOW[slot] != 0) {
        slot = (slot + 1) & (SLOTS - 1);
      }
      KEY_LOW[slot] = low;
      KEY_HIGH[slot] = high ^ b.length;
    }
  }

  private byte[] in = new byte[512];
  private byte[] out = new byte[1024];

  private static int slot(long low, long high, int length) {
    return (int) (((low ^ high * 31 ^ length) * MIX) >>> 55) & (SLOTS - 1);
  }

  /** The canonical text and the hash as hex, as the engine's result carries them. */
  @SuppressWarnings("deprecation") // the low byte of each character: the cheapest read; the corpus is ASCII
  Result print(String s) {
    int n = s.length();
    if (in.length < n) {
      in = new byte[n * 2];
      out = new byte[n * 4 + 64];
    }
    s.getBytes(0, n, in, 0);
    final byte[] b = in;
    final byte[] o = out;
    int len = 0;
    long h = 0;
    int param = 0;
    boolean glue = true;
    int i = 0;
    while (i < n) {
      int start = i;
      byte cls = CLASSES[b[i++] & 0xFF];
      if (cls == SPACE) {
        continue;
      }
      if (cls == MINUS && i < n && b[i] == '-') {
        while (i < n && b[i] != '\n') {
          i++;
        }
        continue;
      }
      byte c0 = b[start];
      boolean tight = c0 == ',' || c0 == ')' || c0 == '.';
      if (!glue && !tight) {
        o[len++] = ' ';
      }
      glue = c0 == '(' || c0 == '.';
      switch (cls) {
        case WORD -> {
          // printed lower case while read; a keyword's letters are raised afterwards
          int printed = len;
          byte first = LOWER[c0 & 0xFF];
          o[len++] = first;
          long low = first;
          long high = 0;
          while (i < n && CLASSES[b[i] & 0xFF] <= DIGIT) {
            byte c = LOWER[b[i] & 0xFF];
            o[len++] = c;
            if (i - start < 8) {
              low = low << 8 | c;
            } else {
              high = high << 8 | c;
            }
            i++;
          }
          int length = i - start;
          int slot = slot(low, high, length);
          boolean keyword = false;
          long k;
          while ((k = KEY_LOW[slot]) != 0) {
            if (k == low && KEY_HIGH[slot] == (high ^ length)) {
              keyword = true;
              break;
            }
            slot = (slot + 1) & (SLOTS - 1);
          }
          if (keyword) {
            for (int j = printed; j < len; j++) {
              o[j] &= ~0x20;
            }
          }
          h = (h ^ (low * 31 + high + (keyword ? 1 : 2))) * MIX;
        }
        case DIGIT, QUOTE -> {
          if (cls == DIGIT) {
            while (i < n && (CLASSES[b[i] & 0xFF] == DIGIT || b[i] == '.')) {
              i++;
            }
          } else {
            while (i < n && b[i] != '\'') {
              i++;
            }
            i++;
          }
          o[len++] = '$';
          len = putInt(o, len, ++param);
          h = (h ^ 3) * MIX;
        }
        case OPERATOR, MINUS -> {
          long v = c0;
          o[len++] = c0;
          while (i < n && CLASSES[b[i] & 0xFF] >= OPERATOR && CLASSES[b[i] & 0xFF] != SYMBOL) {
            v = v << 8 | b[i];
            o[len++] = b[i++];
          }
          h = (h ^ (v + 4)) * MIX;
        }
        default -> {
          o[len++] = c0;
          h = (h ^ (c0 + 5)) * MIX;
        }
      }
    }
    return new Result(hex(h ^ h >>> 33), new String(o, 0, len, StandardCharsets.ISO_8859_1));
  }

  private static int putInt(byte[] o, int len, int v) {
    int digits = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : Integer.toString(v).length();
    for (int p = len + digits - 1; p >= len; p--) {
      o[p] = (byte) ('0' + v % 10);
      v /= 10;
    }
    return len + digits;
  }

  private static String hex(long h) {
    byte[] c = new byte[16];
    for (int i = 15; i >= 0; i--) {
      c[i] = HEX[(int) h & 0xF];
      h >>>= 4;
    }
    return new String(c, StandardCharsets.ISO_8859_1);
  }

  /** What the floor makes of a statement: the engine's result's two strings. */
  record Result(String fingerprint, String text) {
  }
}
