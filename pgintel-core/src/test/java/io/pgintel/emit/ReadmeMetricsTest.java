package io.pgintel.emit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's metric table must list every metric pgintel emits, with its type, unit and attributes. */
class ReadmeMetricsTest {

  @Test
  void readmeListsEveryMetricWithTypeUnitAndAttributes() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Map<String, String> rows = new LinkedHashMap<>();
    for (MetricDef<?> def : MetricCatalog.ALL) {
      rows.merge(def.name(), row(def), (a, b) -> a);
    }
    Map<String, String> descriptions = new LinkedHashMap<>();
    for (MetricDef<?> def : MetricCatalog.ALL) {
      descriptions.putIfAbsent(def.name(), def.description());
    }
    List<String> missing = new ArrayList<>();
    rows.forEach((name, row) -> {
      // the whole line, description and end included: nothing stale or pasted after it
      String line = row + " " + descriptions.get(name) + " |";
      if (!readme.contains("\n" + line + "\n")) {
        missing.add(line);
      }
    });
    assertTrue(missing.isEmpty(), "README.md lacks or has stale rows (" + missing.size() + "); expected:\n"
        + String.join("\n", missing));
  }

  private static <R> String row(MetricDef<R> def) throws Exception {
    String kind = switch (def.kind()) {
      case COUNTER -> "counter";
      case UP_DOWN -> "updowncounter";
      case GAUGE -> "gauge";
    };
    List<String> keys = def.attributeKeys(sample(def.recordType()));
    String attrs = keys.isEmpty() ? "" : "`" + String.join("`, `", keys) + "`";
    return "| `" + def.name() + "` | " + kind + (def.doubles() ? " (double)" : "") + " | `" + def.unit() + "` | "
        + attrs + " |";
  }

  /** A record of the type with every field set, so that every attribute shows. */
  private static <R> R sample(Class<R> type) throws Exception {
    RecordComponent[] components = type.getRecordComponents();
    Object[] args = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      Class<?> t = components[i].getType();
      types[i] = t;
      args[i] = t == long.class || t == Long.class ? (Object) 1L
          : t == double.class || t == Double.class ? (Object) 1.0
          : t == int.class ? (Object) 1
          : t == boolean.class ? (Object) true
          : t == String.class ? "x"
          : t.isRecord() ? sample(t) : null;
    }
    Constructor<R> c = type.getDeclaredConstructor(types);
    return c.newInstance(args);
  }
}
