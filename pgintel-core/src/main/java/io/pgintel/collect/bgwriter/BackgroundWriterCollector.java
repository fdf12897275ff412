package io.pgintel.collect.bgwriter;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/** Reads the background writer and checkpointer statistics (split into two views in PostgreSQL 17). */
public final class BackgroundWriterCollector extends NamedCollector {

  public static final String NAME = "bgwriter";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

  static final String SQL_13 = """
      SELECT checkpoints_timed, checkpoints_req, checkpoint_write_time, checkpoint_sync_time, buffers_checkpoint,
             buffers_clean, maxwritten_clean, buffers_backend, buffers_backend_fsync, buffers_alloc
      FROM pg_stat_bgwriter""";

  static final String SQL_17 = """
      SELECT c.num_timed, c.num_requested, c.write_time, c.sync_time, c.buffers_written,
             c.restartpoints_timed, c.restartpoints_req, c.restartpoints_done,
             b.buffers_clean, b.maxwritten_clean, b.buffers_alloc
      FROM pg_stat_checkpointer c CROSS JOIN pg_stat_bgwriter b""";


  public BackgroundWriterCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    if (session.server().atLeast(17)) {
      return session.queryOne(SQL_17, r -> List.of(
          new CheckpointerStats(r.getLong("num_timed"), r.getLong("num_requested"), r.getDouble("write_time"),
              r.getDouble("sync_time"), r.getLong("buffers_written"), r.getLong("restartpoints_timed"),
              r.getLong("restartpoints_req"), r.getLong("restartpoints_done")),
          new BackgroundWriterStats(r.getLong("buffers_clean"), r.getLong("maxwritten_clean"),
              r.getLong("buffers_alloc"), null, null)));
    }
    return session.queryOne(SQL_13, r -> List.of(
        new CheckpointerStats(r.getLong("checkpoints_timed"), r.getLong("checkpoints_req"),
            r.getDouble("checkpoint_write_time"), r.getDouble("checkpoint_sync_time"),
            r.getLong("buffers_checkpoint"), null, null, null),
        new BackgroundWriterStats(r.getLong("buffers_clean"), r.getLong("maxwritten_clean"),
            r.getLong("buffers_alloc"), r.getLong("buffers_backend"), r.getLong("buffers_backend_fsync"))));
  }
}
