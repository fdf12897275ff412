package io.opentelemetry.instrumentation.api.incubator.semconv.db;

/**
 * OpenTelemetry's SQL sanitizer without the cache its public {@link SqlStatementSanitizer#sanitize} puts in front
 * (a bounded map of 1,000 statements, a key object and a lambda per call): its lexer alone, reachable only from its
 * own package. The SQL engine benchmark measures pgintel without its cache, so this is the like-for-like figure.
 */
public final class UncachedSanitizer {

  private UncachedSanitizer() {}

  public static SqlStatementInfo sanitize(String sql) {
    return AutoSqlSanitizer.sanitize(sql, SqlDialect.DEFAULT);
  }
}
