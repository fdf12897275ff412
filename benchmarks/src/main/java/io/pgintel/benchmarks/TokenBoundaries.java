package io.pgintel.benchmarks;

/**
 * The least any SQL engine must do with a statement: read it and find where its tokens begin and end (words,
 * numbers, quoted strings, one-character symbols), hashing the words' characters, nothing classified, looked up,
 * printed or kept. Not a lexer for PostgreSQL (no comments, escapes, dollar quotes or operators of two
 * characters): a floor. {@link SqlEngineRatioBenchmark} runs it beside the engine, so that the time left for the
 * rest of the work at a given ratio can be read off one run.
 */
final class TokenBoundaries {

  private static final byte WORD = 1;
  private static final byte DIGIT = 2;
  private static final byte SPACE = 3;
  private static final byte QUOTE = 4;
  private static final byte SYMBOL = 5;
  private static final byte[] CLASSES = new byte[256];

  static {
    for (int c = 0; c < 256; c++) {
      boolean word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
      CLASSES[c] = word ? WORD : c >= '0' && c <= '9' ? DIGIT : c == ' ' ? SPACE : c == '\'' ? QUOTE : SYMBOL;
    }
  }

  private byte[] bytes = new byte[512];

  /** Token count plus the words' hash, so that none of the work is dead. */
  @SuppressWarnings("deprecation") // the low byte of each character: the cheapest read; the corpus is ASCII
  long scan(String s) {
    int n = s.length();
    if (bytes.length < n) {
      bytes = new byte[n * 2];
    }
    s.getBytes(0, n, bytes, 0);
    byte[] b = bytes;
    long h = 0;
    int tokens = 0;
    int i = 0;
    while (i < n) {
      switch (CLASSES[b[i++] & 0xFF]) {
        case WORD -> {
          while (i < n && CLASSES[b[i] & 0xFF] <= DIGIT) {
            h = h * 31 + b[i++];
          }
          tokens++;
        }
        case DIGIT -> {
          while (i < n && CLASSES[b[i] & 0xFF] == DIGIT) {
            i++;
          }
          tokens++;
        }
        case QUOTE -> {
          while (i < n && b[i] != '\'') {
            i++;
          }
          i++;
          tokens++;
        }
        case SPACE -> {
        }
        default -> tokens++;
      }
    }
    return h + tokens;
  }
}
