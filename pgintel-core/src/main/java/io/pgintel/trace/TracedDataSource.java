package io.pgintel.trace;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ConnectionBuilder;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.ShardingKeyBuilder;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The application's DataSource, handing out {@link TracedConnection}s from {@code getConnection}; everything else
 * is a plain call to it. {@code unwrap(DataSource.class)} answers with this wrapper (code that unwraps to the
 * interface keeps the tracing); any other type is the wrapped DataSource's answer.
 */
final class TracedDataSource implements DataSource {

  private final DataSource target;
  private final SessionRegistry registry;

  TracedDataSource(DataSource target, SessionRegistry registry) {
    this.target = target;
    this.registry = registry;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return TracingDataSource.wrapConnection(target.getConnection(), registry);
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return TracingDataSource.wrapConnection(target.getConnection(username, password), registry);
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return iface == DataSource.class ? iface.cast(this) : target.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return target.isWrapperFor(iface);
  }

  @Override
  public ConnectionBuilder createConnectionBuilder() throws SQLException {
    return target.createConnectionBuilder();
  }

  @Override
  public ShardingKeyBuilder createShardingKeyBuilder() throws SQLException {
    return target.createShardingKeyBuilder();
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return target.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    target.setLogWriter(out);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return target.getLoginTimeout();
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    target.setLoginTimeout(seconds);
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return target.getParentLogger();
  }
}
