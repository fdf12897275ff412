package io.pgintel.emit;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where pgintel's telemetry goes, in this order: the {@code OpenTelemetry} handed to the builder; the host's
 * global one, but only when the host has already set it ({@code GlobalOpenTelemetry.get()} would otherwise
 * lock in a no-op for the whole JVM); otherwise an SDK of pgintel's own, configured by the standard
 * {@code otel.*} / {@code OTEL_*} settings (OTLP by default), which pgintel shuts down on close.
 *
 * <p>In the Java agent this class is compiled once and linked twice: against the agent's relocated copy of the
 * API, where no global is ever set and pgintel's own SDK serves, and, when the application or the OpenTelemetry
 * javaagent has an OpenTelemetry, against theirs, where "the global" is the host's and its SDK serves
 * ({@code io.pgintel.agent.LinkingClassLoader}).
 */
public final class OpenTelemetrySource {

  private final OpenTelemetry openTelemetry;
  private final OpenTelemetrySdk owned;
  private final String origin;

  private OpenTelemetrySource(OpenTelemetry openTelemetry, OpenTelemetrySdk owned, String origin) {
    this.openTelemetry = openTelemetry;
    this.owned = owned;
    this.origin = origin;
  }

  /**
   * @param explicit the application's instance, or null
   * @param otelProperties {@code otel.*} settings given to pgintel; they win over system properties and
   *     environment for pgintel's own SDK
   */
  public static OpenTelemetrySource resolve(OpenTelemetry explicit, Map<String, String> otelProperties) {
    if (explicit != null) {
      return new OpenTelemetrySource(explicit, null, "explicit");
    }
    if (GlobalOpenTelemetry.isSet()) {
      return new OpenTelemetrySource(GlobalOpenTelemetry.get(), null, "global");
    }
    Map<String, String> defaults = new HashMap<>();
    // pgintel emits metrics and events, never spans of its own
    defaults.put("otel.traces.exporter", "none");
    // OTLP over HTTP, as the specification's default (the Java SDK's own is gRPC), compressed: one export of the
    // top statements' events can be a few hundred kilobytes
    defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
    defaults.put("otel.exporter.otlp.compression", "gzip");
    OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
        // the defaults lose to otel.* system properties and OTEL_* environment variables; what the builder was
        // given wins over both
        .addPropertiesSupplier(() -> defaults)
        .addPropertiesCustomizer(config -> otelProperties)
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk();
    return new OpenTelemetrySource(sdk, sdk, "pgintel-sdk");
  }

  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** {@code explicit}, {@code global} or {@code pgintel-sdk}. */
  public String origin() {
    return origin;
  }

  /** Exports what is pending; waits at most a few seconds. Never throws. */
  public void flush() {
    try {
      OpenTelemetry target = owned != null ? owned : openTelemetry;
      if (target instanceof OpenTelemetrySdk sdk) {
        sdk.getSdkMeterProvider().forceFlush().join(5, TimeUnit.SECONDS);
        sdk.getSdkLoggerProvider().forceFlush().join(5, TimeUnit.SECONDS);
      }
    } catch (RuntimeException ignored) {
      // flushing is best effort
    }
  }

  /** Shuts down pgintel's own SDK (flushing it); leaves an application's SDK alone. */
  public void close() {
    if (owned != null) {
      try {
        owned.shutdown().join(10, TimeUnit.SECONDS);
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
  }
}
