package io.pgintel.test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What is written to standard error (where the tests' SLF4J simple logger writes) while a piece of a test runs. */
public final class CapturedStderr {

  /** A piece of a test that may throw. */
  @FunctionalInterface
  public interface Work {
    void run() throws Exception;
  }

  private CapturedStderr() {}

  /** Runs {@code work} and returns what it logged; standard error is restored whatever happens. */
  public static String during(Work work) throws Exception {
    PrintStream stderr = System.err;
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
    try {
      work.run();
    } finally {
      System.setErr(stderr);
    }
    return logged.toString(StandardCharsets.UTF_8);
  }

  /** How often {@code part} occurs in {@code text}. */
  public static int count(String text, String part) {
    return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
  }
}
