package io.pgintel.test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A real OTLP/HTTP receiver on loopback: accepts protobuf (optionally gzip) payloads on {@code /v1/metrics}
 * and {@code /v1/logs}, decodes them and keeps them for assertions.
 */
public final class OtlpReceiver implements AutoCloseable {

  private final HttpServer server;
  private final List<ExportMetricsServiceRequest> metrics = new CopyOnWriteArrayList<>();
  private final List<ExportLogsServiceRequest> logs = new CopyOnWriteArrayList<>();
  private final List<String> encodings = new CopyOnWriteArrayList<>();

  public OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/metrics", exchange -> handle(exchange, true));
    server.createContext("/v1/logs", exchange -> handle(exchange, false));
    server.start();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange, boolean isMetrics) throws IOException {
    try (exchange) {
      String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
      encodings.add(encoding == null ? "identity" : encoding);
      InputStream body = exchange.getRequestBody();
      if ("gzip".equalsIgnoreCase(encoding)) {
        body = new GZIPInputStream(body);
      }
      byte[] response;
      if (isMetrics) {
        metrics.add(ExportMetricsServiceRequest.parseFrom(body));
        response = ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
      } else {
        logs.add(ExportLogsServiceRequest.parseFrom(body));
        response = ExportLogsServiceResponse.getDefaultInstance().toByteArray();
      }
      exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, response.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(response);
      }
    }
  }

  /** Every metric received so far, with the resource it came with. */
  public List<Received> receivedMetrics() {
    List<Received> out = new ArrayList<>();
    for (ExportMetricsServiceRequest r : metrics) {
      for (ResourceMetrics rm : r.getResourceMetricsList()) {
        for (ScopeMetrics sm : rm.getScopeMetricsList()) {
          for (Metric m : sm.getMetricsList()) {
            out.add(new Received(rm, sm.getScope().getName(), m));
          }
        }
      }
    }
    return out;
  }

  public List<ExportLogsServiceRequest> receivedLogs() {
    return List.copyOf(logs);
  }

  /** Content-Encoding of every request. */
  public List<String> encodings() {
    return List.copyOf(encodings);
  }

  /** One decoded metric and where it came from. */
  public record Received(ResourceMetrics resource, String scope, Metric metric) {
    public String resourceAttribute(String key) {
      return resource.getResource().getAttributesList().stream().filter(a -> a.getKey().equals(key))
          .map(a -> a.getValue().getStringValue()).findFirst().orElse(null);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
