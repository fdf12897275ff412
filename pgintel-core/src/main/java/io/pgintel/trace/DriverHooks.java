package io.pgintel.trace;

import java.lang.ref.WeakReference;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
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
  /** Slots looked at for one connection before its entry takes the place of another's. */
  private static final int PROBES = 4;
  /** How long a connection whose database has no registry waits before it is asked again. */
  static final long RETRY_NANOS = 1_000_000_000L;

  private final Function<Object, SessionRegistry> registryOf;
  private final AtomicReferenceArray<Entry> entries = new AtomicReferenceArray<>(SLOTS);

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
   * @return what {@link #exit} takes when it has ended, or null when the statement is not recorded
   */
  public Object enter(Object connection) {
    try {
      Entry e = find(connection);
      if (e == null || e.stale()) {
        e = resolve(connection);
      }
      SessionRegistry.Session s = e.session;
      if (s != null) {
        e.registry.executing(s);
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
    Entry e = find(connection);
    return e != null && e.session != null && !e.session.detached() ? e.session.pid() : -1;
  }

  private Entry find(Object connection) {
    int slot = System.identityHashCode(connection);
    for (int i = 0; i < PROBES; i++) {
      Entry e = entries.get((slot + i) & (SLOTS - 1));
      if (e != null && e.get() == connection) {
        return e;
      }
    }
    return null;
  }

  /** The connection's entry, made anew: in its own slot, a free one or one whose connection is gone, else the first. */
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
    Entry made = new Entry(connection, registry, session, System.nanoTime() + RETRY_NANOS);
    int slot = System.identityHashCode(connection);
    int target = slot & (SLOTS - 1);
    for (int i = 0; i < PROBES; i++) {
      int at = (slot + i) & (SLOTS - 1);
      Entry e = entries.get(at);
      if (e == null || e.get() == null || e.get() == connection) {
        target = at;
        break;
      }
    }
    entries.set(target, made);
    return made;
  }

  /** A driver connection, held weakly, and where its statements are recorded (both null when nowhere). */
  private static final class Entry extends WeakReference<Object> {
    final SessionRegistry registry;
    final SessionRegistry.Session session;
    final long retryAt;

    Entry(Object connection, SessionRegistry registry, SessionRegistry.Session session, long retryAt) {
      super(connection);
      this.registry = registry;
      this.session = session;
      this.retryAt = retryAt;
    }

    /** A session a sweep dropped, or no session and time to ask again. */
    boolean stale() {
      return session != null ? session.detached() : System.nanoTime() - retryAt >= 0;
    }
  }
}
