package io.pgintel.samples.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.pgintel.spring.PgIntelMonitors;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The sample as a user runs it, on Spring Boot 4: an embedded PostgreSQL, the real web server, HTTP calls, and
 * what pgintel makes of them in {@code /actuator/health}, {@code /actuator/pgintel} and the metrics.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ShopApplicationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();

  @Value("${local.server.port}")
  int port;

  @Autowired
  PgIntelMonitors monitors;

  @Autowired
  InMemoryMetricReader metricReader;

  @Test
  void healthShowsPgintel() throws Exception {
    JsonNode health = get("/actuator/health");
    JsonNode pgintel = health.path("components").path("pgintel");
    assertThat(pgintel.path("status").asString()).isEqualTo("UP");
    assertThat(pgintel.path("details").path("dataSource").path("collectors").path("statements").asString())
        .isEqualTo("ACTIVE");
  }

  @Test
  void endpointShowsTheWorkloadsQueries() throws Exception {
    // the statements collector reports the difference between two reads: one before the workload, one after
    monitors.collectNow();
    assertThat(get("/products?maxPrice=30").size()).isEqualTo(3);
    List<Long> orders = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      orders.add(post("/orders", "{\"productId\": " + (1 + i % 4) + ", \"quantity\": 2}").path("id").asLong());
    }
    for (long id : orders) {
      assertThat(get("/orders/" + id).path("quantity").asInt()).isEqualTo(2);
    }
    monitors.collectNow();

    JsonNode report = get("/actuator/pgintel");
    JsonNode database = report.path("databases").get(0);
    assertThat(database.path("dataSource").asString()).isEqualTo("dataSource");
    List<String> summaries = new ArrayList<>();
    JsonNode insert = null;
    for (JsonNode q : database.path("topQueries")) {
      summaries.add(q.path("summary").asString());
      if (q.path("query").asString("").startsWith("INSERT INTO shop_orders")) {
        insert = q;
      }
    }
    assertThat(summaries).contains("SELECT shop_products", "UPDATE shop_products", "INSERT shop_orders");
    assertThat(insert).as("INSERT INTO shop_orders among %s", summaries).isNotNull();
    assertThat(insert.path("calls").asLong()).isEqualTo(12);
    // obfuscated: parameters, never values
    assertThat(insert.path("query").asString()).contains("$1").doesNotContain("'");
  }

  @Test
  void metricsReachTheApplicationsOpenTelemetryWithItsResource() throws Exception {
    get("/products");
    monitors.collectNow();
    Collection<MetricData> metrics = metricReader.collectAllMetrics();
    MetricData commits = metrics.stream().filter(m -> m.getName().equals("postgresql.commits")).findFirst()
        .orElseThrow(() -> new AssertionError("no postgresql.commits among " + metrics.stream()
            .map(MetricData::getName).toList()));
    assertThat(commits.getResource().getAttribute(AttributeKey.stringKey("service.name")))
        .isEqualTo("pgintel-sample-shop");
  }

  private JsonNode get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET().build(), 200);
  }

  private JsonNode post(String path, String body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), 201);
  }

  private JsonNode send(HttpRequest request, int expectedStatus) throws Exception {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s %s: %s", request.method(), request.uri(), response.body())
        .isEqualTo(expectedStatus);
    return JSON.readTree(response.body());
  }

  private URI uri(String path) {
    return URI.create("http://localhost:" + port + path);
  }

  /** The application's OpenTelemetry, as an application with its own SDK would declare it. */
  @TestConfiguration(proxyBeanMethods = false)
  static class Telemetry {

    @Bean
    InMemoryMetricReader metricReader() {
      return InMemoryMetricReader.create();
    }

    @Bean(destroyMethod = "close")
    OpenTelemetrySdk openTelemetry(InMemoryMetricReader reader,
        @Value("${spring.application.name}") String applicationName) {
      Resource resource = Resource.getDefault().merge(Resource.builder().put("service.name", applicationName)
          .build());
      return OpenTelemetrySdk.builder()
          .setMeterProvider(SdkMeterProvider.builder().setResource(resource).registerMetricReader(reader).build())
          .build();
    }
  }
}
