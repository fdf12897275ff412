package io.pgintel.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SqlEngineTest {

  @Test
  void nullInputGivesTheEmptyResultInsteadOfThrowing() {
    SqlEngine engine = SqlEngine.create();
    NormalizedQuery server = engine.server(null);
    NormalizedQuery jdbc = engine.jdbc(null);
    assertEquals("", server.text());
    assertEquals("", server.operation());
    assertEquals(List.of(), server.tables());
    assertEquals(Map.of(), server.comments());
    assertFalse(server.truncated());
    assertEquals(engine.server("").fingerprint(), server.fingerprint());
    assertEquals(server.fingerprint(), jdbc.fingerprint());
  }

  @Test
  void repeatedTextIsServedFromTheCacheAndCounted() {
    SqlEngine engine = SqlEngine.create();
    NormalizedQuery first = engine.server("SELECT * FROM t WHERE id = 1");
    NormalizedQuery second = engine.server("SELECT * FROM t WHERE id = 1");
    engine.jdbc("SELECT * FROM t WHERE id = ?");
    assertSame(first, second);
    SqlEngine.CacheStats stats = engine.cacheStats();
    assertEquals(1, stats.hitCount());
    assertEquals(2, stats.missCount());
    assertEquals(1.0 / 3, stats.hitRate(), 1e-9);
  }

  @Test
  void serverAndJdbcCachesAreSeparateBecauseTheSameTextMeansDifferentThings() {
    SqlEngine engine = SqlEngine.create();
    // in server text ? is the JSON operator; in JDBC text it is a parameter
    NormalizedQuery server = engine.server("SELECT data ? 'k' FROM d");
    NormalizedQuery jdbc = engine.jdbc("SELECT data ? 'k' FROM d");
    assertNotEquals(server.fingerprint(), jdbc.fingerprint());
    assertEquals("SELECT data ? $1 FROM d", server.text());
  }

  @Test
  void disabledCacheStillAnalysesAndReportsZeroStats() {
    SqlEngine engine = SqlEngine.builder().cache(false).build();
    assertEquals("SELECT $1", engine.server("SELECT 1").text());
    assertEquals("SELECT ?", engine.jdbc("SELECT 1").text());
    assertEquals(new SqlEngine.CacheStats(0, 0, 0), engine.cacheStats());
  }

  @Test
  void tinyCacheWeightEvictsButStillReturnsCorrectResults() {
    SqlEngine engine = SqlEngine.builder().maxCacheWeight(1024).build();
    for (int i = 0; i < 200; i++) {
      assertEquals("SELECT c" + i + " FROM t WHERE a = $1",
          engine.server("SELECT c" + i + " FROM t WHERE a = " + i).text());
    }
  }

  @Test
  void builderRefusesANonPositiveCacheWeightNamingTheSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SqlEngine.builder().maxCacheWeight(0));
    assertTrue(e.getMessage().contains("maxCacheWeight"), e.getMessage());
  }

  @Test
  void cachedAndUncachedResultsAgree() {
    SqlEngine engine = SqlEngine.create();
    String sql = "SELECT a FROM \"App\".t WHERE b IN (1, 2) /*traceparent='00-a-b-01'*/";
    assertEquals(SqlEngine.analyzeUncached(sql, false), engine.server(sql));
    assertEquals(SqlEngine.analyzeUncached(sql, true), engine.jdbc(sql));
  }

  @Test
  void oversizedInputBypassesTheCache() {
    SqlEngine engine = SqlEngine.create();
    String big = "SELECT " + "a, ".repeat(40_000) + "b FROM t";
    engine.server(big);
    engine.server(big);
    assertEquals(0, engine.cacheStats().hitCount() + engine.cacheStats().missCount());
  }

  @Test
  void resultCollectionsAreImmutable() {
    NormalizedQuery q = SqlEngine.analyzeUncached("SELECT * FROM a JOIN b ON true /*route='x'*/", false);
    assertThrows(UnsupportedOperationException.class, () -> q.tables().add("c"));
    assertThrows(UnsupportedOperationException.class, () -> q.comments().put("k", "v"));
  }

  @Test
  void concurrentCallersGetTheSameAnswersAsASingleThread() throws Exception {
    SqlEngine engine = SqlEngine.builder().maxCacheWeight(64 * 1024).build();
    List<String> statements = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      statements.add("SELECT c" + (i % 50) + " FROM t" + (i % 7) + " WHERE x IN (" + i + ", " + (i + 1)
          + ") AND y = '" + i + "'");
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> futures = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        futures.add(pool.submit(() -> {
          for (int round = 0; round < 20; round++) {
            for (String sql : statements) {
              NormalizedQuery expected = SqlEngine.analyzeUncached(sql, round % 2 == 0);
              NormalizedQuery actual = round % 2 == 0 ? engine.jdbc(sql) : engine.server(sql);
              if (!expected.equals(actual)) {
                return false;
              }
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> f : futures) {
        assertTrue(f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
