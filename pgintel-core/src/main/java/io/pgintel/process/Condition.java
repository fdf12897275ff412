package io.pgintel.process;

import io.pgintel.collect.EventRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A sampling rule's condition over an event's fields, parsed from a small language of its own:
 *
 * <pre>
 * condition  := or
 * or         := and ( "or" and )*
 * and        := unary ( "and" unary )*
 * unary      := "not" unary | "(" or ")" | comparison | "true" | "false"
 * comparison := field op value          op: == != &gt; &gt;= &lt; &lt;=
 * value      := number | 'text' | "text" | WORD     WORD: a severity (WARN), true or false
 * </pre>
 *
 * Keywords are case-insensitive; field names are the event's ({@link EventRecord#field}). A comparison with a field
 * the event lacks is false, and so is one between a number and a text. Severities compare in their order
 * ({@code severity >= WARN}). No scripting engine, no method calls: a condition can only read fields.
 */
public final class Condition {

  private final String text;
  private final Node root;

  private Condition(String text, Node root) {
    this.text = text;
    this.root = root;
  }

  /**
   * Parses a condition.
   *
   * @param fields the field names a condition may use
   * @throws IllegalArgumentException with the 1-based position of the error and what was expected there
   */
  public static Condition parse(String text, Set<String> fields) {
    Parser p = new Parser(text, fields);
    Node root = p.or();
    p.skipSpace();
    if (p.i < text.length()) {
      throw p.error("expected 'and', 'or' or the end");
    }
    return new Condition(text, root);
  }

  public boolean test(EventRecord event) {
    return root.test(event);
  }

  @Override
  public String toString() {
    return text;
  }

  private sealed interface Node permits And, Or, Not, Compare, Constant {
    boolean test(EventRecord e);
  }

  private record And(List<Node> parts) implements Node {
    @Override
    public boolean test(EventRecord e) {
      for (Node n : parts) {
        if (!n.test(e)) {
          return false;
        }
      }
      return true;
    }
  }

  private record Or(List<Node> parts) implements Node {
    @Override
    public boolean test(EventRecord e) {
      for (Node n : parts) {
        if (n.test(e)) {
          return true;
        }
      }
      return false;
    }
  }

  private record Not(Node inner) implements Node {
    @Override
    public boolean test(EventRecord e) {
      return !inner.test(e);
    }
  }

  private record Constant(boolean value) implements Node {
    @Override
    public boolean test(EventRecord e) {
      return value;
    }
  }

  private enum Op {
    EQ("=="), NE("!="), GE(">="), LE("<="), GT(">"), LT("<");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    boolean holds(int cmp) {
      return switch (this) {
        case EQ -> cmp == 0;
        case NE -> cmp != 0;
        case GT -> cmp > 0;
        case GE -> cmp >= 0;
        case LT -> cmp < 0;
        case LE -> cmp <= 0;
      };
    }
  }

  /** {@code value} is a Double, a String, a Boolean or a word that may name a severity. */
  private record Compare(String field, Op op, Object value) implements Node {
    @Override
    public boolean test(EventRecord e) {
      Object actual = e.field(field);
      if (actual == null) {
        return false;
      }
      Integer cmp = compare(actual, value);
      return cmp != null && op.holds(cmp);
    }

    private static Integer compare(Object actual, Object expected) {
      if (actual instanceof Number n && expected instanceof Double d) {
        return Double.compare(n.doubleValue(), d);
      }
      // a quoted 'WARN' or 'true' means the same as the bare word
      Word w = expected instanceof Word word ? word : expected instanceof String t ? Word.of(t) : null;
      if (actual instanceof EventRecord.Severity s && w != null && w.severity() != null) {
        return s.compareTo(w.severity());
      }
      if (actual instanceof Boolean b && w != null && w.bool() != null) {
        return b == w.bool() ? 0 : 1;
      }
      if (actual instanceof String s && expected instanceof String t) {
        return s.compareTo(t);
      }
      if (actual instanceof String s && expected instanceof Word bare) {
        return s.compareTo(bare.text());
      }
      return null;
    }
  }

  /** A bare word on the right of a comparison: a severity, a boolean or plain text. */
  private record Word(String text, EventRecord.Severity severity, Boolean bool) {
    static Word of(String text) {
      EventRecord.Severity sev = null;
      for (EventRecord.Severity s : EventRecord.Severity.values()) {
        if (s.name().equalsIgnoreCase(text)) {
          sev = s;
        }
      }
      Boolean b = text.equalsIgnoreCase("true") ? Boolean.TRUE : text.equalsIgnoreCase("false") ? Boolean.FALSE : null;
      return new Word(text, sev, b);
    }
  }

  private static final class Parser {
    private static final int MAX_DEPTH = 32;
    final String s;
    final Set<String> fields;
    int i;
    int depth;

    Parser(String s, Set<String> fields) {
      this.s = s;
      this.fields = fields;
    }

    Node or() {
      List<Node> parts = new ArrayList<>();
      parts.add(and());
      while (keyword("or")) {
        parts.add(and());
      }
      return parts.size() == 1 ? parts.get(0) : new Or(List.copyOf(parts));
    }

    Node and() {
      List<Node> parts = new ArrayList<>();
      parts.add(unary());
      while (keyword("and")) {
        parts.add(unary());
      }
      return parts.size() == 1 ? parts.get(0) : new And(List.copyOf(parts));
    }

    Node unary() {
      if (++depth > MAX_DEPTH) {
        throw error("nested too deeply");
      }
      try {
        skipSpace();
        if (keyword("not")) {
          return new Not(unary());
        }
        if (peek('(')) {
          i++;
          Node inner = or();
          skipSpace();
          if (!peek(')')) {
            throw error("expected ')'");
          }
          i++;
          return inner;
        }
        int at = i;
        String word = word();
        if (word == null) {
          throw error("expected a field name, 'not' or '('");
        }
        String lower = word.toLowerCase(Locale.ROOT);
        skipSpace();
        Op op = op();
        if (op == null && (lower.equals("true") || lower.equals("false"))) {
          return new Constant(lower.equals("true"));
        }
        if (!fields.contains(word)) {
          i = at;
          throw error("unknown field '" + word + "'; fields: " + String.join(", ", new java.util.TreeSet<>(fields)));
        }
        if (op == null) {
          throw error("expected one of == != > >= < <= after '" + word + "'");
        }
        return new Compare(word, op, value());
      } finally {
        depth--;
      }
    }

    private Op op() {
      if (s.startsWith("<>", i)) {
        throw error("use == for equality and != for inequality");
      }
      for (Op op : Op.values()) {
        if (s.startsWith(op.symbol, i)) {
          i += op.symbol.length();
          return op;
        }
      }
      if (peek('=')) {
        throw error("use == for equality and != for inequality");
      }
      return null;
    }

    private Object value() {
      skipSpace();
      if (i >= s.length()) {
        throw error("expected a number, a 'text' or a word");
      }
      char c = s.charAt(i);
      if (c == '\'' || c == '"') {
        int start = ++i;
        while (i < s.length() && s.charAt(i) != c) {
          i++;
        }
        if (i >= s.length()) {
          i = start - 1;
          throw error("text is not closed");
        }
        return s.substring(start, i++);
      }
      if (c == '-' || c == '.' || Character.isDigit(c)) {
        int start = i;
        i++;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == 'e'
            || s.charAt(i) == 'E' || (s.charAt(i) == '-' || s.charAt(i) == '+') && (s.charAt(i - 1) == 'e'
            || s.charAt(i - 1) == 'E'))) {
          i++;
        }
        try {
          return Double.parseDouble(s.substring(start, i));
        } catch (NumberFormatException e) {
          i = start;
          throw error("not a number");
        }
      }
      String word = word();
      if (word == null) {
        throw error("expected a number, a 'text' or a word");
      }
      return Word.of(word);
    }

    private String word() {
      int start = i;
      while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '.')) {
        i++;
      }
      return i == start ? null : s.substring(start, i);
    }

    private boolean keyword(String k) {
      skipSpace();
      int end = i + k.length();
      if (s.regionMatches(true, i, k, 0, k.length())
          && (end == s.length() || !Character.isLetterOrDigit(s.charAt(end)) && s.charAt(end) != '_')) {
        i = end;
        return true;
      }
      return false;
    }

    private boolean peek(char c) {
      return i < s.length() && s.charAt(i) == c;
    }

    void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException("at position " + (i + 1) + ": " + what);
    }
  }
}
