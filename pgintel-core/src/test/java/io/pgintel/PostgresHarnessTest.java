package io.pgintel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.test.PgServer;
import io.pgintel.test.PgTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

class PostgresHarnessTest {

  @PgTest
  void serverHasPgStatStatementsPreloadedAndQueryIdsComputed(PgServer pg) throws Exception {
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int / 10000,"
          + " current_setting('shared_preload_libraries'),"
          + " (SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements')");
      rs.next();
      assertEquals(pg.majorVersion(), rs.getInt(1));
      assertTrue(rs.getString(2).contains("pg_stat_statements"), rs.getString(2));
      assertEquals(1, rs.getInt(3));
      if (pg.majorVersion() >= 14) {
        rs = s.executeQuery("SELECT current_setting('compute_query_id')");
        rs.next();
        assertEquals("on", rs.getString(1));
      }
      rs = s.executeQuery("SELECT count(*) FROM pg_stat_statements");
      rs.next();
      assertTrue(rs.getLong(1) >= 0);
    }
  }
}
