package io.pgintel.agent.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** The command line of the pgintel agent jar: {@code java -jar pgintel-agent.jar <command> ...}. */
public final class Main {

  static final String USAGE = """
      usage: java -jar pgintel-agent.jar <command> [options]
      commands:
        fingerprint [--jdbc] [--jsonl]   fingerprint, normalize and summarize SQL from standard input
        doctor --url URL --user USER      check that a server and role are ready for pgintel (PASS/WARN/FAIL)
        attach <pid> [key=value,...]     load the agent into a running JVM
        version                          print the agent's version
      as an agent: java -javaagent:pgintel-agent.jar[=key=value,...] -jar app.jar
      """;

  private Main() {}

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    System.exit(run(Arrays.asList(args), in, out, System.err));
  }

  /** The Implementation-Version of the agent jar's manifest. */
  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v != null ? v : "(development build)";
  }

  static int run(List<String> args, BufferedReader in, PrintStream out, PrintStream err) {
    if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
      out.print(USAGE);
      return args.isEmpty() ? 2 : 0;
    }
    try {
      return switch (args.get(0)) {
        case "fingerprint" -> FingerprintCommand.run(args.subList(1, args.size()), in, out, err);
        case "doctor" -> DoctorCommand.run(args.subList(1, args.size()), out, err);
        case "attach" -> AttachCommand.run(args.subList(1, args.size()), out, err);
        case "version", "--version" -> {
          out.println("pgintel-agent " + version());
          out.flush();
          yield 0;
        }
        default -> {
          err.println("unknown command " + args.get(0));
          err.print(USAGE);
          yield 2;
        }
      };
    } catch (IOException e) {
      err.println("could not read standard input: " + e.getMessage());
      return 1;
    }
  }
}
