package io.pgintel.agent.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code attach <pid> [key=value,...]}: loads this jar as an agent into a running JVM, with the arguments as its
 * agent arguments. The target's DataSources that exist already are found on their next {@code getConnection}.
 * Exit code 1 when the agent could not be loaded, 2 on bad arguments.
 *
 * <p>Only a process the attach API lists as a JVM is attached to: attaching makes HotSpot send the target a
 * SIGQUIT, which would end a process that is not a JVM.
 */
final class AttachCommand {

  static final String USAGE = """
      usage: attach <pid> [key=value,...]
        loads the pgintel agent into the running JVM <pid> (same user; a JDK's java, with the jdk.attach module);
        the settings are the agent arguments, as after -javaagent:pgintel-agent.jar=
      """;

  private AttachCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (!args.isEmpty() && (args.get(0).equals("--help") || args.get(0).equals("-h"))) {
      out.print(USAGE);
      return 0;
    }
    if (args.isEmpty() || args.size() > 2 || !args.get(0).matches("\\d{1,18}")) {
      err.println("attach: expected a process id and optionally the agent's key=value,... settings");
      err.print(USAGE);
      return 2;
    }
    String pid = args.get(0);
    String options = args.size() > 1 ? args.get(1) : "";
    if (ModuleLayer.boot().findModule("jdk.attach").isEmpty()) {
      err.println("attach: this Java (" + System.getProperty("java.home") + ") has no jdk.attach module; run the "
          + "command with a JDK's java, not a JRE or a jlink image without jdk.attach");
      return 1;
    }
    if (ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
      err.println("attach: no process with pid " + pid);
      return 1;
    }
    Path jar;
    try {
      jar = Path.of(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      err.println("attach: cannot tell where the agent jar is: " + e);
      return 1;
    }
    if (!Files.isRegularFile(jar)) {
      err.println("attach: run this command from the agent jar (java -jar pgintel-agent.jar attach ...), not " + jar);
      return 1;
    }
    return Attacher.attach(pid, jar, options, out, err);
  }

  /** Names jdk.attach types; loaded only once the module is known to be there. */
  private static final class Attacher {

    static int attach(String pid, Path jar, String options, PrintStream out, PrintStream err) {
      boolean listed = VirtualMachine.list().stream().map(VirtualMachineDescriptor::id).anyMatch(pid::equals);
      if (!listed) {
        err.println("attach: process " + pid + " is not a JVM this user can attach to (it is not in the list the "
            + "attach API gives, as with jps): run the command as the JVM's user; a JVM started with "
            + "-XX:-UsePerfData is not listed");
        return 1;
      }
      VirtualMachine vm;
      try {
        vm = VirtualMachine.attach(pid);
      } catch (AttachNotSupportedException | IOException e) {
        err.println("attach: cannot attach to JVM " + pid + ": " + e.getMessage() + " (was it started with "
            + "-XX:+DisableAttachMechanism, or by another user?)");
        return 1;
      }
      try {
        vm.loadAgent(jar.toString(), options);
        out.println("pgintel agent loaded into JVM " + pid + "; it logs to that JVM's standard error");
        out.flush();
        return 0;
      } catch (AgentLoadException | AgentInitializationException | IOException e) {
        err.println("attach: JVM " + pid + " did not load the agent: " + e.getMessage());
        return 1;
      } finally {
        try {
          vm.detach();
        } catch (IOException ignored) {
          // the agent is loaded or not; the connection to the target does not matter any more
        }
      }
    }
  }
}
