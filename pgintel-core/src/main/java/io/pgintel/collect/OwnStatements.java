package io.pgintel.collect;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pgintel.sql.SqlEngine;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fingerprints of every statement pgintel sends, so that statistics views can leave pgintel's own work out.
 * The {@code /* pgintel *}{@code /} marker alone is not enough: PostgreSQL 18 stores statement texts without
 * leading comments. The set is small and fixed (pgintel's own SQL), and fingerprints ignore comments and
 * constants, so a statement matches however the server spelled it back.
 */
public final class OwnStatements {

  private static final int MAX = 1024;
  private static final Map<String, Boolean> SEEN = new ConcurrentHashMap<>();
  private static final Set<Long> FINGERPRINTS = ConcurrentHashMap.newKeySet();
  /** Statements built around an application's text ({@code EXPLAIN <its query>}): many, so bounded. */
  private static final Cache<Long, Boolean> AROUND_APPLICATION_TEXT = Caffeine.newBuilder().maximumSize(4096).build();

  private OwnStatements() {}

  /** Records a statement pgintel is about to send. Cheap after the first time for a given text. */
  static void register(String sql) {
    if (SEEN.size() < MAX && SEEN.putIfAbsent(sql, Boolean.TRUE) == null) {
      // the name of a savepoint or prepared statement is a constant to the engine, as PostgreSQL 17+ stores it
      // (SAVEPOINT $1): such statements of the application's share the fingerprint
      FINGERPRINTS.add(SqlEngine.analyzeUncached(sql, true).fingerprintBits());
    }
  }

  /** Records a statement pgintel sends around a text of the application's, such as {@code EXPLAIN <query>}. */
  static void registerAroundApplicationText(String sql) {
    AROUND_APPLICATION_TEXT.put(SqlEngine.analyzeUncached(sql, false).fingerprintBits(), Boolean.TRUE);
  }

  /** Whether a fingerprint is that of a statement pgintel sent. */
  public static boolean contains(long fingerprint) {
    return FINGERPRINTS.contains(fingerprint) || AROUND_APPLICATION_TEXT.getIfPresent(fingerprint) != null;
  }
}
