package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A test application in a JVM of its own, with the packaged agent jar and whatever other options a test gives. */
final class ChildJvm {

  static final Path AGENT_JAR = Path.of(System.getProperty("agent.jar"));

  private ChildJvm() {}

  record Run(int exit, String output) {}

  /** Runs {@code main} and waits for it to exit, for at most {@code seconds} and a minute more. */
  static Run run(List<String> jvmOptions, List<Path> classPath, Class<?> main, List<String> arguments, int seconds)
      throws Exception {
    assertTrue(Files.exists(AGENT_JAR), AGENT_JAR + " was not built");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList()));
    command.add(main.getName());
    command.addAll(arguments);
    Path log = Files.createTempFile("agent-it", ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the application did not exit:\n" + Files.readString(log));
    }
    String output = Files.readString(log);
    Files.deleteIfExists(log);
    // kept in the failsafe report's output file, for when an assertion on it fails
    System.out.println("--- " + main.getSimpleName() + " " + arguments + " " + jvmOptions + "\n" + output);
    return new Run(p.exitValue(), output);
  }

  /** The jar or directory a class was loaded from. */
  static Path location(Class<?> type) throws Exception {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /** A jar the build copied for the child JVMs ({@code target/it-jars}). */
  static Path itJar(String name) {
    Path jar = Path.of(System.getProperty("it.jars"), name);
    assertTrue(Files.exists(jar), jar + " was not copied by the build");
    return jar;
  }
}
