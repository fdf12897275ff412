package io.pgintel.collect;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the application's connection pool has a connection to spare right now, read from the pool's own
 * counters: HikariCP ({@code getHikariPoolMXBean()}), Apache Commons DBCP 2's {@code BasicDataSource}, Tomcat
 * JDBC's {@code DataSource} and c3p0's {@code PooledDataSource} (its default user's pool), found by their public
 * methods' names (pgintel does not need the pools on its class path). Any other {@code DataSource} has no gauge,
 * and is never reported exhausted.
 *
 * <p>Why: a borrow from a pool with no idle connection, and no room to open one, takes a connection that one of
 * the application's threads is about to ask for; that thread waits as long as pgintel holds it, and the pool hands
 * connections from thread to thread meanwhile. The scheduler asks before it borrows ({@link Scheduler}).
 *
 * <p>The pool may sit behind a wrapper that unwraps to it ({@code unwrap(DataSource.class)}, as the agent's
 * weakly held DataSource does): the gauge then unwraps on every reading and keeps no reference to the pool.
 *
 * <p>A pool's counters are read without its locks (HikariCP and DBCP 2 count their idle connections by walking a
 * concurrent list); the answer is a moment's, and a wrong one costs one sample more or less. A gauge that fails
 * once (a pool version without these methods, a security manager) answers "not exhausted" from then on.
 */
final class PoolGauge {

  private static final Logger log = LoggerFactory.getLogger(PoolGauge.class);
  /** No gauge: a plain DataSource, a pool pgintel does not know, or one whose counters failed. */
  static final PoolGauge NONE = new PoolGauge(null, false, null, null, null, null, null, null, null);

  /** The DataSource given: the pool itself, or a wrapper that unwraps to it. */
  private final DataSource source;
  private final boolean unwrap;
  private final Class<?> poolClass;
  /** HikariCP: the pool's MXBean, which is null until the pool has started. */
  private final Method mxBean;
  private final Method idle;
  /** Connections open, idle and lent together (DBCP 2: lent only, read when none is idle). */
  private final Method total;
  private final Method max;
  private final Method waiting;
  /** The pool's {@code isClosed()} (HikariCP, DBCP 2), or null. */
  private final Method isClosed;
  private volatile boolean failed;

  private PoolGauge(DataSource source, boolean unwrap, Class<?> poolClass, Method mxBean, Method idle, Method total,
      Method max, Method waiting, Method isClosed) {
    this.source = source;
    this.unwrap = unwrap;
    this.poolClass = poolClass;
    this.mxBean = mxBean;
    this.idle = idle;
    this.total = total;
    this.max = max;
    this.waiting = waiting;
    this.isClosed = isClosed;
  }

  /** The gauge of {@code dataSource}'s pool, or {@link #NONE}. Never throws. */
  static PoolGauge of(DataSource dataSource) {
    try {
      PoolGauge direct = of(dataSource, dataSource.getClass(), false);
      if (direct != NONE) {
        return direct;
      }
      DataSource inner = dataSource.unwrap(DataSource.class);
      if (inner != null && inner != dataSource) {
        return of(dataSource, inner.getClass(), true);
      }
    } catch (Exception | LinkageError e) {
      log.debug("pgintel reads no pool counters from {}: {}", dataSource.getClass().getName(), e.toString());
    }
    return NONE;
  }

  private static PoolGauge of(DataSource source, Class<?> type, boolean unwrap) {
    Method hikari = publicMethod(type, "getHikariPoolMXBean");
    if (hikari != null) {
      Class<?> bean = hikari.getReturnType();
      return new PoolGauge(source, unwrap, type, hikari, publicMethod(bean, "getIdleConnections"),
          publicMethod(bean, "getTotalConnections"), publicMethod(type, "getMaximumPoolSize"),
          publicMethod(bean, "getThreadsAwaitingConnection"), publicMethod(type, "isClosed")).checked("HikariCP");
    }
    Method maxTotal = publicMethod(type, "getMaxTotal");
    if (maxTotal != null && publicMethod(type, "getNumIdle") != null) {
      // DBCP 2: no count of waiting threads on the DataSource
      return new PoolGauge(source, unwrap, type, null, publicMethod(type, "getNumIdle"),
          publicMethod(type, "getNumActive"), maxTotal, null, publicMethod(type, "isClosed")).checked("DBCP 2");
    }
    Method maxActive = publicMethod(type, "getMaxActive");
    if (maxActive != null && publicMethod(type, "getIdle") != null) {
      // Tomcat JDBC: getSize() is idle and lent together
      return new PoolGauge(source, unwrap, type, null, publicMethod(type, "getIdle"), publicMethod(type, "getSize"),
          maxActive, publicMethod(type, "getWaitCount"), null).checked("Tomcat JDBC");
    }
    Method c3p0Idle = publicMethod(type, "getNumIdleConnectionsDefaultUser");
    if (c3p0Idle != null) {
      return new PoolGauge(source, unwrap, type, null, c3p0Idle, publicMethod(type, "getNumConnectionsDefaultUser"),
          publicMethod(type, "getMaxPoolSize"), publicMethod(type, "getNumThreadsAwaitingCheckoutDefaultUser"), null)
          .checked("c3p0");
    }
    return NONE;
  }

  /** This gauge if it has every counter it needs, else {@link #NONE}. */
  private PoolGauge checked(String kind) {
    if (idle == null || total == null || max == null) {
      log.debug("pgintel reads no pool counters from {}: not the {} methods it knows", poolClass.getName(), kind);
      return NONE;
    }
    return this;
  }

  /**
   * Whether a borrow now would take a connection the application is about to want: threads are waiting for one,
   * or none is idle and the pool is at its size limit (below it, the pool opens a new one instead).
   */
  boolean exhausted() {
    if (source == null || failed) {
      return false;
    }
    try {
      Object pool = unwrap ? source.unwrap(DataSource.class) : source;
      if (pool == null || pool.getClass() != poolClass) {
        return false;
      }
      Object counters = pool;
      if (mxBean != null) {
        counters = mxBean.invoke(pool);
        if (counters == null) {
          return false; // HikariCP before its first connection
        }
      }
      if (waiting != null && number(waiting.invoke(counters)) > 0) {
        return true;
      }
      if (number(idle.invoke(counters)) > 0) {
        return false;
      }
      long limit = number(max.invoke(pool));
      // a limit of zero or less is "unbounded" in DBCP 2 and Tomcat JDBC
      return limit > 0 && number(total.invoke(counters)) >= limit;
    } catch (java.sql.SQLException e) {
      return false; // the wrapper's pool is gone
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      failed = true;
      log.info("pgintel stops reading the pool's counters ({}): it borrows without looking first", e.toString());
      return false;
    }
  }

  /**
   * Whether the application has closed its pool (HikariCP and DBCP 2 say; a closed Tomcat JDBC pool opens again at
   * the next borrow): its shutdown, not a failure of pgintel's. False when it cannot tell.
   */
  boolean closed() {
    if (source == null || isClosed == null) {
      return false;
    }
    try {
      Object pool = unwrap ? source.unwrap(DataSource.class) : source;
      return pool != null && pool.getClass() == poolClass && Boolean.TRUE.equals(isClosed.invoke(pool));
    } catch (java.sql.SQLException | ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** Whether this gauge reads a pool's counters at all. */
  boolean present() {
    return source != null;
  }

  private static long number(Object value) {
    return value instanceof Number n ? n.longValue() : 0;
  }

  /**
   * A public, no-argument method of {@code type} declared by a public class or interface (so that calling it needs
   * no access checks to pass), or null.
   */
  private static Method publicMethod(Class<?> type, String name) {
    Method m;
    try {
      m = type.getMethod(name);
    } catch (NoSuchMethodException e) {
      return null;
    }
    if (Modifier.isPublic(m.getDeclaringClass().getModifiers())) {
      return m;
    }
    // declared by a non-public class: the same method through a public interface or superclass
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Class<?> i : c.getInterfaces()) {
        Method found = publicMethod(i, name);
        if (found != null) {
          return found;
        }
      }
      if (c != type && Modifier.isPublic(c.getModifiers())) {
        try {
          return c.getMethod(name);
        } catch (NoSuchMethodException e) {
          return null;
        }
      }
    }
    return null;
  }
}
