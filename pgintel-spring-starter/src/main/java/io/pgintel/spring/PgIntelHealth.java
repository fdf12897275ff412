package io.pgintel.spring;

import io.pgintel.collect.CollectorStatus;
import io.pgintel.spring.PgIntelMonitors.Monitor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the {@code pgintel} health contributor reports, independent of the Boot version's health API (Boot 4 moved
 * it to another package; one adapter per version wraps this).
 *
 * <p>pgintel is monitoring, not a dependency the application serves requests with: by default a failing
 * collector leaves the contributor UP, with the failure in its details, so that a database statistics problem
 * never takes the application out of a load balancer. {@code pgintel.health.fail-on-error=true} makes a
 * collector that is failing ({@code BACKING_OFF}) turn it DOWN. {@code UNAVAILABLE} (a missing extension or
 * privilege) never does: it is a setup matter the details explain.
 */
final class PgIntelHealth {

  private final PgIntelMonitors monitors;
  private final boolean failOnError;

  PgIntelHealth(PgIntelMonitors monitors, boolean failOnError) {
    this.monitors = monitors;
    this.failOnError = failOnError;
  }

  /** One health reading: UP or DOWN, and details keyed by DataSource bean name. */
  record Report(boolean up, Map<String, Object> details) {}

  Report check() {
    Map<String, Object> details = new LinkedHashMap<>();
    boolean failing = false;
    for (Monitor m : monitors.monitors()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("database", m.database());
      Instant lastSuccess = null;
      Map<String, String> states = new LinkedHashMap<>();
      List<String> errors = new ArrayList<>();
      for (CollectorStatus s : m.pgintel().status()) {
        states.put(s.name(), s.state().name());
        if (s.lastSuccess() != null && (lastSuccess == null || s.lastSuccess().isAfter(lastSuccess))) {
          lastSuccess = s.lastSuccess();
        }
        if (s.state() == CollectorStatus.State.BACKING_OFF) {
          failing = true;
          errors.add(s.name() + ": " + s.lastError() + " (" + s.consecutiveFailures() + " failures in a row)");
        } else if (s.state() == CollectorStatus.State.UNAVAILABLE) {
          errors.add(s.name() + ": " + s.detail());
        } else if (s.state() == CollectorStatus.State.STALLED) {
          // nothing failed: a detail, never DOWN (the application's own pool decides what it can serve)
          errors.add(s.name() + ": nothing read since " + (s.lastSuccess() == null ? "start" : s.lastSuccess())
              + " (its ticks were skipped: the pool had no connection free, or a circuit stayed open)");
        }
      }
      one.put("collectors", states);
      if (lastSuccess != null) {
        one.put("lastSuccess", lastSuccess.toString());
      }
      if (!errors.isEmpty()) {
        one.put("problems", errors);
      }
      details.put(m.dataSource(), one);
    }
    if (monitors.monitors().isEmpty()) {
      details.put("monitors", "none: no PostgreSQL DataSource selected, or the pgintel agent is active");
    }
    return new Report(!(failOnError && failing), details);
  }
}
