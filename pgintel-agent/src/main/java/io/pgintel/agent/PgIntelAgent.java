package io.pgintel.agent;

import java.lang.instrument.Instrumentation;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Java agent: {@code java -javaagent:pgintel-agent.jar[=key=value,...] -jar app.jar}, or attached to a
 * running JVM. It only marks the JVM as monitored and hands everything else to a daemon thread: premain runs
 * before the application's main, and neither a logging framework nor class instrumentation should be set up
 * on that path or slow it down. Nothing leaves this class as an exception.
 */
public final class PgIntelAgent {

  private static final AtomicBoolean STARTED = new AtomicBoolean();

  private PgIntelAgent() {}

  public static void premain(String arguments, Instrumentation instrumentation) {
    start(arguments, instrumentation);
  }

  public static void agentmain(String arguments, Instrumentation instrumentation) {
    start(arguments, instrumentation);
  }

  /**
   * As an extension of the OpenTelemetry javaagent, called by {@code otel.OpenTelemetryAgentListener} with the
   * javaagent's Instrumentation. Settings come from system properties and the environment only.
   */
  public static void extension(Instrumentation instrumentation) {
    start(null, instrumentation);
  }

  private static void start(String arguments, Instrumentation instrumentation) {
    try {
      // the property too: the same jar given both as -javaagent and as the OpenTelemetry javaagent's extension is
      // two copies of this class, in two class loaders, and must monitor once
      if (!STARTED.compareAndSet(false, true) || Boolean.getBoolean(AgentSettings.ACTIVE)) {
        if (arguments != null && !arguments.isBlank()) {
          // attached again with settings: say that they change nothing rather than seem to have been taken
          System.err.println("pgintel agent: already active in this JVM; the settings given now are ignored "
              + "(it keeps those it started with)");
        }
        return;
      }
      // before the application's main: the Spring starter reads it when its context starts
      System.setProperty(AgentSettings.ACTIVE, "true");
      Thread t = new Thread(() -> Installer.install(arguments, instrumentation), "pgintel-agent-start");
      t.setDaemon(true);
      t.start();
    } catch (Throwable t) {
      // no logger here by design; one line on stderr is all an agent may do to the host at this point
      System.err.println("pgintel agent: not started: " + t);
    }
  }
}
