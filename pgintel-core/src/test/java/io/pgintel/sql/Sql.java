package io.pgintel.sql;

/** Test helper: a {@code J:} prefix marks JDBC text, anything else is server text. */
final class Sql {

  private Sql() {
  }

  static NormalizedQuery analyze(String input) {
    return input.startsWith("J:")
        ? SqlEngine.analyzeUncached(input.substring(2), true)
        : SqlEngine.analyzeUncached(input, false);
  }

  static boolean isJdbc(String input) {
    return input.startsWith("J:");
  }

  /** Normalized text in the same notation as the input (so it can be analysed again). */
  static String normalizeAgain(String input) {
    String text = analyze(input).text();
    return isJdbc(input) ? "J:" + text : text;
  }
}
