package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostOpenTelemetryTest {

  @Test
  void anUnsetGlobalIsNotFoundAndStaysFreeForTheApplicationToSet() throws Exception {
    // an application of its own: a class loader with the OpenTelemetry API and nothing else, so its global is fresh
    try (URLClassLoader application = new URLClassLoader(new URL[] {jar(OpenTelemetry.class), jar(Context.class)},
        ClassLoader.getPlatformClassLoader())) {
      assertEquals(Optional.empty(), HostOpenTelemetry.find(application));

      Class<?> global = application.loadClass("io.opentelemetry.api.GlobalOpenTelemetry");
      Class<?> api = application.loadClass("io.opentelemetry.api.OpenTelemetry");
      Object noop = api.getMethod("noop").invoke(null);
      // set() refuses once get() has been called: looking must not have called it
      global.getMethod("set", api).invoke(null, noop);

      HostOpenTelemetry host = HostOpenTelemetry.find(application).orElseThrow();
      assertSame(application, host.loader());
      assertEquals("io.opentelemetry.", host.packagePrefix());
    }
  }

  @Test
  void ownsTheApiAndContextPackagesOnly() {
    HostOpenTelemetry plain = new HostOpenTelemetry("app", null, HostOpenTelemetry.PLAIN);
    assertTrue(plain.owns("io.opentelemetry.api.GlobalOpenTelemetry"));
    assertTrue(plain.owns("io.opentelemetry.context.Context"));
    assertFalse(plain.owns("io.opentelemetry.sdk.OpenTelemetrySdk"));
    assertFalse(plain.owns("io.opentelemetry.apiextra.Thing"));
    assertFalse(plain.owns("io.opentelemetry.javaagent.shaded.io.opentelemetry.api.OpenTelemetry"));

    HostOpenTelemetry javaagent = new HostOpenTelemetry("agent", null, HostOpenTelemetry.OPENTELEMETRY_JAVAAGENT);
    assertTrue(javaagent.owns("io.opentelemetry.javaagent.shaded.io.opentelemetry.api.trace.Span"));
    assertFalse(javaagent.owns("io.opentelemetry.api.trace.Span"));
  }

  private static URL jar(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }
}
