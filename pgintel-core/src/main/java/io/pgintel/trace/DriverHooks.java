package io.pgintel.trace;

import java.util.Objects;
import java.util.function.Function;

/**
 * What code woven into the PostgreSQL driver's statement execution calls (the agent's advice on pgjdbc): the same
 * records as {@link TracingDataSource}'s wrappers, the current span and thread for the session a statement runs on,
 * with no wrapper objects. The advice hands over the driver's own connection, so the session is found by that
 * object's identity: the first statement of a connection asks {@code registryOf} which registry serves its
 * database and the driver for its backend pid, the others find both in a small table.
 *
 * <p>Nothing releases a session when the application gives a connection back to its pool; the next statement on it
 * binds the span it runs under, and the sampler leaves idle sessions out anyway. A connection whose database has
 * no registry yet (pgintel is still finding out what it is) is asked again after {@link #RETRY_NANOS}.
 *
 * <p>Never throws: a failure of pgintel's bookkeeping leaves the statement unlinked and nothing else.
 */
public final class DriverHooks {

  /** Slots of the table of connections; a power of two. */
  static final int SLOTS = 1024;
  /** How long a connection whose database has no registry waits before it is asked again. */
  static final long RETRY_NANOS = 1_000_000_000L;

  private final Function<Object, SessionRegistry> registryOf;
  private final WeakIdentitySlots<Entry> entries = new WeakIdentitySlots<>(SLOTS);

  /**
   * @param registryOf the registry of the database a driver connection reaches, or null when it is not monitored
   *     (yet); called once per connection, on the application's thread, and must not run statements
   */
  public DriverHooks(Function<Object, SessionRegistry> registryOf) {
    this.registryOf = Objects.requireNonNull(registryOf, "registryOf");
  }

  /**
   * Before a statement of the driver's {@code connection} runs.
   *
   * @param statement the driver's query object ({@code CachedQuery}, or a batch's first {@code Query}), kept as a
   *     reference for the sampler to read the text from later; or null
   * @return what {@link #exit} takes when it has ended, or null when the statement is not recorded
   */
  public Object enter(Object connection, Object statement) {
    try {
      Entry e = entries.get(connection);
      if (e == null || e.stale()) {
        e = resolve(connection);
      }
      SessionRegistry.Session s = e.session();
      if (s != null) {
        e.registry().executing(s, statement);
      }
      return s;
    } catch (RuntimeException | LinkageError failure) {
      return null; // the statement runs all the same, unlinked
    }
  }

  /** After the statement ran (or threw), with what {@link #enter} returned. */
  public void exit(Object token) {
    if (token instanceof SessionRegistry.Session s) {
      s.finished();
    }
  }

  /** The backend pid this connection's statements are recorded for, or -1: for diagnostics and tests. */
  public int linkedPid(Object connection) {
    Entry e = entries.get(connection);
    SessionRegistry.Session s = e == null ? null : e.session();
    return s != null && !s.detached() ? s.pid() : -1;
  }

  /** The connection's entry, made anew. */
  private Entry resolve(Object connection) {
    SessionRegistry registry;
    SessionRegistry.Session session = null;
    try {
      registry = registryOf.apply(connection);
      if (registry != null) {
        session = registry.session(connection);
      }
    } catch (RuntimeException | LinkageError e) {
      registry = null;
    }
    Entry made = new Entry(registry, session, System.nanoTime() + RETRY_NANOS);
    entries.put(connection, made);
    return made;
  }

  /** Where a driver connection's statements are recorded (both null when nowhere). */
  private record Entry(SessionRegistry registry, SessionRegistry.Session session, long retryAt) {

    /** A session a sweep dropped, or no session and time to ask again. */
    boolean stale() {
      return session != null ? session.detached() : System.nanoTime() - retryAt >= 0;
    }
  }
}
