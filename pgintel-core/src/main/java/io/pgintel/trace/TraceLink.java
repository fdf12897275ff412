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

  /** A W3C {@code traceparent} ({@code 00-<trace>-<span>-<flags>}) found anywhere in text, e.g. application_name. */
  public static TraceLink fromTraceparent(String text) {
    if (text == null || text.length() < 55) {
      return null;
    }
    int i = text.indexOf("00-");
    while (i >= 0 && i + 55 <= text.length()) {
      if (text.charAt(i + 35) == '-' && text.charAt(i + 52) == '-' && hex(text, i + 3, 32) && hex(text, i + 36, 16)
          && hex(text, i + 53, 2)) {
        String trace = text.substring(i + 3, i + 35);
        String span = text.substring(i + 36, i + 52);
        if (!trace.equals("0".repeat(32)) && !span.equals("0".repeat(16))) {
          return new TraceLink(trace, span, null, null);
        }
      }
      i = text.indexOf("00-", i + 1);
    }
    return null;
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
