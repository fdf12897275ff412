package io.pgintel.agent.otel;

import io.opentelemetry.javaagent.extension.AgentListener;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.lang.instrument.Instrumentation;

/**
 * pgintel as an extension of the OpenTelemetry javaagent:
 * {@code java -javaagent:opentelemetry-javaagent.jar -Dotel.javaagent.extensions=pgintel-agent.jar -jar app.jar}.
 *
 * <p>The javaagent finds this class through {@code META-INF/services}, loads it in its extension class loader and
 * calls it once its SDK is installed. It is the one class of the jar that keeps the javaagent's own type names (the
 * build adds it unrelocated), so it names no other pgintel type: it starts the agent by reflection, handing over JDK
 * types only. Where the telemetry goes is decided later, as for {@code -javaagent} (see {@code HostOpenTelemetry}):
 * the javaagent's global OpenTelemetry is set by then, so pgintel reports through it, with its resource.
 */
public final class OpenTelemetryAgentListener implements AgentListener {

  @Override
  public void afterAgent(AutoConfiguredOpenTelemetrySdk sdk) {
    try {
      // an extension gets no Instrumentation of its own; the javaagent keeps its one on the bootstrap class path
      Instrumentation instrumentation = (Instrumentation) Class
          .forName("io.opentelemetry.javaagent.bootstrap.InstrumentationHolder", false, null)
          .getMethod("getInstrumentation").invoke(null);
      Class.forName("io.pgintel.agent.PgIntelAgent", true, OpenTelemetryAgentListener.class.getClassLoader())
          .getMethod("extension", Instrumentation.class).invoke(null, instrumentation);
    } catch (Throwable t) {
      // the javaagent would log and carry on, but pgintel must not depend on it doing so
      System.err.println("pgintel agent: not started as an OpenTelemetry javaagent extension: " + t);
    }
  }
}
