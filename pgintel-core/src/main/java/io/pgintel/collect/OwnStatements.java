package io.pgintel.collect;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pgintel.sql.NormalizedQuery;
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
  /** Statements that name a savepoint or prepared statement, by the operation the SQL engine reads. */
  private static final Set<String> NAMING = Set.of("SAVEPOINT", "RELEASE", "ROLLBACK", "DEALLOCATE");
  private static final Map<String, Boolean> SEEN = new ConcurrentHashMap<>();
  private static final Set<Long> FINGERPRINTS = ConcurrentHashMap.newKeySet();
  /**
   * Fingerprints of pgintel's statements that name a savepoint or prepared statement ({@code SAVEPOINT
   * pgintel_plan}): the name is a constant to the engine, so the application's own such statements share them.
   */
  private static final Set<Long> NAMING_FINGERPRINTS = ConcurrentHashMap.newKeySet();
  /** Statements built around an application's text ({@code EXPLAIN <its query>}): many, so bounded. */
  private static final Cache<Long, Boolean> AROUND_APPLICATION_TEXT = Caffeine.newBuilder().maximumSize(4096).build();

  private OwnStatements() {}

  /** Records a statement pgintel is about to send. Cheap after the first time for a given text. */
  static void register(String sql) {
    if (SEEN.size() < MAX && SEEN.putIfAbsent(sql, Boolean.TRUE) == null) {
      NormalizedQuery q = SqlEngine.analyzeUncached(sql, true);
      (NAMING.contains(q.operation()) ? NAMING_FINGERPRINTS : FINGERPRINTS).add(q.fingerprintBits());
    }
  }

  /** Records a statement pgintel sends around a text of the application's, such as {@code EXPLAIN <query>}. */
  static void registerAroundApplicationText(String sql) {
    AROUND_APPLICATION_TEXT.put(SqlEngine.analyzeUncached(sql, false).fingerprintBits(), Boolean.TRUE);
  }

  /**
   * Whether a statement a statistics view reports is one pgintel sent, by its fingerprint ({@code q}, of
   * {@code storedText}). One that names a savepoint or prepared statement counts only where the server stored no
   * name ({@code SAVEPOINT $1}, PostgreSQL 17+, one entry for pgintel's and the application's alike): before 17
   * the application's own are entries of their own, with their names, and pgintel's carry the marker.
   */
  public static boolean sent(NormalizedQuery q, String storedText) {
    long fingerprint = q.fingerprintBits();
    return FINGERPRINTS.contains(fingerprint) || AROUND_APPLICATION_TEXT.getIfPresent(fingerprint) != null
        || NAMING_FINGERPRINTS.contains(fingerprint) && storedText.indexOf('$') >= 0;
  }
}
