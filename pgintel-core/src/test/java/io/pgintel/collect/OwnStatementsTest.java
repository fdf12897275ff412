package io.pgintel.collect;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.sql.SqlEngine;
import org.junit.jupiter.api.Test;

/** pgintel's own statements are told from the application's however the server stored their text. */
class OwnStatementsTest {

  private static boolean sent(String stored) {
    return OwnStatements.sent(SqlEngine.analyzeUncached(stored, false), stored);
  }

  @Test
  void aStatementPgintelSentIsKnownByItsFingerprintWithoutItsMark() {
    OwnStatements.register(
        "SELECT extract(epoch FROM now()) AS own_statements_test FROM pg_stat_activity WHERE pid = ?");
    assertTrue(sent("SELECT EXTRACT($1 FROM now()) AS own_statements_test FROM pg_stat_activity WHERE pid = $2"));
    assertFalse(sent("SELECT EXTRACT($1 FROM now()) AS own_statements_test FROM pg_stat_activity WHERE pid > $2"));
  }

  @Test
  void theApplicationsSavepointsAreItsOwnWhereTheServerKeepsTheirNames() {
    for (String sql : new String[] {"SAVEPOINT pgintel_plan", "RELEASE SAVEPOINT pgintel_plan",
        "ROLLBACK TO SAVEPOINT pgintel_plan", "DEALLOCATE pgintel_plan"}) {
      OwnStatements.register(sql);
    }
    // PostgreSQL 13-16 keep the name: the application's savepoints are entries of their own
    assertFalse(sent("SAVEPOINT PGJDBC_AUTOSAVE"));
    assertFalse(sent("RELEASE SAVEPOINT PGJDBC_AUTOSAVE"));
    assertFalse(sent("ROLLBACK TO SAVEPOINT PGJDBC_AUTOSAVE"));
    assertFalse(sent("DEALLOCATE S_1"));
    // 17+ store $1: one entry for pgintel's and the application's alike, pgintel's then
    assertTrue(sent("SAVEPOINT $1"));
    assertTrue(sent("RELEASE SAVEPOINT $1"));
    assertTrue(sent("ROLLBACK TO SAVEPOINT $1"));
    assertTrue(sent("DEALLOCATE $1"));
  }
}
