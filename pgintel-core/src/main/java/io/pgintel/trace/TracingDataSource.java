package io.pgintel.trace;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Wraps the application's DataSource so that each statement records, for the session it runs on, the current
 * span: {@code pgintel.wrap(dataSource)}. SQL text is never touched (rewriting it would defeat prepared
 * statement caches), results and exceptions pass through unchanged, and a failure of pgintel's own bookkeeping
 * never reaches the application.
 */
public final class TracingDataSource {

  private static final Class<?>[] DATA_SOURCE = {DataSource.class};

  /*
   * Proxies for one interface each, made through their constructor found once: Proxy.newProxyInstance looks the
   * proxy class up again on every call (a class loader value, a copied interface array, a reflective constructor
   * call), and a connection and its statements are made for every operation the application runs.
   */
  private static final ProxyMaker CONNECTION = new ProxyMaker(Connection.class);
  private static final ProxyMaker STATEMENT = new ProxyMaker(Statement.class);
  private static final ProxyMaker PREPARED_STATEMENT = new ProxyMaker(PreparedStatement.class);
  private static final ProxyMaker CALLABLE_STATEMENT = new ProxyMaker(CallableStatement.class);

  private TracingDataSource() {}

  /** The same DataSource, with statements linked to spans in {@code registry}. Wrapping twice is a no-op. */
  public static DataSource wrap(DataSource target, SessionRegistry registry) {
    if (Proxy.isProxyClass(target.getClass()) && Proxy.getInvocationHandler(target) instanceof Sources) {
      return target;
    }
    return (DataSource) Proxy.newProxyInstance(TracingDataSource.class.getClassLoader(), DATA_SOURCE,
        new Sources(target, registry));
  }

  /**
   * One connection with statements linked to spans in {@code registry}: for integrations that keep the
   * application's own DataSource object and intercept {@code getConnection()} themselves (the Spring starter's
   * AOP proxy keeps the pool's type). Closing it forgets the session.
   */
  public static Connection wrapConnection(Connection target, SessionRegistry registry) {
    return (Connection) CONNECTION.make(new Connections(target, registry));
  }

  /** Instances of the proxy class of one interface, in pgintel's class loader. */
  private static final class ProxyMaker {
    private final Class<?>[] interfaces;
    private final Constructor<?> constructor;

    ProxyMaker(Class<?> type) {
      this.interfaces = new Class<?>[] {type};
      Constructor<?> c;
      try {
        InvocationHandler unused = (proxy, method, args) -> null;
        c = Proxy.newProxyInstance(TracingDataSource.class.getClassLoader(), interfaces, unused).getClass()
            .getConstructor(InvocationHandler.class);
        c.newInstance(unused); // usable from here: else every make would throw before falling back
      } catch (ReflectiveOperationException | RuntimeException e) {
        c = null; // Proxy.newProxyInstance each time, as before
      }
      this.constructor = c;
    }

    Object make(InvocationHandler handler) {
      if (constructor != null) {
        try {
          return constructor.newInstance(handler);
        } catch (ReflectiveOperationException | RuntimeException e) {
          // fall through to the JDK's own path
        }
      }
      return Proxy.newProxyInstance(TracingDataSource.class.getClassLoader(), interfaces.clone(), handler);
    }
  }

  private static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private record Sources(DataSource target, SessionRegistry registry) implements InvocationHandler {
    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      Object result = call(target, method, args);
      if (result instanceof Connection c && method.getName().equals("getConnection")) {
        return wrapConnection(c, registry);
      }
      if (method.getName().equals("unwrap") && args != null && args[0] == DataSource.class) {
        return proxy;
      }
      return result;
    }
  }

  /** One borrowed connection: knows its backend pid once a statement has run. */
  private static final class Connections implements InvocationHandler {
    private final Connection target;
    private final SessionRegistry registry;
    private int pid = -1;

    Connections(Connection target, SessionRegistry registry) {
      this.target = target;
      this.registry = registry;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      if (name.equals("close")) {
        if (pid > 0) {
          registry.released(pid);
        }
        return call(target, method, args);
      }
      Object result = call(target, method, args);
      if (result instanceof Statement s) {
        ProxyMaker maker = result instanceof CallableStatement ? CALLABLE_STATEMENT
            : result instanceof PreparedStatement ? PREPARED_STATEMENT : STATEMENT;
        return maker.make(new Statements(s, this, proxy));
      }
      return result;
    }

    int pid() {
      if (pid == -1) {
        pid = BackendPid.of(target);
      }
      return pid;
    }
  }

  private record Statements(Statement target, Connections connection, Object connectionProxy)
      implements InvocationHandler {
    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      if (name.startsWith("execute")) {
        int pid = connection.pid();
        if (pid > 0) {
          connection.registry.executing(pid);
          try {
            return call(target, method, args);
          } finally {
            connection.registry.done(pid);
          }
        }
      } else if (name.equals("getConnection")) {
        return connectionProxy;
      }
      return call(target, method, args);
    }
  }
}
