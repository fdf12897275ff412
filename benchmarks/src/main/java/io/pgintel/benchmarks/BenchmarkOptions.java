package io.pgintel.benchmarks;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} pairs of a benchmark's command line, each name checked against the ones it takes. */
final class BenchmarkOptions {

  private final Map<String, String> values = new HashMap<>();

  BenchmarkOptions(String[] args, Set<String> known) {
    if (args.length % 2 != 0) {
      throw new IllegalArgumentException("options come as --name value pairs; takes " + known);
    }
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i].startsWith("--") ? args[i].substring(2) : args[i];
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; takes " + known);
      }
      values.put(name, args[i + 1]);
    }
  }

  int intValue(String name, int otherwise) {
    String v = values.get(name);
    return v == null ? otherwise : Integer.parseInt(v);
  }

  String string(String name, String otherwise) {
    return values.getOrDefault(name, otherwise);
  }
}
