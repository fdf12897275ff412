package io.pgintel.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import io.pgintel.test.PgServer;
import io.pgintel.test.PostgresServers;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.PGConnection;

/**
 * The hand-written JDBC wrappers: each method reaches the driver's object with its arguments and gives back its
 * answer or its exception; executes are linked to the current span; nothing of the registry's reaches the
 * application.
 */
class TracedConnectionTest {

  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN = "00f067aa0ba902b7";

  static Stream<Arguments> wrappers() {
    return Stream.of(Arguments.of(Connection.class, TracedConnection.class),
        Arguments.of(Statement.class, TracedStatement.class),
        Arguments.of(PreparedStatement.class, TracedPreparedStatement.class),
        Arguments.of(CallableStatement.class, TracedCallableStatement.class),
        Arguments.of(DataSource.class, TracedDataSource.class));
  }

  /** Default methods too: the driver may implement them (enquoteLiteral, executeLargeUpdate, ...). */
  @ParameterizedTest
  @MethodSource("wrappers")
  void everyMethodOfTheInterfaceIsImplementedByTheWrapper(Class<?> type, Class<?> wrapper) throws Exception {
    for (Method m : type.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Method implemented = wrapper.getMethod(m.getName(), m.getParameterTypes());
      assertFalse(implemented.getDeclaringClass().isInterface(), () -> wrapper.getSimpleName() + " inherits " + m);
    }
  }

  static Stream<Arguments> delegations() {
    return Stream.of(
        Arguments.of(Connection.class, (Function<Connection, Object>) c -> c),
        Arguments.of(Statement.class, (Function<Connection, Object>) c -> call(c::createStatement)),
        Arguments.of(PreparedStatement.class, (Function<Connection, Object>) c -> call(() -> c.prepareStatement(
            "SELECT 1"))),
        Arguments.of(CallableStatement.class, (Function<Connection, Object>) c -> call(() -> c.prepareCall(
            "SELECT 1"))));
  }

  /**
   * Every method on a fresh connection (or statement) of a real server, seen through a recorder: the call the
   * driver gets is the one the application made, and the result or the exception is the driver's own object.
   */
  @ParameterizedTest
  @MethodSource("delegations")
  void everyMethodReachesTheDriverAndReturnsItsAnswer(Class<?> type, Function<Connection, Object> make)
      throws Exception {
    PgServer pg = PostgresServers.newest();
    SessionRegistry registry = new SessionRegistry();
    int checked = 0;
    for (Method m : type.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      try (Connection real = pg.connect()) {
        Recorder recorder = new Recorder(make.apply(real));
        Object recorded = Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, recorder);
        TracedConnection connection = new TracedConnection(type == Connection.class ? (Connection) recorded : real,
            registry);
        Object wrapped = type == Connection.class ? connection
            : type == CallableStatement.class ? new TracedCallableStatement((CallableStatement) recorded, connection,
                "{call f(?)}")
            : type == PreparedStatement.class ? new TracedPreparedStatement((PreparedStatement) recorded, connection,
                "SELECT ?")
            : new TracedStatement((Statement) recorded, connection, null);
        Object[] args = arguments(m);
        Object result;
        Throwable thrown = null;
        try {
          result = m.invoke(wrapped, args);
        } catch (InvocationTargetException e) {
          result = null;
          thrown = e.getCause();
        }
        if (m.getName().equals("getConnection") && type != Connection.class) {
          assertSame(connection, result, "a statement's connection is the one the application got");
          assertTrue(recorder.calls.isEmpty(), m.toString());
          checked++;
          continue;
        }
        assertEquals(List.of(m.getName() + Arrays.toString(m.getParameterTypes())), recorder.calls, m.toString());
        assertTrue(Arrays.equals(args, recorder.arguments.get(0)), m + ": the arguments as given");
        assertSame(recorder.thrown, thrown, m + ": the driver's exception, unchanged");
        if (thrown == null) {
          if (Statement.class.isAssignableFrom(m.getReturnType()) && recorder.result != null) {
            Statement s = (Statement) result;
            assertInstanceOf(m.getReturnType(), s, m.toString());
            assertTrue(s instanceof TracedStatement, m + " hands out a traced statement");
            assertSame(connection, s.getConnection());
          } else if (m.getReturnType().isPrimitive()) {
            assertEquals(recorder.result, result, m + ": the driver's answer");
          } else {
            assertSame(recorder.result, result, m + ": the driver's answer");
          }
        }
        checked++;
      }
    }
    assertTrue(checked >= 40, "methods checked: " + checked);
  }

  @Test
  void statementsAreLinkedToTheSpanWhileTheConnectionIsBorrowed() throws Exception {
    PgServer pg = PostgresServers.newest();
    SessionRegistry registry = new SessionRegistry();
    DataSource wrapped = TracingDataSource.wrap(pg.dataSource(), registry);
    assertSame(wrapped, TracingDataSource.wrap(wrapped, registry), "wrapping twice is a no-op");
    assertSame(wrapped, wrapped.unwrap(DataSource.class));
    int pid;
    try (Scope ignored = span().makeCurrent(); Connection c = wrapped.getConnection()) {
      assertInstanceOf(TracedConnection.class, c);
      assertSame(c, TracingDataSource.wrapConnection(c, registry));
      pid = c.unwrap(PGConnection.class).getBackendPID();
      assertTrue(c.isWrapperFor(PGConnection.class));
      try (PreparedStatement s = c.prepareStatement("SELECT pg_backend_pid()"); ResultSet rs = s.executeQuery()) {
        rs.next();
        assertEquals(pid, rs.getInt(1), "unwrap reaches the driver's connection");
      }
      TraceLink link = registry.link(pid, true);
      assertNotNull(link, "linked after a statement");
      assertEquals(TRACE, link.traceId());
      assertEquals(SPAN, link.spanId());
      assertNull(link.codeFunction(), "no statement runs now: no line of code");
      assertEquals(1, registry.size());
    }
    assertNull(registry.link(pid, true), "returned: no longer linked");
    assertEquals(0, registry.size());
  }

  @Test
  void exceptionsOfTheDriverPassThroughAndTheSessionStaysUsable() throws Exception {
    PgServer pg = PostgresServers.newest();
    SessionRegistry registry = new SessionRegistry();
    try (Connection c = TracingDataSource.wrapConnection(pg.connect(), registry); Statement s = c.createStatement()) {
      SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM no_such_table"));
      assertEquals("42P01", e.getSQLState());
      assertTrue(s.execute("SELECT 1"));
    }
  }

  /** A span lookup that throws stands for any failure of pgintel's bookkeeping. */
  @Test
  void aFailingRegistryNeverReachesTheApplication() throws Exception {
    PgServer pg = PostgresServers.newest();
    SessionRegistry registry = new SessionRegistry();
    try (Scope ignored = new BrokenContext().makeCurrent();
        Connection c = TracingDataSource.wrapConnection(pg.connect(), registry);
        PreparedStatement s = c.prepareStatement("SELECT 41 + ?")) {
      assertThrows(IllegalStateException.class, Span::current, "the context is broken");
      s.setInt(1, 1);
      try (ResultSet rs = s.executeQuery()) {
        assertTrue(rs.next());
        assertEquals(42, rs.getInt(1));
      }
      try (Statement plain = c.createStatement()) {
        assertTrue(plain.execute("SELECT 1"), "once more, on the same session");
      }
      assertEquals(0, registry.size(), "nothing recorded");
    }
  }

  /**
   * An application that wraps the DataSource it hands to its pool and the pool's connections as well: the statement
   * is recorded once, by the one beneath, and giving the pool's connection back still clears the link.
   */
  @Test
  void aPoolOverTracedConnectionsIsRecordedOnceAndReleased() throws Exception {
    PgServer pg = PostgresServers.newest();
    SessionRegistry registry = new SessionRegistry();
    HikariConfig config = new HikariConfig();
    config.setDataSource(TracingDataSource.wrap(pg.dataSource(), registry));
    config.setMaximumPoolSize(1);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      int pid = -1;
      for (int borrow = 0; borrow < 3; borrow++) {
        Connection pooled = pool.getConnection();
        assertInstanceOf(TracedConnection.class, pooled.unwrap(TracedConnection.class), "the physical connection");
        try (Scope ignored = span().makeCurrent();
            Connection c = TracingDataSource.wrapConnection(pooled, registry);
            Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
          rs.next();
          assertTrue(pid == -1 || pid == rs.getInt(1), "one physical connection");
          pid = rs.getInt(1);
          assertEquals(TRACE, registry.link(pid, true).traceId());
          assertEquals(1, registry.size());
        }
        assertNull(registry.link(pid, true), "returned to the pool: no longer linked");
      }
    }
  }

  @Test
  void sessionsNoLongerLinkedAreDroppedPastTheBoundAndFoundAgain() {
    SessionRegistry registry = new SessionRegistry();
    SessionRegistry.Session kept = registry.session(1);
    registry.executing(kept, null);
    SessionRegistry.Session idle = registry.session(2);
    registry.executing(idle, null);
    registry.released(idle);
    for (int pid = 3; pid <= SessionRegistry.SWEEP_AT + 1; pid++) {
      registry.session(pid);
    }
    assertTrue(idle.detached(), "an entry not linked to anything is dropped");
    assertFalse(kept.detached(), "a linked one stays");
    assertSame(kept, registry.session(1));
    SessionRegistry.Session again = registry.session(2);
    assertNotSame(idle, again);
    assertFalse(again.detached());
    assertEquals(1, registry.size());
  }

  @Test
  void aDriverConnectionFindsItsSessionAgainUntilTheSessionIsDropped() throws Exception {
    PgServer pg = PostgresServers.newest();
    SessionRegistry registry = new SessionRegistry();
    try (Connection c = pg.connect()) {
      Object physical = BackendPid.physical(c);
      assertSame(c.unwrap(PGConnection.class), physical);
      SessionRegistry.Session first = registry.session(physical);
      assertNotNull(first);
      assertSame(first, registry.session(c.unwrap(PGConnection.class).getBackendPID()), "keyed by the backend pid");
      assertSame(first, registry.session(physical), "found again");
      for (int pid = -2; pid >= -SessionRegistry.SWEEP_AT - 1; pid--) {
        registry.session(pid);
      }
      assertTrue(first.detached(), "swept: linked to nothing");
      SessionRegistry.Session again = registry.session(physical);
      assertNotSame(first, again, "a dropped entry is not handed out again");
      assertFalse(again.detached());
    }
  }

  static Context span() {
    SpanContext context = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());
    return Context.root().with(Span.wrap(context));
  }

  private static Object[] arguments(Method m) {
    Class<?>[] types = m.getParameterTypes();
    Object[] args = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i];
      args[i] = t == int.class ? 1 : t == long.class ? 1L : t == boolean.class ? Boolean.FALSE
          : t == short.class ? (short) 1 : t == byte.class ? (byte) 1 : t == float.class ? 1f : t == double.class ? 1d
          : t == String.class ? "1" : t == Object[].class ? new Object[0] : t == Class.class ? Object.class
          : t == Executor.class ? (Executor) Runnable::run : t == Map.class ? new HashMap<>()
          : t == Properties.class ? new Properties() : t == Calendar.class ? Calendar.getInstance()
          : t == int[].class ? new int[] {1} : t == String[].class ? new String[] {"1"} : null;
    }
    return args;
  }

  private static Object call(SqlCall c) {
    try {
      return c.call();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private interface SqlCall {
    Object call() throws SQLException;
  }

  /** Records each call and hands it to the driver's object. */
  private static final class Recorder implements InvocationHandler {
    private final Object target;
    final List<String> calls = new ArrayList<>();
    final List<Object[]> arguments = new ArrayList<>();
    Object result;
    Throwable thrown;

    Recorder(Object target) {
      this.target = target;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      calls.add(method.getName() + Arrays.toString(method.getParameterTypes()));
      arguments.add(args == null ? new Object[0] : args);
      try {
        result = method.invoke(target, args);
        return result;
      } catch (InvocationTargetException e) {
        thrown = e.getCause();
        throw thrown;
      }
    }
  }

  /** A context whose lookups fail. */
  static final class BrokenContext implements Context {
    @Override
    public <V> V get(ContextKey<V> key) {
      throw new IllegalStateException("broken on purpose");
    }

    @Override
    public <V> Context with(ContextKey<V> key, V value) {
      return this;
    }
  }
}
