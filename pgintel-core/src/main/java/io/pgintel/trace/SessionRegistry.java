package io.pgintel.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which application span each database session (backend pid) serves, recorded while the application runs
 * statements (by {@link TracingDataSource}'s wrappers, or by the agent's hooks in the driver through
 * {@link DriverHooks}), read by the activity sampler.
 *
 * <p>The statement path only stores the current span and thread into the session's entry, which a borrowed
 * connection (or, through the hooks, a driver connection) finds once: a flag set before and cleared after each
 * statement, the span and thread only when they changed. The line of code is found at sampling time, from the
 * thread's stack, and only for sessions the sampler
 * sees active: stack walks cost microseconds and would not fit the per-statement budget, and most statements end
 * before any sample sees them.
 *
 * <p>A session's entry outlives its borrowing (a pool hands the same session out again and again, and looking it up
 * again costs more than keeping it); returning a connection only clears what the entry links to. Entries of
 * sessions that ended, or ran no statement for a while, are dropped when the map has grown past a bound, so it
 * holds about as many entries as the pools have connections.
 */
public final class SessionRegistry {

  /** Entries kept before those of ended sessions are dropped. */
  static final int SWEEP_AT = 1024;
  /** Slots of the cache by driver connection; a power of two. */
  private static final int KNOWN = 64;

  private final Map<Integer, Session> byPid = new ConcurrentHashMap<>();
  /** The session of a driver connection, found without its pid or a map lookup; written only on a miss. */
  private final WeakIdentitySlots<Session> known = new WeakIdentitySlots<>(KNOWN);
  private volatile int sweepAt = SWEEP_AT;
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private final CallSites callSites = new CallSites();

  /**
   * The entry of the session behind a driver connection ({@link BackendPid#physical}), or null when its pid cannot
   * be read; once per borrowed connection.
   */
  Session session(Object physical) {
    Session k = known.get(physical);
    if (k != null && !k.detached()) {
      return k;
    }
    int pid = BackendPid.of(physical);
    if (pid <= 0) {
      return null;
    }
    Session s = session(pid);
    known.put(physical, s);
    return s;
  }

  /** The entry of a session, made when new. */
  Session session(int pid) {
    Session s = byPid.get(pid);
    if (s == null) {
      s = byPid.computeIfAbsent(pid, Session::new);
      if (byPid.size() > sweepAt) {
        sweep();
      }
    }
    return s;
  }

  /**
   * A statement starts on this session, on the calling thread, under the current span. The entry keeps its
   * binding while the span and the thread stay the same, so that a statement allocates nothing.
   *
   * @param statement what the statement is, for {@link #sampleStatements} to read its text from later: the SQL
   *     text the application gave JDBC, the driver's query object ({@link StatementText}), or null when there is
   *     none to tell (a plain statement's batch of several texts); only a reference is kept here, nothing is read
   */
  void executing(Session session, Object statement) {
    SpanContext span = Span.current().getSpanContext();
    Thread thread = Thread.currentThread();
    Binding b = session.binding();
    if (b == null || b.span() != span || b.thread() != thread) {
      session.bind(new Binding(span, thread));
    }
    session.used = true;
    session.begin(statement);
  }

  /** The statement ended; the span stays linked (an idle-in-transaction session still belongs to it). */
  void done(Session session) {
    session.finished();
  }

  /** The connection was closed or returned to its pool. */
  void released(Session session) {
    session.finished();
    session.bind(null);
  }

  /**
   * The span (and, while a statement runs, the line of code) of a session, or null; the line of code alone when
   * the statement runs outside any span (an application without tracing, or pgintel's own SDK in the agent, whose
   * context no application span reaches). {@code lineOfCode} false leaves the line of code out: reading it walks
   * the stack of the application's thread, which pauses that thread, so the sampler asks only for statements it
   * may report.
   */
  public TraceLink link(int pid, boolean lineOfCode) {
    Session s = byPid.get(pid);
    // the flag first: it is written after the binding it belongs to
    return s == null ? null : link(s, lineOfCode && s.executing());
  }

  /**
   * Where the application holds a session between its statements (idle in a transaction): the span and the line
   * of code of the thread that last ran a statement on it; null when pgintel never saw the session or the
   * connection went back through the wrapper (which unbinds it; the agent's hooks see no return, and a pool ends
   * the transaction of a connection given back). The stack walk pauses that thread: asked once per long
   * transaction.
   */
  public TraceLink holder(int pid) {
    Session s = byPid.get(pid);
    return s == null ? null : link(s, true);
  }

  private static TraceLink link(Session s, boolean walk) {
    Binding b = s.binding();
    boolean traced = b != null && b.span().isValid();
    if (b == null || !traced && !walk) {
      return null;
    }
    CallSite site = walk ? CallSite.of(b.thread()) : null;
    if (!traced) {
      // no span: the line of code alone still says which part of the application waits on this session
      return site == null ? null : new TraceLink(null, null, site);
    }
    return new TraceLink(b.span().getTraceId(), b.span().getSpanId(), site);
  }

  /**
   * Whether a linked session runs a statement that has a text to read now: a pass over the sessions' flags, no
   * stack read.
   */
  public boolean anyRunning() {
    for (Session s : byPid.values()) {
      if (s.executing() && s.statement != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * The line of code of up to {@code max} statements running right now, picked at random among those running:
   * each reads the stack of the application's thread running it, which stops that thread (on Java 17 and 18, every
   * thread: {@link CallSite#of(List)} reads them all at once there).
   * A walk counts only if one execution ran from before it to after it (the stack read itself is no access the memory
   * model orders: HotSpot's handshake or safepoint around it fences the reading thread), so that a statement that
   * ended meanwhile lends its text to no other statement's line, nor to the code the thread ran between two
   * executions. Over many samples a query is caught about in proportion to the time the application spends running it
   * (a read that outlasts an execution counts for nothing, so the shortest are caught less often).
   */
  public List<SampledStatement> sampleStatements(int max) {
    if (max <= 0) {
      return List.of();
    }
    List<Session> running = new ArrayList<>();
    for (Session s : byPid.values()) {
      if (s.executing()) {
        running.add(s);
      }
    }
    // a partial shuffle: each of the first max places gets a random pick of the rest
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<Caught> caught = new ArrayList<>(Math.min(max, running.size()));
    for (int picked = 0; picked < max && picked < running.size(); picked++) {
      int j = picked + random.nextInt(running.size() - picked);
      Session s = running.get(j);
      running.set(j, running.get(picked));
      Caught c = Caught.of(s);
      if (c != null) {
        caught.add(c);
      }
    }
    if (caught.isEmpty()) {
      return List.of();
    }
    List<Thread> threads = new ArrayList<>(caught.size());
    caught.forEach(c -> threads.add(c.binding().thread()));
    long started = System.nanoTime();
    CallSite[] sites = CallSite.of(threads);
    long took = System.nanoTime() - started;
    // the walks happened before the execution is checked again
    VarHandle.acquireFence();
    List<SampledStatement> out = new ArrayList<>(caught.size());
    int ended = 0;
    int noLine = 0;
    for (int i = 0; i < sites.length; i++) {
      Caught c = caught.get(i);
      if (c.session().sequence() != c.sequence()) {
        ended++;
      } else if (sites[i] == null) {
        noLine++;
      } else {
        SpanContext span = c.binding().span();
        out.add(new SampledStatement(c.text().sql(), c.text().jdbc(), sites[i], span.isSampled() ? span : null));
      }
    }
    callSites.read(took, out.size(), ended, noLine);
    return out;
  }

  /** A session caught running a statement: which execution, its text, and its thread, before the walk. */
  private record Caught(Session session, long sequence, StatementText text, Binding binding) {

    static Caught of(Session s) {
      long sequence = s.sequence();
      if ((sequence & 1) == 0) {
        return null;
      }
      // the sequence first: the statement and binding of this execution were written before it
      Object statement = s.statement;
      Binding b = s.binding();
      // the text before the walk: a statement whose text cannot be read is not worth stopping a thread for
      StatementText text = statement == null || b == null ? null : StatementText.of(statement);
      return text == null ? null : new Caught(s, sequence, text, b);
    }
  }

  /**
   * A statement the application was running, as {@link #sampleStatements} caught it.
   *
   * @param sql its text, with its literals: for the SQL engine only
   * @param jdbc whether the text is JDBC text ({@code ?} parameters) rather than the server's
   * @param site the application's line of code that ran it
   * @param span the application's span it ran in, or null outside any (or one not sampled, which no backend has)
   */
  public record SampledStatement(String sql, boolean jdbc, CallSite site, SpanContext span) {

    /** Without the text, which carries the statement's literals. */
    @Override
    public String toString() {
      return "SampledStatement[" + site + (span == null ? "" : ", trace " + span.getTraceId()) + "]";
    }
  }

  /** The lines of code seen running each query: filled by the activity sampler, read by who reports queries. */
  public CallSites callSites() {
    return callSites;
  }

  /** Sessions currently linked; for tests and self-telemetry. */
  public int size() {
    int linked = 0;
    for (Session s : byPid.values()) {
      if (s.binding() != null) {
        linked++;
      }
    }
    return linked;
  }

  /**
   * Drops the entries of sessions not linked to anything (ended, or idle in their pool) and of sessions that ran no
   * statement since the sweep before, which is how sessions found through {@link DriverHooks} end: nothing releases
   * them. A later statement makes the entry anew. Runs on an application thread, so it never waits: a thread that
   * finds another sweeping goes on.
   */
  private void sweep() {
    if (!sweeping.compareAndSet(false, true)) {
      return;
    }
    try {
      if (byPid.size() <= sweepAt) {
        return;
      }
      for (Session s : byPid.values()) {
        if (s.binding() == null || !s.used && !s.executing()) {
          detach(s);
        } else {
          s.used = false;
        }
      }
      sweepAt = Math.max(SWEEP_AT, 2 * byPid.size());
    } finally {
      sweeping.set(false);
    }
  }

  /**
   * Drops every entry: the registry is no longer read (its monitor stopped), and a connection holding one finds its
   * session anew, through whatever registry then serves its database.
   */
  public void detachAll() {
    byPid.values().forEach(this::detach);
  }

  private void detach(Session s) {
    s.detached = true;
    byPid.remove(s.pid, s);
  }

  /** Which span a session serves, and on which thread. */
  private record Binding(SpanContext span, Thread thread) {}

  /**
   * One database session's entry. A connection that holds it checks {@link #detached()} before each statement: a
   * sweep may have dropped it while the connection sat in its pool.
   *
   * <p>The application's threads write the binding and the flag with release stores, not volatile ones: a volatile
   * store is a full fence, two per statement, and the sampler that reads them (with acquire loads) needs them
   * visible soon, not ordered against everything else the application's thread does.
   */
  static final class Session {
    private static final VarHandle BINDING;
    private static final VarHandle SEQUENCE;

    static {
      try {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        BINDING = lookup.findVarHandle(Session.class, "binding", Binding.class);
        SEQUENCE = lookup.findVarHandle(Session.class, "sequence", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final int pid;
    @SuppressWarnings("unused") // through BINDING
    private Binding binding;
    /**
     * Odd while a statement runs, even between statements, and a new value for every statement: the sampler reads
     * it before and after a walk, and the walk counts only if it did not change (as a sequence lock's reader
     * does). Written by the thread running the statement; each write sets its parity outright rather than adding
     * one, so two threads sharing a connection that lose a write never leave it odd while nothing runs.
     */
    @SuppressWarnings("unused") // through SEQUENCE
    private long sequence;
    private volatile boolean detached;
    /** A statement ran since the last sweep; plain: a lost write only makes a sweep drop an entry found again. */
    private boolean used;
    /**
     * What the running statement is ({@link #executing(Session, Object)}); null between statements, so that no
     * statement's text outlives it here. Plain, published by the sequence's release store.
     */
    private Object statement;

    private Session(int pid) {
      this.pid = pid;
    }

    int pid() {
      return pid;
    }

    boolean detached() {
      return detached;
    }

    private Binding binding() {
      return (Binding) BINDING.getAcquire(this);
    }

    private void bind(Binding b) {
      BINDING.setRelease(this, b);
    }

    private long sequence() {
      return (long) SEQUENCE.getAcquire(this);
    }

    private boolean executing() {
      return (sequence() & 1) != 0;
    }

    /** A statement starts: the sequence turns odd and new, after the statement is stored. */
    private void begin(Object s) {
      long old = (long) SEQUENCE.get(this);
      if ((old & 1) != 0) {
        // one begun inside another (or whose end was lost): ended first, so that no sampler pairs this statement
        // with the other's execution
        finished();
        old++;
      }
      statement = s;
      SEQUENCE.setRelease(this, old + 3);
    }

    /** The statement that ran on this session ended: the sequence turns even, and the statement is let go. */
    void finished() {
      long odd = (long) SEQUENCE.get(this);
      if ((odd & 1) != 0) {
        SEQUENCE.setRelease(this, odd + 1);
      }
      // no store of the next statement moves above the even value a sampler may still be reading against
      VarHandle.storeStoreFence();
      statement = null;
    }
  }
}
