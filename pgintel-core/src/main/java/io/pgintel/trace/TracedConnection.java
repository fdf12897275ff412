package io.pgintel.trace;

import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.ShardingKey;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/*
 * Design notes.
 *
 * A connection is borrowed for every operation of a typical application, so this class is on its hot path: plain
 * calls to the wrapped connection (no reflection, no proxy), one small object per borrowed connection and per
 * statement, the session's registry entry found once per borrowed connection (at its first statement, by the
 * driver's connection beneath the pool's), and around each execute* only a write into that entry. Results, result
 * sets and exceptions are the driver's, unchanged; a failure of the registry never reaches the application.
 *
 * A pool's physical connection may itself be one of these: the agent sees both the pool hand out connections and
 * the driver DataSource the pool fills itself from. Then the one beneath records the statements, with the session
 * it knows for the physical connection's whole life, and this one only clears the link when the application gives
 * the connection back.
 *
 * unwrap and isWrapperFor answer for the wrapped connection, as the reflective proxies before did, so that code
 * that unwraps to PGConnection or to its pool's type gets there; only this class itself is answered here.
 */

/** A borrowed connection whose statements record, for the session they run on, the application's current span. */
final class TracedConnection implements Connection {

  private final Connection target;
  private final SessionRegistry registry;
  private boolean resolved;
  /** Where statements are recorded: null when not here (unknown pid, or recorded beneath). */
  private SessionRegistry.Session session;
  /** The connection of the same registry beneath this one, which records the statements itself. */
  private TracedConnection beneath;

  TracedConnection(Connection target, SessionRegistry registry) {
    this.target = target;
    this.registry = registry;
  }

  boolean tracedFor(SessionRegistry r) {
    return registry == r;
  }

  /**
   * Before a statement runs: the session marked as executing it, or null when it is not recorded here.
   *
   * @param sql the statement's text, or null for a batch of several
   */
  SessionRegistry.Session executing(String sql) {
    try {
      SessionRegistry.Session s = session();
      if (s != null) {
        registry.executing(s, sql);
      }
      return s;
    } catch (RuntimeException | LinkageError e) {
      return null; // the statement runs all the same, unlinked
    }
  }

  /** After a statement ran, with what {@link #executing(String)} returned. */
  void done(SessionRegistry.Session s) {
    if (s != null) {
      try {
        registry.done(s);
      } catch (RuntimeException | LinkageError e) {
        // nothing the application should see
      }
    }
  }

  private SessionRegistry.Session session() {
    if (!resolved) {
      resolve();
    }
    SessionRegistry.Session s = session;
    if (s != null && s.detached()) {
      s = registry.session(s.pid());
      session = s;
    }
    return s;
  }

  private void resolve() {
    resolved = true;
    try {
      if (target.isWrapperFor(TracedConnection.class)) {
        TracedConnection b = target.unwrap(TracedConnection.class);
        if (b != null && b != this && b.registry == registry) {
          beneath = b;
          return;
        }
      }
    } catch (SQLException | RuntimeException | LinkageError e) {
      // not a wrapper of ours, or a pool that cannot say: ask the driver
    }
    Object physical = BackendPid.physical(target);
    if (physical != null) {
      session = registry.session(physical);
    }
  }

  @Override
  public void close() throws SQLException {
    if (resolved) {
      try {
        SessionRegistry.Session s = beneath != null ? beneath.session() : session;
        if (s != null) {
          registry.released(s);
        }
      } catch (RuntimeException | LinkageError e) {
        // the connection is closed all the same
      }
    }
    target.close();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return iface == TracedConnection.class ? iface.cast(this) : target.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface == TracedConnection.class || target.isWrapperFor(iface);
  }

  @Override
  public void abort(Executor executor) throws SQLException {
    target.abort(executor);
  }

  @Override
  public void beginRequest() throws SQLException {
    target.beginRequest();
  }

  @Override
  public void clearWarnings() throws SQLException {
    target.clearWarnings();
  }

  @Override
  public void commit() throws SQLException {
    target.commit();
  }

  @Override
  public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
    return target.createArrayOf(typeName, elements);
  }

  @Override
  public Blob createBlob() throws SQLException {
    return target.createBlob();
  }

  @Override
  public Clob createClob() throws SQLException {
    return target.createClob();
  }

  @Override
  public NClob createNClob() throws SQLException {
    return target.createNClob();
  }

  @Override
  public SQLXML createSQLXML() throws SQLException {
    return target.createSQLXML();
  }

  @Override
  public Statement createStatement() throws SQLException {
    return TracedStatement.of(target.createStatement(), this);
  }

  @Override
  public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
    return TracedStatement.of(target.createStatement(resultSetType, resultSetConcurrency), this);
  }

  @Override
  public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
    return TracedStatement.of(target.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability), this);
  }

  @Override
  public Struct createStruct(String typeName, Object[] elements) throws SQLException {
    return target.createStruct(typeName, elements);
  }

  @Override
  public void endRequest() throws SQLException {
    target.endRequest();
  }

  @Override
  public boolean getAutoCommit() throws SQLException {
    return target.getAutoCommit();
  }

  @Override
  public String getCatalog() throws SQLException {
    return target.getCatalog();
  }

  @Override
  public Properties getClientInfo() throws SQLException {
    return target.getClientInfo();
  }

  @Override
  public String getClientInfo(String name) throws SQLException {
    return target.getClientInfo(name);
  }

  @Override
  public int getHoldability() throws SQLException {
    return target.getHoldability();
  }

  @Override
  public DatabaseMetaData getMetaData() throws SQLException {
    return target.getMetaData();
  }

  @Override
  public int getNetworkTimeout() throws SQLException {
    return target.getNetworkTimeout();
  }

  @Override
  public String getSchema() throws SQLException {
    return target.getSchema();
  }

  @Override
  public int getTransactionIsolation() throws SQLException {
    return target.getTransactionIsolation();
  }

  @Override
  public Map<String, Class<?>> getTypeMap() throws SQLException {
    return target.getTypeMap();
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    return target.getWarnings();
  }

  @Override
  public boolean isClosed() throws SQLException {
    return target.isClosed();
  }

  @Override
  public boolean isReadOnly() throws SQLException {
    return target.isReadOnly();
  }

  @Override
  public boolean isValid(int timeout) throws SQLException {
    return target.isValid(timeout);
  }

  @Override
  public String nativeSQL(String sql) throws SQLException {
    return target.nativeSQL(sql);
  }

  @Override
  public CallableStatement prepareCall(String sql) throws SQLException {
    return TracedCallableStatement.of(target.prepareCall(sql), this, sql);
  }

  @Override
  public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
    return TracedCallableStatement.of(target.prepareCall(sql, resultSetType, resultSetConcurrency), this, sql);
  }

  @Override
  public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
    return TracedCallableStatement.of(
        target.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability), this, sql);
  }

  @Override
  public PreparedStatement prepareStatement(String sql) throws SQLException {
    return TracedPreparedStatement.of(target.prepareStatement(sql), this, sql);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
    return TracedPreparedStatement.of(target.prepareStatement(sql, columnIndexes), this, sql);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
    return TracedPreparedStatement.of(target.prepareStatement(sql, columnNames), this, sql);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
    return TracedPreparedStatement.of(target.prepareStatement(sql, autoGeneratedKeys), this, sql);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
    return TracedPreparedStatement.of(target.prepareStatement(sql, resultSetType, resultSetConcurrency), this, sql);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
    return TracedPreparedStatement.of(
        target.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability), this, sql);
  }

  @Override
  public void releaseSavepoint(Savepoint savepoint) throws SQLException {
    target.releaseSavepoint(savepoint);
  }

  @Override
  public void rollback() throws SQLException {
    target.rollback();
  }

  @Override
  public void rollback(Savepoint savepoint) throws SQLException {
    target.rollback(savepoint);
  }

  @Override
  public void setAutoCommit(boolean autoCommit) throws SQLException {
    target.setAutoCommit(autoCommit);
  }

  @Override
  public void setCatalog(String catalog) throws SQLException {
    target.setCatalog(catalog);
  }

  @Override
  public void setClientInfo(Properties name) throws SQLClientInfoException {
    target.setClientInfo(name);
  }

  @Override
  public void setClientInfo(String name, String value) throws SQLClientInfoException {
    target.setClientInfo(name, value);
  }

  @Override
  public void setHoldability(int holdability) throws SQLException {
    target.setHoldability(holdability);
  }

  @Override
  public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
    target.setNetworkTimeout(executor, milliseconds);
  }

  @Override
  public void setReadOnly(boolean readOnly) throws SQLException {
    target.setReadOnly(readOnly);
  }

  @Override
  public Savepoint setSavepoint() throws SQLException {
    return target.setSavepoint();
  }

  @Override
  public Savepoint setSavepoint(String name) throws SQLException {
    return target.setSavepoint(name);
  }

  @Override
  public void setSchema(String schema) throws SQLException {
    target.setSchema(schema);
  }

  @Override
  public void setShardingKey(ShardingKey shardingKey) throws SQLException {
    target.setShardingKey(shardingKey);
  }

  @Override
  public void setShardingKey(ShardingKey shardingKey, ShardingKey superShardingKey) throws SQLException {
    target.setShardingKey(shardingKey, superShardingKey);
  }

  @Override
  public boolean setShardingKeyIfValid(ShardingKey shardingKey, int timeout) throws SQLException {
    return target.setShardingKeyIfValid(shardingKey, timeout);
  }

  @Override
  public boolean setShardingKeyIfValid(ShardingKey shardingKey, ShardingKey superShardingKey, int timeout) throws SQLException {
    return target.setShardingKeyIfValid(shardingKey, superShardingKey, timeout);
  }

  @Override
  public void setTransactionIsolation(int level) throws SQLException {
    target.setTransactionIsolation(level);
  }

  @Override
  public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
    target.setTypeMap(map);
  }
}
