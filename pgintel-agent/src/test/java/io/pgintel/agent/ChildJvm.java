package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test application in a JVM of its own, as the agent meets it: {@link QueryingApp} with the driver, HikariCP,
 * the SLF4J API HikariCP needs (its own version; the agent's SLF4J is relocated and does not leak into the
 * application) and whatever else a test names on its class path. Output goes to a file, read when it is done.
 */
final class ChildJvm implements AutoCloseable {

  static final Path AGENT_JAR = Path.of(System.getProperty("agent.jar"));

  private final Process process;
  private final Path log;
  private final String title;

  private ChildJvm(Process process, Path log, String title) {
    this.process = process;
    this.log = log;
    this.title = title;
  }

  /** Starts {@code QueryingApp kind url user seconds} with the JVM options and extra class path entries. */
  static ChildJvm start(List<String> jvmOptions, List<Class<?>> classPath, String kind, String url, String user,
      int seconds) throws Exception {
    assertTrue(Files.exists(AGENT_JAR), AGENT_JAR + " was not built");
    List<String> entries = new ArrayList<>();
    for (Class<?> type : List.of(QueryingApp.class, org.postgresql.Driver.class,
        com.zaxxer.hikari.HikariDataSource.class, org.slf4j.LoggerFactory.class)) {
      entries.add(location(type).toString());
    }
    for (Class<?> type : classPath) {
      entries.add(location(type).toString());
    }
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", String.join(File.pathSeparator, entries), QueryingApp.class.getName(), kind, url,
        user, String.valueOf(seconds)));
    Path log = Files.createTempFile("agent-it", ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ChildJvm(p, log, kind + " " + jvmOptions);
  }

  long pid() {
    return process.pid();
  }

  /** Waits until the output has a line containing {@code text}; false when the JVM ended or time ran out. */
  boolean awaitOutput(String text, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (Files.readString(log).contains(text)) {
        return true;
      }
      if (!process.isAlive()) {
        return false;
      }
      Thread.sleep(50);
    }
    return false;
  }

  /** Waits for the JVM to exit; its exit code and everything it wrote. */
  Run await(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the application did not exit:\n" + Files.readString(log));
    }
    String output = Files.readString(log);
    // kept in the failsafe report's output file, for when an assertion on it fails
    System.out.println("--- " + title + "\n" + output);
    return new Run(process.exitValue(), output);
  }

  @Override
  public void close() throws Exception {
    process.destroyForcibly();
    Files.deleteIfExists(log);
  }

  record Run(int exit, String output) {}

  /** Runs {@code main} and waits for it to exit, for at most {@code seconds} and a minute more. */
  static Run run(List<String> jvmOptions, List<Path> classPath, Class<?> main, List<String> arguments, int seconds)
      throws Exception {
    assertTrue(Files.exists(AGENT_JAR), AGENT_JAR + " was not built");
    List<String> command = new ArrayList<>();
    command.add(java());
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

  /** Runs {@code java -jar <agent jar> args...} to its end. */
  static Run agentCommand(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(java(), "-jar", AGENT_JAR.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the command did not end: " + out);
    return new Run(p.exitValue(), out);
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


  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
