package io.pgintel.sql;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads sqlcommenter tags ({@code /*key='value',key2='value2'*}{@code /}) out of a comment.
 *
 * <p>All or nothing: a comment that is not entirely in that form yields no tags, so a stray
 * comment holding something else (a note, a secret) is never exported as metadata. Keys and
 * values are URL-decoded after the {@code \'} meta-escape is undone, as the format specifies.
 * Tags whose key names a credential ({@code password}, {@code api_key}, {@code auth_token}, ...)
 * are dropped: the comment travels with the statement and may carry what an application should
 * not have put there.
 */
final class SqlCommenter {

  private static final int MAX_TAGS = 32;
  private static final int MAX_VALUE = 1024;

  private SqlCommenter() {
  }

  static Map<String, String> parse(String s, int start, int end) {
    if (end - start < 4 || !s.startsWith("/*", start) || !s.startsWith("*/", end - 2)) {
      return Map.of();
    }
    int i = start + 2;
    int e = end - 2;
    while (i < e && Lexer.isSpace(s.charAt(i))) {
      i++;
    }
    while (e > i && Lexer.isSpace(s.charAt(e - 1))) {
      e--;
    }
    if (i == e) {
      return Map.of();
    }
    Map<String, String> tags = new LinkedHashMap<>();
    StringBuilder value = new StringBuilder();
    while (i < e) {
      int keyStart = i;
      while (i < e && isKeyChar(s.charAt(i))) {
        i++;
      }
      if (i == keyStart || i + 1 >= e || s.charAt(i) != '=' || s.charAt(i + 1) != '\'') {
        return Map.of();
      }
      String key = decode(s.substring(keyStart, i));
      i += 2;
      value.setLength(0);
      boolean closed = false;
      while (i < e) {
        char c = s.charAt(i);
        if (c == '\\' && i + 1 < e) {
          value.append(s.charAt(i + 1));
          i += 2;
        } else if (c == '\'') {
          i++;
          closed = true;
          break;
        } else {
          value.append(c);
          i++;
        }
      }
      if (!closed || value.length() > MAX_VALUE || tags.size() == MAX_TAGS) {
        return Map.of();
      }
      if (!isSensitive(key)) {
        tags.put(key, decode(value.toString()));
      }
      if (i < e) {
        if (s.charAt(i) != ',') {
          return Map.of();
        }
        i++;
      }
    }
    return Collections.unmodifiableMap(tags);
  }

  private static boolean isSensitive(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("pass") || k.contains("pwd") || k.contains("secret") || k.contains("token")
        || k.contains("auth") || k.contains("credential") || k.contains("key") || k.contains("cookie")
        || k.contains("session");
  }

  private static boolean isKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
        || c == '.' || c == '%';
  }

  /** Percent-decoding that never throws: a malformed escape stays as written. */
  static String decode(String v) {
    if (v.indexOf('%') < 0) {
      return v;
    }
    StringBuilder sb = new StringBuilder(v.length());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      int hi = c == '%' && i + 2 < v.length() ? Character.digit(v.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(v.charAt(i + 2), 16) : -1;
      if (hi >= 0 && lo >= 0) {
        bytes.write(hi * 16 + lo);
        i += 2;
      } else {
        flush(bytes, sb);
        sb.append(c);
      }
    }
    flush(bytes, sb);
    return sb.toString();
  }

  private static void flush(ByteArrayOutputStream bytes, StringBuilder sb) {
    if (bytes.size() > 0) {
      sb.append(bytes.toString(StandardCharsets.UTF_8));
      bytes.reset();
    }
  }
}
