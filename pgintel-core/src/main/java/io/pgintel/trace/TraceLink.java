package io.pgintel.trace;

/**
 * The application span (and line of code) a database session was serving: what links a sample of
 * {@code pg_stat_activity} to the application's trace.
 *
 * @param traceId 32 lower-case hex digits, or null when the statement ran outside any span (the line of code is
 *     then all there is)
 * @param spanId 16 lower-case hex digits, or null with {@code traceId}
 * @param codeFunction method name of the first frame outside JDBC, pool and framework code, or null
 * @param codeNamespace class of that frame, or null
 */
public record TraceLink(String traceId, String spanId, String codeFunction, String codeNamespace) {

  /** Characters of a {@code traceparent}. */
  private static final int TRACEPARENT_LENGTH = 55;

  /** A W3C {@code traceparent} ({@code 00-<trace>-<span>-<flags>}) found anywhere in text, e.g. application_name. */
  public static TraceLink fromTraceparent(String text) {
    int i = traceparentAt(text, 0);
    return i < 0 ? null : new TraceLink(text.substring(i + 3, i + 35), text.substring(i + 36, i + 52), null, null);
  }

  /**
   * The text without the {@code traceparent}s in it, the pieces around them joined by one space: an
   * application_name that carries one per request names the same application in every session.
   */
  public static String withoutTraceparent(String text) {
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
   * Where a traceparent that the text's end cut short starts ({@code 00-} and at least 16 hex digits of its trace
   * id, then what is left of it), or -1: PostgreSQL keeps 63 bytes of application_name, so a name and a
   * traceparent longer than that lose the traceparent's end and with it what makes it one.
   */
  private static int cutTraceparentAt(String text) {
    int i = text.lastIndexOf("00-");
    while (i >= 0) {
      if ((i == 0 || !isHex(text.charAt(i - 1))) && cutTraceparent(text, i + 3)) {
        return i;
      }
      i = text.lastIndexOf("00-", i - 1);
    }
    return -1;
  }

  /** Whether from {@code at} to the end is the rest of a traceparent cut short: 16 to 32 hex digits, and so on. */
  private static boolean cutTraceparent(String text, int at) {
    int n = text.length() - at;
    if (n < 16) {
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
