package io.pgintel.trace;

import java.sql.Connection;
import javax.sql.DataSource;

/**
 * Wraps the application's DataSource so that each statement records, for the session it runs on, the current
 * span: {@code pgintel.wrap(dataSource)}. SQL text is never touched (rewriting it would defeat prepared
 * statement caches), results and exceptions pass through unchanged, and a failure of pgintel's own bookkeeping
 * never reaches the application.
 *
 * <p>The wrappers are plain delegating classes ({@link TracedConnection} and its statements): a connection is
 * borrowed for every operation an application runs, and reflective proxies cost microseconds per operation where
 * these cost an allocation and a direct call.
 */
public final class TracingDataSource {

  private TracingDataSource() {}

  /** The same DataSource, with statements linked to spans in {@code registry}. Wrapping twice is a no-op. */
  public static DataSource wrap(DataSource target, SessionRegistry registry) {
    return target instanceof TracedDataSource ? target : new TracedDataSource(target, registry);
  }

  /**
   * One connection with statements linked to spans in {@code registry}: for integrations that keep the
   * application's own DataSource object and intercept {@code getConnection()} themselves (the Spring starter's
   * AOP proxy keeps the pool's type). Closing it forgets the session. A connection already wrapped for
   * {@code registry} is returned as it is.
   */
  public static Connection wrapConnection(Connection target, SessionRegistry registry) {
    if (target == null || target instanceof TracedConnection t && t.tracedFor(registry)) {
      return target;
    }
    return new TracedConnection(target, registry);
  }
}
