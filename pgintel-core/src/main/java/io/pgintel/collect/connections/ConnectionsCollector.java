package io.pgintel.collect.connections;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.SqlSession;
import io.pgintel.trace.TraceLink;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts server processes from {@code pg_stat_activity} by database, state, application, user, backend type and
 * wait event type, and reads the connection limits.
 *
 * <p>pgintel's own session is counted as idle: it is an application pool connection that would be idle if
 * pgintel were not using it this instant. Groups beyond {@value #MAX_GROUPS} (many distinct application names)
 * are folded into one {@code other} group so that the metric's cardinality stays bounded and its total true.
 * Whether its own session is a connection opened a moment ago tells whether pgintel adds connections of its own,
 * which decides whether idle connections near the limit are a reason for it to pause
 * ({@link io.pgintel.runtime.Breakers}).
 */
public final class ConnectionsCollector extends NamedCollector {

  public static final String NAME = "connections";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);

  static final int MAX_GROUPS = 300;

  static final String SQL = """
      SELECT coalesce(datname, '') AS datname,
             CASE WHEN pid = pg_backend_pid() THEN 'idle' ELSE coalesce(state, '') END AS state,
             coalesce(application_name, '') AS application_name,
             coalesce(usename, '') AS usename,
             coalesce(backend_type, '') AS backend_type,
             CASE WHEN pid = pg_backend_pid() THEN '' ELSE coalesce(wait_event_type, '') END AS wait_event_type,
             count(*) AS connections
      FROM pg_stat_activity
      GROUP BY 1, 2, 3, 4, 5, 6
      ORDER BY connections DESC, 1, 2, 3, 4, 5, 6""";

  static final String LIMITS_SQL = """
      SELECT current_setting('max_connections')::bigint AS max_connections,
             current_setting('superuser_reserved_connections')::bigint
               + coalesce(current_setting('reserved_connections', true), '0')::bigint AS reserved,
             coalesce((SELECT backend_start > now() - interval '5 seconds'
                       FROM pg_stat_activity WHERE pid = pg_backend_pid()), true) AS new_session""";


  /**
   * Groups that became one when a traceparent was taken out of their application's name (a client that puts one
   * per request in application_name would otherwise make a group, and a series, per session), busiest first.
   */
  static List<ConnectionGroup> merged(List<ConnectionGroup> groups) {
    Map<ConnectionGroup, Long> sums = new LinkedHashMap<>();
    for (ConnectionGroup g : groups) {
      sums.merge(new ConnectionGroup(g.database(), g.state(), g.application(), g.user(), g.backendType(),
          g.waitEventType(), 0), g.count(), Long::sum);
    }
    List<ConnectionGroup> out = new ArrayList<>(sums.size());
    sums.forEach((k, count) -> out.add(new ConnectionGroup(k.database(), k.state(), k.application(), k.user(),
        k.backendType(), k.waitEventType(), count)));
    // ties by the group's fields, so that which groups make the cut does not change from one reading to the next
    out.sort(Comparator.comparingLong(ConnectionGroup::count).reversed().thenComparing(ConnectionGroup::database)
        .thenComparing(ConnectionGroup::state).thenComparing(ConnectionGroup::application)
        .thenComparing(ConnectionGroup::user).thenComparing(ConnectionGroup::backendType)
        .thenComparing(ConnectionGroup::waitEventType));
    return out;
  }

  /**
   * Roles that may log in and databases that take connections, each with a limit of its own; at most 100 of each.
   * Superusers are held to neither: their roles are left out.
   */
  static final String SET_LIMITS_SQL = """
      (SELECT 'role' AS kind, rolname::text AS name, rolconnlimit::bigint AS connection_limit FROM pg_roles
       WHERE rolcanlogin AND NOT rolsuper AND rolconnlimit >= 0 ORDER BY rolconnlimit, rolname LIMIT 100)
      UNION ALL
      (SELECT 'database', datname::text, datconnlimit::bigint FROM pg_database
       WHERE datallowconn AND datconnlimit >= 0 ORDER BY datconnlimit, datname LIMIT 100)""";

  private static final String LIMITS_WITH_SET = SqlSession.oneWithMany(LIMITS_SQL, SET_LIMITS_SQL);

  public ConnectionsCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    List<ConnectionGroup> groups = merged(session.query(SQL, r -> new ConnectionGroup(r.string("datname"),
        r.string("state"), TraceLink.withoutTraceparent(r.string("application_name")), r.string("usename"),
        r.string("backend_type"), r.string("wait_event_type"), r.getLong("connections"))));
    List<Record> out = new ArrayList<>(Math.min(groups.size(), MAX_GROUPS) + 4);
    long folded = 0;
    for (int i = 0; i < groups.size(); i++) {
      if (i < MAX_GROUPS) {
        out.add(groups.get(i));
      } else {
        folded += groups.get(i).count();
      }
    }
    if (folded > 0) {
      out.add(ConnectionGroup.other(folded));
    }
    // the server's limits and each role's or database's own, in one round trip
    SqlSession.OneWithMany<ConnectionLimits, ConnectionLimit> limits = session.queryOneWithMany(LIMITS_WITH_SET,
        "kind", r -> new ConnectionLimits(r.getLong("max_connections"), r.getLong("reserved"),
            r.getBoolean("new_session")),
        r -> new ConnectionLimit(r.string("kind"), r.string("name"), r.getLong("connection_limit")));
    out.add(limits.one());
    out.addAll(limits.many());
    return out;
  }
}
