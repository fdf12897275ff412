package io.pgintel.collect;

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

  private OwnStatements() {}

  /** Records a statement pgintel is about to send. Cheap after the first time for a given text. */
  static void register(String sql) {
    if (SEEN.size() < MAX && SEEN.putIfAbsent(sql, Boolean.TRUE) == null) {
      FINGERPRINTS.add(SqlEngine.analyzeUncached(sql, true).fingerprintBits());
    }
  }

  /** Whether a fingerprint is that of a statement pgintel sent. */
  public static boolean contains(long fingerprint) {
    return FINGERPRINTS.contains(fingerprint);
  }
}
