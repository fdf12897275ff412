package io.pgintel.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pgintel.test.PostgresServers;
import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.Test;

/** The text of a statement, from what the statement path kept: the application's JDBC text or pgjdbc's objects. */
class StatementTextTest {

  @Test
  void jdbcTextIsTakenAsItIsButACallEscapeIsNot() {
    assertEquals(new StatementText("SELECT * FROM t WHERE id = ?", true),
        StatementText.of("SELECT * FROM t WHERE id = ?"));
    // the driver sends something else for it (select * from f($1) as result): no fingerprint to match
    assertNull(StatementText.of("  {call f(?)}"));
    assertNull(StatementText.of("{? = call f(?)}"));
    assertNull(StatementText.of(null));
    assertNull(StatementText.of(new Object()), "not a driver object pgintel knows");
  }

  /** What the agent's hooks hand over: the driver's cached query, or a batch's query, read as the server's text. */
  @Test
  void theDriversQueryObjectsGiveTheTextTheServerGets() throws Exception {
    try (Connection c = PostgresServers.newest().connect();
        PreparedStatement ps = c.prepareStatement("SELECT ?::int AS n WHERE {fn abs(?)} > 0")) {
      Object driverStatement = ps.unwrap(org.postgresql.PGStatement.class);
      Field preparedQuery = driverStatement.getClass().getDeclaredField("preparedQuery");
      preparedQuery.setAccessible(true);
      Object cachedQuery = preparedQuery.get(driverStatement);
      StatementText fromCached = StatementText.of(cachedQuery);
      assertEquals(new StatementText("SELECT $1::int AS n WHERE abs($2) > 0", false), fromCached);

      Object query = cachedQuery.getClass().getField("query").get(cachedQuery);
      assertEquals(fromCached, StatementText.of(query), "a batch's query, as its first one is handed over");
    }
  }
}
