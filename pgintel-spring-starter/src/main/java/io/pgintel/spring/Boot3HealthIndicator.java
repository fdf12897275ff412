package io.pgintel.spring;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/** The {@code pgintel} health contributor on Spring Boot 3 ({@code org.springframework.boot.actuate.health}). */
final class Boot3HealthIndicator implements HealthIndicator {

  private final PgIntelHealth health;

  Boot3HealthIndicator(PgIntelHealth health) {
    this.health = health;
  }

  @Override
  public Health health() {
    PgIntelHealth.Report report = health.check();
    return (report.up() ? Health.up() : Health.down()).withDetails(report.details()).build();
  }
}
