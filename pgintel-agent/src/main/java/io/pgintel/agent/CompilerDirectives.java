package io.pgintel.agent;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * Keeps pgintel's background code on HotSpot's quick compiler, C1, through compiler directives added at run time
 * (the {@code Compiler.directives_add} diagnostic command, as {@code jcmd} would).
 *
 * <p>Why: the collectors, the SQL engine and pgintel's OpenTelemetry SDK and exporter run a few times a minute, so
 * their methods cross C2's thresholds one by one for many minutes after start, and each C2 compilation takes CPU
 * and cache from the application on a busy machine (the README's agent overhead figures, with and without). C1
 * code is slower, but this code spends a few milliseconds a second.
 *
 * <p>What stays with C2: the code that runs on the application's threads (the discovery advice's handlers in
 * {@code io.pgintel.agent}, the statement hooks of {@code io.pgintel.trace}, the OpenTelemetry context they read).
 * The directives name pgintel's background packages one by one ({@link #BACKGROUND_PACKAGES}), so the
 * application's methods, and any directives of its own, are untouched, even in packages under {@code io.pgintel}.
 *
 * <p>Added only where it does what it says: on HotSpot with tiered compilation up to C2 (without C1, excluding C2
 * would leave the code interpreted), without a JVMCI compiler, and not where the application configures its own
 * MBean server ({@code javax.management.builder.initial}) and has not created it yet, since reaching the
 * diagnostic command creates the platform MBean server.
 */
final class CompilerDirectives {

  /**
   * The packages whose code runs on pgintel's own threads, as class-name prefixes: each one pgintel's, named in
   * full. Not the whole {@code io/pgintel/} namespace: an application may have classes there too (pgintel's samples
   * and benchmarks do), and a prefix that reached them would keep the application's own code off C2. The
   * {@code io.pgintel} package itself (the builder, settings) runs once at start and is left to the defaults.
   */
  static final List<String> BACKGROUND_PACKAGES = List.of("io/pgintel/agent/shaded/", "io/pgintel/collect/",
      "io/pgintel/emit/", "io/pgintel/internal/", "io/pgintel/process/", "io/pgintel/runtime/", "io/pgintel/sql/");

  /**
   * What stays open to C2 inside {@link #BACKGROUND_PACKAGES}: the relocated OpenTelemetry context and trace API,
   * which the statement hooks read on the application's threads ({@code Span.current().getSpanContext()}). Not the
   * rest of the API: its attributes and metrics classes run on pgintel's threads only, and left open to C2 they
   * were compiled by it minutes into the JVM's life (a JIT log of the agent benchmark: 0.27 s of C2 time in 70 s
   * after warm-up, more than any other group of pgintel's).
   */
  static final List<String> APPLICATION_THREAD_PACKAGES = List.of("io/pgintel/agent/shaded/otel/context/",
      "io/pgintel/agent/shaded/otel/api/trace/");

  /** The first matching directive applies; a method of no package named here matches none of them. */
  static final String DIRECTIVES = "[\n"
      + "  { match: " + patterns(APPLICATION_THREAD_PACKAGES) + ", c2: { Exclude: false } },\n"
      + "  { match: " + patterns(BACKGROUND_PACKAGES) + ", c2: { Exclude: true } }\n"
      + "]\n";

  private static final String DIAGNOSTIC_COMMAND = "com.sun.management:type=DiagnosticCommand";
  /** Once per JVM: an agent attached a second time finds them in place (one class path, one copy of this class). */
  private static final AtomicBoolean ADDED = new AtomicBoolean();

  private CompilerDirectives() {}

  /**
   * Adds {@link #DIRECTIVES} to this JVM. Never throws.
   *
   * @return what was done, or why not, for one log line
   */
  static String add() {
    try {
      String unsuitable = unsuitable();
      if (unsuitable != null) {
        return "left to the JVM's defaults: " + unsuitable;
      }
      if (ADDED.get()) {
        return "kept on C1 (directives added before)";
      }
      Path file = Files.createTempFile("pgintel-compiler-directives", ".json");
      try {
        Files.writeString(file, DIRECTIVES, StandardCharsets.UTF_8);
        Object answer = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName(DIAGNOSTIC_COMMAND),
            "compilerDirectivesAdd", new Object[] {new String[] {file.toString()}},
            new String[] {String[].class.getName()});
        String text = String.valueOf(answer).strip();
        if (!text.endsWith("added")) {
          return "left to the JVM's defaults: " + text;
        }
        ADDED.set(true);
        return "kept on C1 (" + text + ")";
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (Exception | LinkageError e) {
      return "left to the JVM's defaults: " + e;
    }
  }

  /** Why directives would do harm or nothing in this JVM, or null. */
  private static String unsuitable() {
    if (System.getProperty("javax.management.builder.initial") != null
        && MBeanServerFactory.findMBeanServer(null).isEmpty()) {
      return "the application configures its own MBean server and has not created it yet";
    }
    HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    if (hotSpot == null) {
      return "not a HotSpot JVM";
    }
    if (!"true".equals(option(hotSpot, "TieredCompilation")) || !"4".equals(option(hotSpot, "TieredStopAtLevel"))) {
      return "not compiling in tiers up to C2";
    }
    if ("true".equals(option(hotSpot, "UseJVMCICompiler"))) {
      return "a JVMCI compiler is in use";
    }
    return null;
  }

  /** The packages as a JSON array of method patterns: every method of every class under each prefix. */
  private static String patterns(List<String> packages) {
    return packages.stream().map(p -> "\"" + p + "*.*\"").collect(Collectors.joining(", ", "[", "]"));
  }

  private static String option(HotSpotDiagnosticMXBean hotSpot, String name) {
    try {
      return hotSpot.getVMOption(name).getValue();
    } catch (IllegalArgumentException absent) {
      return null;
    }
  }
}
