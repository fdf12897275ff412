package io.pgintel.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.collect.EventRecord;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionTest {

  /** An event with the given fields; severity WARN unless a field says otherwise. */
  record Event(Map<String, Object> fields) implements EventRecord {
    @Override
    public String kind() {
      return "test";
    }

    @Override
    public Severity severity() {
      return (Severity) fields.getOrDefault("severity", Severity.WARN);
    }

    @Override
    public long samplingKey() {
      return 1;
    }

    @Override
    public long occurrence() {
      return 1;
    }

    @Override
    public Object field(String name) {
      return name.equals("severity") ? severity() : fields.get(name);
    }
  }

  private static final Event SLOW_LOCK = new Event(new HashMap<>(Map.of("mean_exec_time_ms", 1500.0,
      "wait_event_type", "Lock", "calls", 12L, "database", "shop", "truncated", false)));

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "mean_exec_time_ms > 1000 | true",
      "mean_exec_time_ms > 1500 | false",
      "mean_exec_time_ms >= 1500 | true",
      "mean_exec_time_ms < 1e4 | true",
      "mean_exec_time_ms <= -1 | false",
      "calls == 12 | true",
      "calls != 12 | false",
      "wait_event_type == 'Lock' | true",
      "wait_event_type == \"Lock\" | true",
      "wait_event_type == 'lock' | false",
      "wait_event_type != 'IO' | true",
      "severity >= WARN | true",
      "severity > warn | false",
      "severity < ERROR | true",
      "severity >= 'WARN' | true",
      "truncated == 'false' | true",
      "truncated == false | true",
      "truncated == true | false",
      "mean_exec_time_ms > 1000 and wait_event_type == 'Lock' | true",
      "mean_exec_time_ms > 2000 and wait_event_type == 'Lock' | false",
      "mean_exec_time_ms > 2000 or wait_event_type == 'Lock' | true",
      "not mean_exec_time_ms > 2000 | true",
      "NOT (calls > 1 AND database == 'shop') | false",
      "calls > 100 or calls < 5 or database == 'shop' and severity >= ERROR | false",
      "(calls > 100 or database == 'shop') and severity >= WARN | true",
      "role == 'app' | false",
      "role != 'app' | false",
      "database > 5 | false",
      "true | true",
      "not false and calls == 12.0 | true",
  })
  void evaluatesOverFields(String condition, boolean expected) {
    assertEquals(expected, Condition.parse(condition, Sampler.knownFields()).test(SLOW_LOCK), condition);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "mean_exec_time > 1000 | at position 1: unknown field 'mean_exec_time'",
      "calls > | at position 8: expected a number",
      "calls = 5 | at position 7: use == for equality",
      "calls <> 5 | at position 7: use == for equality",
      "calls > 5 and | at position 14: expected a field name",
      "(calls > 5 | at position 11: expected ')'",
      "calls > 5 calls | at position 11: expected 'and', 'or' or the end",
      "database == 'shop | at position 13: text is not closed",
      "calls > 1.2.3 | at position 9: not a number",
      "calls | at position 6: expected one of == != > >= < <=",
      " | at position 1: expected a field name",
  })
  void badConditionsFailWithThePosition(String condition, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Condition.parse(condition == null ? "" : condition, Sampler.knownFields()));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @org.junit.jupiter.api.Test
  void deepNestingIsRefusedInsteadOfOverflowingTheStack() {
    String deep = "(".repeat(10_000) + "calls > 1" + ")".repeat(10_000);
    assertThrows(IllegalArgumentException.class, () -> Condition.parse(deep, Sampler.knownFields()));
    String nots = "not ".repeat(10_000) + "calls > 1";
    assertThrows(IllegalArgumentException.class, () -> Condition.parse(nots, Sampler.knownFields()));
  }
}
