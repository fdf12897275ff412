package io.pgintel.collect.functions;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * The {@value #MAX_FUNCTIONS} most called user functions of the monitored database, from
 * {@code pg_stat_user_functions}. The server fills that view only with {@code track_functions = pl} or
 * {@code all}; without it the collector reports nothing and costs one empty query.
 */
public final class FunctionsCollector extends NamedCollector {

  public static final String NAME = "functions";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
  static final int MAX_FUNCTIONS = 100;

  static final String SQL = """
      SELECT quote_ident(schemaname) || '.' || quote_ident(funcname) AS function, calls, total_time, self_time
      FROM pg_stat_user_functions ORDER BY calls DESC LIMIT\s""" + MAX_FUNCTIONS;

  public FunctionsCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    String db = session.server().database();
    return session.query(SQL, r -> new FunctionStats(db, r.string("function"), r.getLong("calls"),
        r.getDouble("total_time"), r.getDouble("self_time")));
  }
}
