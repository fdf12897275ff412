package io.pgintel.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LexerTest {

  private static final String[] NAMES = {"?", "WORD", "QIDENT", "STRING", "NUMBER", "PARAM", "OP", "(", ")", "[", "]",
    ",", ";", ".", ":", "::", "COMMENT", "OTHER"};

  /** input (J: prefix for JDBC), expected tokens as KIND:text separated by spaces, truncated flag. */
  static Stream<Arguments> tokens() {
    return Stream.of(
        row("a$b $1 $12x", "WORD:a$b PARAM:$1 PARAM:$12x", false),
        row("$$a$$b", "STRING:$$a$$ WORD:b", false),
        row("$Tag$ $tag$ $Tag$", "STRING:$Tag$_$tag$_$Tag$", false),
        row("$a$ $b$ x $a$", "STRING:$a$_$b$_x_$a$", false),
        row("$ a", "OTHER:$ WORD:a", false),
        row("'it''s' 'x'", "STRING:'it''s' STRING:'x'", false),
        row("'a'\n'b' 'c'", "STRING:'a'\n'b' STRING:'c'", false),
        row("'a' \t 'b'", "STRING:'a' STRING:'b'", false),
        row("E'\\'' e'\\\\' 'x\\'", "STRING:E'\\'' STRING:e'\\\\' STRING:'x\\'", false),
        row("U&'x' UESCAPE '!' y", "STRING:U&'x'_UESCAPE_'!' WORD:y", false),
        row("U&\"x\" u&'y'", "QIDENT:U&\"x\" STRING:u&'y'", false),
        row("N'x' B'1' X'f' n'y'", "STRING:N'x' STRING:B'1' STRING:X'f' STRING:n'y'", false),
        row("\"a\"\"b\" \"\"", "QIDENT:\"a\"\"b\" QIDENT:\"\"", false),
        row("42 4.2 .5 5. 1e10 1E+10 1e 0x1F 0o17 0b1010 1_000 123abc",
            "NUMBER:42 NUMBER:4.2 NUMBER:.5 NUMBER:5. NUMBER:1e10 NUMBER:1E+10 NUMBER:1e NUMBER:0x1F "
            + "NUMBER:0o17 NUMBER:0b1010 NUMBER:1_000 NUMBER:123abc", false),
        row("1..2", "NUMBER:1 . NUMBER:.2", false),
        row("a.b.c", "WORD:a . WORD:b . WORD:c", false),
        row("a=-1", "WORD:a OP:= OP:- NUMBER:1", false),
        row("a@-1", "WORD:a OP:@- NUMBER:1", false),
        row("a<>b a!=b a>=b", "WORD:a OP:<> WORD:b WORD:a OP:!= WORD:b WORD:a OP:>= WORD:b", false),
        row("a+-b", "WORD:a OP:+ OP:- WORD:b", false),
        row("a*/**/b", "WORD:a OP:* COMMENT:/**/ WORD:b", false),
        row("a--b\nc", "WORD:a COMMENT:--b WORD:c", false),
        row("a+--b\nc", "WORD:a OP:+ COMMENT:--b WORD:c", false),
        row("/* a /* b */ c */ d", "COMMENT:/*_a_/*_b_*/_c_*/ WORD:d", false),
        row("x::int y:=1 z=>2 a[1:2]",
            "WORD:x :: WORD:int WORD:y OP::= NUMBER:1 WORD:z OP:=> NUMBER:2 WORD:a [ NUMBER:1 : NUMBER:2 ]", false),
        row("d ? 'k' d ?| a d ?& a d @? p",
            "WORD:d OP:? STRING:'k' WORD:d OP:?| WORD:a WORD:d OP:?& WORD:a WORD:d OP:@? WORD:p", false),
        row("J:d ?? 'k' d ??| a = ? ?", "WORD:d OP:?? STRING:'k' WORD:d OP:??| WORD:a OP:= PARAM:? PARAM:?", false),
        row("J:a = ???", "WORD:a OP:= OP:?? PARAM:?", false),
        row("J:{fn now()} {d '2024-01-01'} {call p(?)} {oj a} {escape '!'} {limit 1}",
            "WORD:now ( ) STRING:'2024-01-01' WORD:call WORD:p ( PARAM:? ) WORD:a WORD:escape STRING:'!' "
            + "WORD:limit NUMBER:1", false),
        row("J:{ x }", "WORD:x OTHER:}", false),
        row("{fn x}", "OTHER:{ WORD:fn WORD:x OTHER:}", false),
        row("J:'?' $$?$$ /* ? */ \"?\"", "STRING:'?' STRING:$$?$$ COMMENT:/*_?_*/ QIDENT:\"?\"", false),
        row("'abc", "STRING:'abc", true),
        row("E'ab\\'", "STRING:E'ab\\'", true),
        row("$x$abc$x", "STRING:$x$abc$x", true),
        row("\"abc", "STRING:\"abc", true),
        row("/* a /* b */", "COMMENT:/*_a_/*_b_*/", true),
        row("U&'a' UESCAPE 'b", "STRING:U&'a'_UESCAPE_'b", true),
        row("\u00e9t\u00e9 \ud800", "WORD:\u00e9t\u00e9 WORD:\ud800", false),
        row("#", "OP:#", false),
        row("\\ {", "OTHER:\\ OTHER:{", false));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("tokens")
  void lexesPostgresqlSyntax(String input, String expected, boolean truncated) {
    boolean jdbc = input.startsWith("J:");
    String sql = jdbc ? input.substring(2) : input;
    Tokens out = new Tokens(4);
    char[] chars = sql.toCharArray();
    boolean wasTruncated = Lexer.lex(chars, chars.length, jdbc, out);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < out.size; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      String name = NAMES[out.kind[i]];
      String text = sql.substring(out.start[i], out.end[i]);
      boolean punct = name.equals(text) || (out.kind[i] >= Tokens.LPAREN && out.kind[i] <= Tokens.CAST);
      sb.append(punct ? text : name + ":" + text.replace(' ', '_'));
    }
    assertEquals(expected, sb.toString());
    assertEquals(truncated, wasTruncated);
  }

  private static Arguments row(String input, String expected, boolean truncated) {
    return Arguments.of(input, expected, truncated);
  }
}
