package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.PgIntel;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CompilerDirectivesTest {

  /** pgintel's packages whose code runs on the application's threads or only at start: left to C2 on purpose. */
  private static final Set<String> OPEN_TO_C2 = Set.of("io/pgintel/", "io/pgintel/agent/",
      "io/pgintel/agent/bootstrap/", "io/pgintel/agent/cli/", "io/pgintel/agent/otel/", "io/pgintel/trace/");

  @Test
  void everyPackageOfPgintelIsEitherKeptOnC1OrLeftOpenOnPurpose() throws Exception {
    Set<String> packages = new TreeSet<>();
    packages.addAll(packagesOf(PgIntel.class));
    packages.addAll(packagesOf(CompilerDirectives.class));
    assertTrue(packages.contains("io/pgintel/collect/statements/"), "read pgintel-core's classes: " + packages);
    for (String p : packages) {
      boolean background = CompilerDirectives.BACKGROUND_PACKAGES.stream().anyMatch(p::startsWith);
      assertTrue(background ^ OPEN_TO_C2.contains(p),
          p + ": a new package must be added to CompilerDirectives.BACKGROUND_PACKAGES (code of pgintel's own "
              + "threads) or to this test's OPEN_TO_C2 (code of the application's threads)");
    }
  }

  @Test
  void directivesNameNoApplicationPackageUnderIoPgintel() {
    for (String application : new String[] {"io/pgintel/samples/agent/DemoApp", "io/pgintel/benchmarks/JdbcWorkload",
        "io/pgintel/app/HotLoop", "io/pgintel/Other"}) {
      assertFalse(CompilerDirectives.BACKGROUND_PACKAGES.stream().anyMatch(application::startsWith), application);
      assertFalse(CompilerDirectives.DIRECTIVES.contains("\"" + application.substring(0,
          application.lastIndexOf('/') + 1) + "*.*\""), application);
    }
    assertFalse(CompilerDirectives.DIRECTIVES.contains("\"io/pgintel/*.*\""), CompilerDirectives.DIRECTIVES);
  }

  @Test
  void directivesAreTheTwoListsAsMethodPatterns() {
    String expected = """
        [
          { match: ["io/pgintel/agent/shaded/otel/context/*.*", "io/pgintel/agent/shaded/otel/api/trace/*.*"], \
        c2: { Exclude: false } },
          { match: ["io/pgintel/agent/shaded/*.*", "io/pgintel/collect/*.*", "io/pgintel/emit/*.*", \
        "io/pgintel/internal/*.*", "io/pgintel/process/*.*", "io/pgintel/runtime/*.*", "io/pgintel/sql/*.*"], \
        c2: { Exclude: true } }
        ]
        """;
    assertEquals(expected, CompilerDirectives.DIRECTIVES);
  }

  /** Packages (as {@code io/pgintel/x/}) of the classes in the jar or directory {@code type} was loaded from. */
  private static Set<String> packagesOf(Class<?> type) throws IOException, URISyntaxException {
    Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (Files.isDirectory(location)) {
      return packagesUnder(location);
    }
    try (FileSystem jar = FileSystems.newFileSystem(location)) {
      return packagesUnder(jar.getPath("/"));
    }
  }

  private static Set<String> packagesUnder(Path root) throws IOException {
    Set<String> packages = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.map(f -> root.relativize(f).toString().replace('\\', '/'))
          .filter(f -> f.startsWith("io/pgintel/") && f.endsWith(".class"))
          .forEach(f -> packages.add(f.substring(0, f.lastIndexOf('/') + 1)));
    }
    return packages;
  }
}
