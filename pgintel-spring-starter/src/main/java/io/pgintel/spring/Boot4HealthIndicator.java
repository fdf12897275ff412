package io.pgintel.spring;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** The {@code pgintel} health contributor on Spring Boot 4 ({@code org.springframework.boot.health}). */
final class Boot4HealthIndicator implements HealthIndicator {

  private final PgIntelHealth health;

  Boot4HealthIndicator(PgIntelHealth health) {
    this.health = health;
  }

  @Override
  public Health health() {
    PgIntelHealth.Report report = health.check();
    return (report.up() ? Health.up() : Health.down()).withDetails(report.details()).build();
  }
}
