package io.pgintel.sql;

import java.util.Arrays;

/**
 * A growable token list stored as parallel int arrays, reused per thread so that analysing a
 * statement allocates no token objects. A token is a kind plus a range of the source text; words
 * carry their keyword id. As a {@link Lexer.Sink} it collects the lexer's raw tokens
 * (tests read them); the normalizer fills one with canonical tokens.
 */
final class Tokens implements Lexer.Sink {

  // Kinds. Each distinct kind is fed to the fingerprint, so renumbering them changes every hash:
  // bump SqlEngine.ALGORITHM_VERSION when doing so.
  static final int WORD = 1;
  static final int QIDENT = 2;
  static final int STRING = 3;
  static final int NUMBER = 4;
  static final int PARAM = 5;
  static final int OP = 6;
  static final int LPAREN = 7;
  static final int RPAREN = 8;
  static final int LBRACK = 9;
  static final int RBRACK = 10;
  static final int COMMA = 11;
  static final int SEMI = 12;
  static final int DOT = 13;
  static final int COLON = 14;
  static final int CAST = 15;
  static final int COMMENT = 16;
  static final int OTHER = 17;
  /** Normalized only: any constant or bind parameter. */
  static final int CONST = 18;
  /** Normalized only: a list of constants. */
  static final int LIST = 19;

  int size;
  int[] kind;
  int[] start;
  int[] end;
  int[] kw;

  Tokens(int capacity) {
    kind = new int[capacity];
    start = new int[capacity];
    end = new int[capacity];
    kw = new int[capacity];
  }

  void clear() {
    size = 0;
  }

  void add(int k, int s, int e, int keyword) {
    if (size == kind.length) {
      grow();
    }
    kind[size] = k;
    start[size] = s;
    end[size] = e;
    kw[size] = keyword;
    size++;
  }

  @Override
  public void word(int s, int e, int keyword, long h) {
    add(WORD, s, e, keyword);
  }

  @Override
  public void token(int k, int s, int e) {
    add(k, s, e, -1);
  }

  /** Makes room for one more token, for writers that fill the arrays themselves. */
  void ensureRoom() {
    if (size == kind.length) {
      grow();
    }
  }

  private void grow() {
    int n = size * 2;
    kind = Arrays.copyOf(kind, n);
    start = Arrays.copyOf(start, n);
    end = Arrays.copyOf(end, n);
    kw = Arrays.copyOf(kw, n);
  }

  boolean isWord(int i, int keyword) {
    return i >= 0 && i < size && kind[i] == WORD && kw[i] == keyword;
  }

  /** Drops grown arrays so that one huge statement does not stay pinned to a thread. */
  void shrink() {
    kind = new int[256];
    start = new int[256];
    end = new int[256];
    kw = new int[256];
    size = 0;
  }

  int capacity() {
    return kind.length;
  }
}
