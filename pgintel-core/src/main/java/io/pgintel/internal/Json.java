package io.pgintel.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for pgintel (the agent's command line, {@code EXPLAIN (FORMAT JSON)} plans): parses one value
 * (objects, arrays, strings, numbers as {@link Double}, booleans, null) and writes strings, numbers, lists and maps.
 * Error messages give a position, never the input text: a statement or plan that fails to parse may hold secrets.
 * Not for public use: it may change in any release.
 */
public final class Json {

  private final String s;
  private int i;

  private Json(String s) {
    this.s = s;
  }

  /** Parses a complete JSON text. */
  public static Object parse(String text) {
    Json p = new Json(text);
    p.skipSpace();
    Object v = p.value(0);
    p.skipSpace();
    if (p.i != text.length()) {
      throw p.error("unexpected content after the value");
    }
    return v;
  }

  private Object value(int depth) {
    if (depth > 64) {
      throw error("nested too deeply");
    }
    if (i >= s.length()) {
      throw error("unexpected end");
    }
    char c = s.charAt(i);
    return switch (c) {
      case '"' -> string();
      case '{' -> object(depth);
      case '[' -> array(depth);
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error("unexpected character");
      }
    };
  }

  private Map<String, Object> object(int depth) {
    Map<String, Object> map = new LinkedHashMap<>();
    i++;
    skipSpace();
    if (peek() == '}') {
      i++;
      return map;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw error("expected a key");
      }
      String key = string();
      skipSpace();
      expect(':');
      skipSpace();
      map.put(key, value(depth + 1));
      skipSpace();
      char c = next();
      if (c == '}') {
        return map;
      }
      if (c != ',') {
        throw error("expected , or }");
      }
    }
  }

  private List<Object> array(int depth) {
    List<Object> list = new ArrayList<>();
    i++;
    skipSpace();
    if (peek() == ']') {
      i++;
      return list;
    }
    while (true) {
      skipSpace();
      list.add(value(depth + 1));
      skipSpace();
      char c = next();
      if (c == ']') {
        return list;
      }
      if (c != ',') {
        throw error("expected , or ]");
      }
    }
  }

  private String string() {
    i++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        throw error("control character in a string");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (i + 4 > s.length()) {
            throw error("short \\u escape");
          }
          try {
            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          } catch (NumberFormatException ex) {
            throw error("bad \\u escape");
          }
          i += 4;
        }
        default -> throw error("bad escape");
      }
    }
  }

  private Object number() {
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    try {
      return Double.parseDouble(s.substring(start, i));
    } catch (NumberFormatException e) {
      throw error("bad number");
    }
  }

  private Object literal(String word, Object value) {
    if (!s.startsWith(word, i)) {
      throw error("unexpected word");
    }
    i += word.length();
    return value;
  }

  private void expect(char c) {
    if (next() != c) {
      throw error("expected " + c);
    }
  }

  private char peek() {
    return i < s.length() ? s.charAt(i) : '\0';
  }

  private char next() {
    if (i >= s.length()) {
      throw error("unexpected end");
    }
    return s.charAt(i++);
  }

  private void skipSpace() {
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\r'
        || s.charAt(i) == '\n')) {
      i++;
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at character " + (i + 1));
  }

  /** Writes a string, boolean, number, null, list or map as JSON. */
  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(value, sb);
    return sb.toString();
  }

  private static void write(Object v, StringBuilder sb) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String str) {
      quote(str, sb);
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
      sb.append(v);
    } else if (v instanceof Double d && Double.isFinite(d)) {
      // whole numbers as PostgreSQL writes them (plan row counts, widths), others as Java prints them
      sb.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString());
    } else if (v instanceof Map<?, ?> map) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        quote(String.valueOf(e.getKey()), sb);
        sb.append(": ");
        write(e.getValue(), sb);
      }
      sb.append('}');
    } else if (v instanceof List<?> list) {
      sb.append('[');
      for (int k = 0; k < list.size(); k++) {
        if (k > 0) {
          sb.append(", ");
        }
        write(list.get(k), sb);
      }
      sb.append(']');
    } else {
      quote(v.toString(), sb);
    }
  }

  private static void quote(String str, StringBuilder sb) {
    sb.append('"');
    for (int k = 0; k < str.length(); k++) {
      char c = str.charAt(k);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || Character.isSurrogate(c) && !validSurrogate(str, k)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static boolean validSurrogate(String str, int k) {
    char c = str.charAt(k);
    if (Character.isHighSurrogate(c)) {
      return k + 1 < str.length() && Character.isLowSurrogate(str.charAt(k + 1));
    }
    return k > 0 && Character.isHighSurrogate(str.charAt(k - 1));
  }
}
