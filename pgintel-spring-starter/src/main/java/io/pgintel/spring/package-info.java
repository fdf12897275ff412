/**
 * Spring Boot auto-configuration for pgintel: every PostgreSQL {@code DataSource} bean monitored, settings as
 * {@code pgintel.*} properties, the application's {@code OpenTelemetry} bean used when it has one, and, with
 * Actuator, a {@code pgintel} health contributor and endpoint. Works on Spring Boot 3.5 and 4.x.
 */
package io.pgintel.spring;
