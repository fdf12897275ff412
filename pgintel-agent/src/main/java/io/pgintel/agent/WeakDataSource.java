package io.pgintel.agent;

import java.io.PrintWriter;
import java.lang.ref.WeakReference;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * What a monitor reads through: the application's DataSource, held weakly so that monitoring never keeps a
 * dropped pool alive, with each borrow marked as pgintel's own so that the agent's advice neither tracks nor
 * wraps it.
 */
final class WeakDataSource implements DataSource {

  private final WeakReference<DataSource> target;

  WeakDataSource(WeakReference<DataSource> target) {
    this.target = target;
  }

  @Override
  public Connection getConnection() throws SQLException {
    DataSource ds = target();
    Discovery.internal();
    try {
      return ds.getConnection();
    } finally {
      Discovery.external();
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    DataSource ds = target();
    Discovery.internal();
    try {
      return ds.getConnection(username, password);
    } finally {
      Discovery.external();
    }
  }

  private DataSource target() throws SQLException {
    DataSource ds = target.get();
    if (ds == null) {
      throw new SQLException("the application no longer uses this DataSource; monitoring stops at the next sweep");
    }
    return ds;
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return target().getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    target().setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    target().setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return target().getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("not a DataSource of the application's");
  }

  /**
   * {@code DataSource.class} unwraps to the application's DataSource itself (pgintel's pool gauge reads the pool's
   * counters through it on every reading, holding no reference); other types as the application's answers.
   */
  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type == DataSource.class) {
      return type.cast(target());
    }
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    return target().unwrap(type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) throws SQLException {
    return type.isInstance(this) || target().isWrapperFor(type);
  }
}
