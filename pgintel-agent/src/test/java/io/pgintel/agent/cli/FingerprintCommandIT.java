package io.pgintel.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's command, run from the packaged agent jar in its own JVM. */
class FingerprintCommandIT {

  @Test
  void packagedJarFingerprintsJsonLinesFromStandardInput() throws Exception {
    Path jar = Path.of(System.getProperty("agent.jar"));
    assertTrue(Files.exists(jar), jar + " was not built");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-jar", jar.toString(), "fingerprint", "--jsonl").start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(("\"SELECT name FROM users WHERE id IN (1, 2, 3)\"\n"
          + "{\"sql\": \"SELECT name FROM users WHERE id IN (7, 8)\"}\n"
          + "not json\n").getBytes(StandardCharsets.UTF_8));
    }
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    List<String> lines = out.lines().toList();
    assertEquals(3, lines.size(), out);
    String fp1 = lines.get(0).replaceAll(".*\"fingerprint\": \"([0-9a-f]{16})\".*", "$1");
    String fp2 = lines.get(1).replaceAll(".*\"fingerprint\": \"([0-9a-f]{16})\".*", "$1");
    assertTrue(fp1.matches("[0-9a-f]{16}"), lines.get(0));
    assertEquals(fp1, fp2, "IN lists of any length are one query");
    assertTrue(lines.get(0).contains("\"tables\": [\"users\"]"), lines.get(0));
    assertTrue(lines.get(2).contains("\"error\""), lines.get(2));
    assertFalse(out.contains("not json"));
  }
}
