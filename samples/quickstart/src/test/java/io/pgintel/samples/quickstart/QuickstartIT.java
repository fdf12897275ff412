package io.pgintel.samples.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's quickstart command, run as a user runs it: the packaged jar in its own JVM. */
class QuickstartIT {

  private static final Pattern POSTGRES_ROW = Pattern.compile("^postgres\\s+([0-9.]+|…)\\s+");

  private record Line(long atMillis, String text) {}

  @Test
  void quickstartShowsCommitsChangingWithin15SecondsAndExitsCleanlyAfterItsDuration() throws Exception {
    Path jar = Path.of(System.getProperty("quickstart.jar"));
    assertTrue(Files.exists(jar), jar + " was not built");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    long start = System.nanoTime();
    Process process = new ProcessBuilder(java, "-jar", jar.toString(), "--duration", "20s")
        .redirectErrorStream(true).start();
    List<Line> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String text;
      while ((text = out.readLine()) != null) {
        lines.add(new Line((System.nanoTime() - start) / 1_000_000, text));
      }
    }
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "quickstart did not stop after its duration");
    String all = String.join("\n", lines.stream().map(Line::text).toList());
    assertEquals(0, process.exitValue(), all);

    Line firstRate = null;
    for (Line l : lines) {
      Matcher m = POSTGRES_ROW.matcher(l.text());
      if (m.find() && !m.group(1).equals("…") && Double.parseDouble(m.group(1)) > 0) {
        firstRate = l;
        break;
      }
    }
    assertTrue(firstRate != null, "no summary showed commits per second:\n" + all);
    assertTrue(firstRate.atMillis() < 15_000,
        "commits/s first shown after " + firstRate.atMillis() + " ms:\n" + all);
    assertTrue(all.contains("stopping after 20s"), all);
    assertTrue(Pattern.compile("pgintel +(\\d+)/\\1 collectors up · 0 errors").matcher(all).find(),
        "every collector up, none failing:\n" + all);
    assertTrue(all.contains("top queries (last interval)"), all);
    assertTrue(all.contains("SELECT shop.products"), "the workload's browse query is in the top list:\n" + all);
    assertTrue(Pattern.compile("run from ShopWorkload\\.\\w+:\\d+ from ShopWorkload\\.\\w+:\\d+").matcher(all)
        .find(),
        "top queries name the workload's line of code that runs them:\n" + all);
    assertTrue(lines.get(lines.size() - 1).text().equals("bye"), all);
    long elapsed = (System.nanoTime() - start) / 1_000_000;
    assertTrue(elapsed < 40_000, "ran for " + elapsed + " ms");
  }
}
