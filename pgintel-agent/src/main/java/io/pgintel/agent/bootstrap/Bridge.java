package io.pgintel.agent.bootstrap;

import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * What the advice woven into the application's DataSources and into the PostgreSQL driver (its connect and its
 * statement execution) calls. The agent puts this class on the bootstrap class path before anything loads it, so
 * that it is visible from every class loader (an application server's, Spring Boot's nested jars) and is one class
 * for the whole JVM. It names JDK types only: the agent's own classes may be invisible to the class the advice
 * runs in.
 *
 * <p>Only the outermost {@code getConnection} or {@code connect} on a thread is the application's: a pool that
 * borrows from a driver's DataSource inside its own {@code getConnection} is one call, made by the application,
 * not two. A DataSource called inside another one is still reported, as inner, so that what sits behind a
 * routing or delegating DataSource is found; and the outer call learns that it delegated.
 */
public final class Bridge {

  // no initial-value subclass or lambda: the bridge must stay one class file, alone on the bootstrap class path
  /** Per thread: [0] nesting depth, [1] DataSources that returned a connection inside the outermost call. */
  private static final ThreadLocal<int[]> STATE = new ThreadLocal<>();

  /** (dataSource, connection) to the connection to return, for the outermost getConnection. */
  private static volatile BiFunction<Object, Object, Object> handler;
  /** (dataSource, connection) of a getConnection inside another one; sees, never replaces. */
  private static volatile BiConsumer<Object, Object> innerHandler;
  /**
   * ({driver, url, info, outermost}, connection) to the connection to return, for every driver connect; one inside a
   * DataSource's getConnection (a pool filling itself) has outermost {@code false}.
   */
  private static volatile BiFunction<Object[], Object, Object> driverHandler;
  /**
   * The driver's connection and query object, before one of its statements runs, to what {@link #statementExit}
   * is given after.
   */
  private static volatile BiFunction<Object, Object, Object> statementHandler;
  /** What the statement handler returned, once the statement has ended. */
  private static volatile Consumer<Object> statementDoneHandler;
  /** The driver's connection to the backend pid its statements are recorded for, or -1; for diagnostics. */
  private static volatile ToIntFunction<Object> linkHandler;

  private Bridge() {}

  public static void handler(BiFunction<Object, Object, Object> h) {
    handler = h;
  }

  public static void innerHandler(BiConsumer<Object, Object> h) {
    innerHandler = h;
  }

  public static void driverHandler(BiFunction<Object[], Object, Object> h) {
    driverHandler = h;
  }

  /** The statement hooks: before and after each statement the driver runs, and what they recorded. */
  public static void statementHandlers(BiFunction<Object, Object, Object> before, Consumer<Object> after,
      ToIntFunction<Object> linked) {
    statementDoneHandler = after;
    linkHandler = linked;
    statementHandler = before;
  }

  /**
   * Before a statement of the driver's {@code connection} runs, with the driver's object for what it runs (a
   * {@code CachedQuery}, or a batch's first query); what to hand to {@link #statementExit}.
   */
  public static Object statementEnter(Object connection, Object query) {
    try {
      BiFunction<Object, Object, Object> h = statementHandler;
      return h == null ? null : h.apply(connection, query);
    } catch (Throwable t) {
      return null;
    }
  }

  /** After the statement ran or threw, with what {@link #statementEnter} returned. */
  public static void statementExit(Object token) {
    if (token != null) {
      try {
        Consumer<Object> h = statementDoneHandler;
        if (h != null) {
          h.accept(token);
        }
      } catch (Throwable t) {
        // the statement's own outcome stands
      }
    }
  }

  /**
   * The backend pid the statements of the driver's {@code connection} are recorded for, -1 when they are not (or
   * not yet): lets a test or a diagnostic in the application see that its statements are correlated.
   */
  public static int linkedPid(Object connection) {
    try {
      ToIntFunction<Object> h = linkHandler;
      return h == null ? -1 : h.applyAsInt(connection);
    } catch (Throwable t) {
      return -1;
    }
  }

  /** On entry to {@code getConnection} or {@code connect}: true when no other one runs on this thread. */
  public static boolean enter() {
    int[] s = state();
    if (s[0]++ == 0) {
      s[1] = 0;
      return true;
    }
    return false;
  }

  /**
   * For the outermost handler, while it runs: whether another DataSource handed out a connection inside this
   * call, which makes the outer one a router or a wrapper unless it is a pool filling itself.
   */
  public static boolean delegated() {
    int[] s = STATE.get();
    return s != null && s[1] > 0;
  }

  private static int[] state() {
    int[] s = STATE.get();
    if (s == null) {
      s = new int[2];
      STATE.set(s);
    }
    return s;
  }

  private static int[] leave() {
    int[] s = state();
    if (s[0] > 0) {
      s[0]--;
    }
    return s;
  }

  /** On exit from {@code getConnection}: the connection the application gets. Never throws. */
  public static Object exit(boolean outermost, Object dataSource, Object connection) {
    try {
      int[] s = leave();
      if (connection == null) {
        return connection;
      }
      if (!outermost) {
        s[1]++;
        BiConsumer<Object, Object> inner = innerHandler;
        if (inner != null) {
          inner.accept(dataSource, connection);
        }
        return connection;
      }
      BiFunction<Object, Object, Object> h = handler;
      Object result = h == null ? null : h.apply(dataSource, connection);
      return result != null ? result : connection;
    } catch (Throwable t) {
      // the application's connection is worth more than anything the agent wanted to do with it
      return connection;
    }
  }

  /** On exit from the PostgreSQL driver's {@code connect(url, info)}: the connection the caller gets. */
  public static Object driverExit(boolean outermost, Object driver, Object url, Object info, Object connection) {
    try {
      leave();
      BiFunction<Object[], Object, Object> h = driverHandler;
      if (h == null || connection == null) {
        return connection;
      }
      Object result = h.apply(new Object[] {driver, url, info, outermost}, connection);
      return result != null ? result : connection;
    } catch (Throwable t) {
      return connection;
    }
  }
}
