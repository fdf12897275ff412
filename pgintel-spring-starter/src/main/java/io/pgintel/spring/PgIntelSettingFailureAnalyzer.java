package io.pgintel.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a refused {@code pgintel.*} property into Boot's startup report, naming the property and the fix. */
final class PgIntelSettingFailureAnalyzer extends AbstractFailureAnalyzer<InvalidPgIntelSettingException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidPgIntelSettingException cause) {
    String property = cause.property();
    String description = property == null
        ? "pgintel could not start: " + cause.getMessage()
        : "Invalid pgintel property '" + property + "':\n\n    " + cause.getMessage();
    String action = property == null
        ? "Correct the pgintel.* properties (see the pgintel README, section Settings), or set pgintel.enabled=false."
        : "Correct '" + property + "' in the application's configuration (properties, YAML, environment or "
            + "system properties), or remove it to use pgintel's default.";
    return new FailureAnalysis(description, action, cause);
  }
}
