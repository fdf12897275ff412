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

  /** One to four single-character edits (delete, insert, replace with a character of {@code alphabet}). */
  static String mutate(java.util.Random random, String sql, String alphabet) {
    StringBuilder sb = new StringBuilder(sql);
    for (int m = 0, k = 1 + random.nextInt(4); m < k && sb.length() > 0; m++) {
      int at = random.nextInt(sb.length());
      char c = alphabet.charAt(random.nextInt(alphabet.length()));
      switch (random.nextInt(3)) {
        case 0 -> sb.deleteCharAt(at);
        case 1 -> sb.insert(at, c);
        default -> sb.setCharAt(at, c);
      }
    }
    return sb.toString();
  }
}
