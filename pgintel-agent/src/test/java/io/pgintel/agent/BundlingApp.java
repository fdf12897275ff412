package io.pgintel.agent;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.sql.Connection;
import java.time.Duration;
import net.bytebuddy.ByteBuddy;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A test application that bundles its own versions of what the agent carries relocated: Caffeine, Byte Buddy, SLF4J
 * with a backend, and an OpenTelemetry SDK, which it sets up and registers as the global one after three seconds of
 * startup work on the database, as an application whose startup runs migrations first would. It uses each library and prints where each was loaded from.
 *
 * <p>Arguments: JDBC URL, user, seconds to query, OTLP/HTTP endpoint.
 */
public final class BundlingApp {

  private BundlingApp() {}

  public static void main(String[] args) throws Exception {
    Logger log = LoggerFactory.getLogger(BundlingApp.class);
    log.info("bundling app starting");
    Cache<String, String> cache = Caffeine.newBuilder().maximumSize(10).build();
    cache.put("key", "cached");
    Class<?> generated = new ByteBuddy().subclass(Object.class).name("app.Generated").make()
        .load(BundlingApp.class.getClassLoader()).getLoaded();

    // three seconds of startup work on the database (migrations, say) before the application sets up OpenTelemetry
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(args[0]);
    ds.setUser(args[1]);
    int startupConnections = 0;
    for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; startupConnections++) {
      try (Connection c = ds.getConnection()) {
        c.isValid(5);
      }
      Thread.sleep(100);
    }
    System.out.println("startup.connections=" + startupConnections);
    Resource resource = Resource.getDefault().merge(Resource.create(
        Attributes.of(AttributeKey.stringKey("service.name"), "bundling-app")));
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setMeterProvider(SdkMeterProvider.builder().setResource(resource)
            .registerMetricReader(PeriodicMetricReader.builder(OtlpHttpMetricExporter.builder()
                .setEndpoint(args[3] + "/v1/metrics").build()).setInterval(Duration.ofSeconds(1)).build())
            .build())
        .setLoggerProvider(SdkLoggerProvider.builder().setResource(resource)
            .addLogRecordProcessor(BatchLogRecordProcessor.builder(OtlpHttpLogRecordExporter.builder()
                .setEndpoint(args[3] + "/v1/logs").build()).build())
            .build())
        .buildAndRegisterGlobal();
    log.info("OpenTelemetry set up");

    // then the same work as the other agent tests' application
    QueryingApp.main(new String[] {"simple", args[0], args[1], args[2]});
    System.out.println("cache=" + cache.getIfPresent("key"));
    System.out.println("generated=" + generated.getName());
    System.out.println("caffeine.from=" + from(Caffeine.class));
    System.out.println("bytebuddy.from=" + from(ByteBuddy.class));
    System.out.println("slf4j.from=" + from(LoggerFactory.class));
    System.out.println("slf4j.backend=" + LoggerFactory.getILoggerFactory().getClass().getName());
    System.out.println("otel.from=" + from(OpenTelemetrySdk.class));
    sdk.shutdown().join(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  private static Object from(Class<?> type) throws Exception {
    return java.nio.file.Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getFileName();
  }
}
