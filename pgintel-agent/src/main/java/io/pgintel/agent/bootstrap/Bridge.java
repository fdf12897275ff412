package io.pgintel.agent.bootstrap;

import java.util.function.BiFunction;

/**
 * What the advice woven into the application's DataSources calls. The agent puts this class on the bootstrap
 * class path before anything loads it, so that it is visible from every class loader (an application server's,
 * Spring Boot's nested jars) and is one class for the whole JVM. It names JDK types only: the agent's own classes
 * may be invisible to the class the advice runs in.
 *
 * <p>Only the outermost {@code getConnection} on a thread counts: a pool that borrows from a driver's DataSource
 * inside its own {@code getConnection} is one call, made by the application, not two.
 */
public final class Bridge {

  // no initial-value subclass or lambda: the bridge must stay one class file, alone on the bootstrap class path
  private static final ThreadLocal<int[]> DEPTH = new ThreadLocal<>();

  /** (dataSource, connection) to the connection to return; set by the agent once it is ready. */
  private static volatile BiFunction<Object, Object, Object> handler;

  private Bridge() {}

  public static void handler(BiFunction<Object, Object, Object> h) {
    handler = h;
  }

  /** On entry to {@code getConnection}: true when no other {@code getConnection} runs on this thread. */
  public static boolean enter() {
    return depth()[0]++ == 0;
  }

  private static int[] depth() {
    int[] d = DEPTH.get();
    if (d == null) {
      d = new int[1];
      DEPTH.set(d);
    }
    return d;
  }

  /** On exit from {@code getConnection}: the connection the application gets. Never throws. */
  public static Object exit(boolean outermost, Object dataSource, Object connection) {
    try {
      int[] depth = depth();
      if (depth[0] > 0) {
        depth[0]--;
      }
      BiFunction<Object, Object, Object> h = handler;
      if (!outermost || h == null || connection == null) {
        return connection;
      }
      Object result = h.apply(dataSource, connection);
      return result != null ? result : connection;
    } catch (Throwable t) {
      // the application's connection is worth more than anything the agent wanted to do with it
      return connection;
    }
  }
}
