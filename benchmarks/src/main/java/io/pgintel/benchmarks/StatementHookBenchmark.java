package io.pgintel.benchmarks;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.pgintel.trace.SessionRegistry;
import io.pgintel.trace.TracingDataSource;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.postgresql.PGConnection;

/**
 * What {@code pgintel.wrap(dataSource)} adds to one statement (prepare, bind, execute, close) inside a span. The
 * JDBC objects underneath answer at once (an in-memory stand-in for pgjdbc that reports a backend pid), so the
 * difference between the two benchmarks is pgintel's hook alone, with every cache warm. Against a real server the
 * same hook costs fifteen to twenty-five times as much, because each statement's thread comes back from its wait
 * to cold caches: {@link HookCostBenchmark} measures that.
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class StatementHookBenchmark {

  private DataSource plain;
  private DataSource wrapped;
  private Connection plainConnection;
  private Connection wrappedConnection;
  private io.opentelemetry.context.Scope scope;

  @Setup
  public void setUp() throws Exception {
    plain = instant();
    wrapped = TracingDataSource.wrap(instant(), new SessionRegistry());
    plainConnection = plain.getConnection();
    wrappedConnection = wrapped.getConnection();
    scope = Span.wrap(SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
        TraceFlags.getSampled(), TraceState.getDefault())).makeCurrent();
  }

  @TearDown
  public void tearDown() {
    scope.close();
  }

  @Benchmark
  public Object plainStatement() throws Exception {
    return statement(plainConnection);
  }

  @Benchmark
  public Object wrappedStatement() throws Exception {
    return statement(wrappedConnection);
  }

  private static Object statement(Connection c) throws Exception {
    try (PreparedStatement ps = c.prepareStatement("SELECT name FROM users WHERE id = ?")) {
      ps.setLong(1, 42L);
      return ps.executeQuery();
    }
  }

  /** JDBC objects that return at once; the connection unwraps to a PGConnection with a backend pid. */
  private static DataSource instant() {
    ResultSet rs = (ResultSet) Proxy.newProxyInstance(ResultSet.class.getClassLoader(),
        new Class<?>[] {ResultSet.class}, (p, m, a) -> m.getReturnType() == boolean.class ? false : null);
    PreparedStatement ps = (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
        new Class<?>[] {PreparedStatement.class}, (p, m, a) -> switch (m.getName()) {
          case "executeQuery" -> rs;
          case "execute" -> true;
          case "executeUpdate" -> 1;
          default -> null;
        });
    PGConnection pg = (PGConnection) Proxy.newProxyInstance(PGConnection.class.getClassLoader(),
        new Class<?>[] {PGConnection.class}, (p, m, a) -> m.getName().equals("getBackendPID") ? 4242 : null);
    Connection c = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (p, m, a) -> switch (m.getName()) {
          case "prepareStatement" -> ps;
          case "isWrapperFor" -> a[0] == PGConnection.class;
          case "unwrap" -> pg;
          case "isClosed" -> false;
          default -> null;
        });
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (p, m, a) -> m.getName().equals("getConnection") ? c : null);
  }
}
