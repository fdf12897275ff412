package io.pgintel.trace;

import java.nio.charset.StandardCharsets;

/**
 * The application span (and line of code) a database session was serving: what links a sample of
 * {@code pg_stat_activity} to the application's trace.
 *
 * @param traceId 32 lower-case hex digits, or null when the statement ran outside any span (the line of code is
 *     then all there is)
 * @param spanId 16 lower-case hex digits, or null with {@code traceId}
 * @param code the application's line of code ({@link CallSite}), or null when not known
 */
public record TraceLink(String traceId, String spanId, CallSite code) {

  /** Characters of a {@code traceparent}. */
  private static final int TRACEPARENT_LENGTH = 55;
  /** The bytes PostgreSQL keeps of an application_name (NAMEDATALEN - 1). */
  private static final int APPLICATION_NAME_BYTES = 63;

  /** Method name of the first frame outside JDBC, pool and framework code, or null. */
  public String codeFunction() {
    return code == null ? null : code.function();
  }

  /** Class of that frame, or null. */
  public String codeNamespace() {
    return code == null ? null : code.namespace();
  }

  /** A W3C {@code traceparent} ({@code 00-<trace>-<span>-<flags>}) found anywhere in text, e.g. application_name. */
  public static TraceLink fromTraceparent(String text) {
    int i = traceparentAt(text, 0);
    return i < 0 ? null : new TraceLink(text.substring(i + 3, i + 35), text.substring(i + 36, i + 52), null);
  }

  /**
   * The text without the {@code traceparent}s in it, the pieces around them joined by one space: an
   * application_name that carries one per request names the same application in every session.
   */
  public static String withoutTraceparent(String text) {
    if (text == null) {
      return null;
    }
    int i = traceparentAt(text, 0);
    int cut = cutTraceparentAt(text);
    if (i < 0 && cut < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int from = 0;
    for (; i >= 0; i = traceparentAt(text, from)) {
      join(out, text.substring(from, i));
      from = i + TRACEPARENT_LENGTH;
    }
    cut = cutTraceparentAt(text.substring(from));
    join(out, cut < 0 ? text.substring(from) : text.substring(from, from + cut));
    return out.toString();
  }

  /**
   * Where a traceparent that the text's end cut short starts, or -1: PostgreSQL keeps 63 bytes of
   * application_name, so a name and a traceparent longer than that lose the traceparent's end and with it what
   * makes it one. A text of 62 or 63 bytes was cut there: {@code 00-} and one hex digit after a word is enough;
   * a shorter text needs 16 digits of a trace id.
   */
  private static int cutTraceparentAt(String text) {
    int i = text.lastIndexOf("00-");
    if (i < 0) {
      return -1;
    }
    int least = text.length() >= APPLICATION_NAME_BYTES / 3
        && text.getBytes(StandardCharsets.UTF_8).length >= APPLICATION_NAME_BYTES - 1 ? 1 : 16;
    while (i >= 0) {
      if ((i == 0 || !isHex(text.charAt(i - 1))) && cutTraceparent(text, i + 3, least)) {
        return i;
      }
      i = i == 0 ? -1 : text.lastIndexOf("00-", i - 1);
    }
    return -1;
  }

  /** Whether from {@code at} to the end is the rest of a traceparent cut short: some hex digits, and so on. */
  private static boolean cutTraceparent(String text, int at, int least) {
    int n = text.length() - at;
    if (n < least) {
      return false;
    }
    for (int k = 0; k < n; k++) {
      char c = text.charAt(at + k);
      boolean dash = k == 32 || k == 49;
      if (dash ? c != '-' : !isHex(c)) {
        return false;
      }
    }
    return n < 52;
  }

  private static boolean isHex(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
  }

  /** Appends a piece, trimmed, one space after what is there. */
  private static void join(StringBuilder out, String piece) {
    String p = piece.strip();
    if (!p.isEmpty()) {
      out.append(out.isEmpty() ? "" : " ").append(p);
    }
  }

  /** Where the first valid traceparent at or after {@code from} starts, or -1. */
  private static int traceparentAt(String text, int from) {
    if (text == null || text.length() - from < TRACEPARENT_LENGTH) {
      return -1;
    }
    int i = text.indexOf("00-", from);
    while (i >= 0 && i + TRACEPARENT_LENGTH <= text.length()) {
      if (text.charAt(i + 35) == '-' && text.charAt(i + 52) == '-' && hex(text, i + 3, 32) && hex(text, i + 36, 16)
          && hex(text, i + 53, 2) && !zeros(text, i + 3, 32) && !zeros(text, i + 36, 16)) {
        return i;
      }
      i = text.indexOf("00-", i + 1);
    }
    return -1;
  }

  private static boolean zeros(String s, int from, int n) {
    for (int k = from; k < from + n; k++) {
      if (s.charAt(k) != '0') {
        return false;
      }
    }
    return true;
  }

  private static boolean hex(String s, int from, int n) {
    for (int k = from; k < from + n; k++) {
      char c = s.charAt(k);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }
}
