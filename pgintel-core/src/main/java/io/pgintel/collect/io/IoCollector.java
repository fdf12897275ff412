package io.pgintel.collect.io;

import io.pgintel.collect.NamedCollector;
import io.pgintel.collect.Row;
import io.pgintel.collect.SqlSession;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code pg_stat_io} (PostgreSQL 16+) and {@code pg_stat_slru}: I/O by backend type, object and context. */
public final class IoCollector extends NamedCollector {

  public static final String NAME = "io";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

  private static final String COUNTS = """
      backend_type, object, context, reads, writes, writebacks, extends, hits, evictions, reuses, fsyncs,
      read_time, write_time, writeback_time, extend_time, fsync_time""";

  /** 16 and 17 report one op_bytes per row. */
  static final String IO_16 = "SELECT " + COUNTS + """
      ,
             (reads * op_bytes)::bigint AS read_bytes, (writes * op_bytes)::bigint AS write_bytes,
             (extends * op_bytes)::bigint AS extend_bytes
      FROM pg_stat_io""";

  /** 18 reports bytes per operation. */
  static final String IO_18 = "SELECT " + COUNTS + """
      ,
             read_bytes::bigint AS read_bytes, write_bytes::bigint AS write_bytes,
             extend_bytes::bigint AS extend_bytes
      FROM pg_stat_io""";

  static final String SLRU_SQL = """
      SELECT name, blks_zeroed, blks_hit, blks_read, blks_written, blks_exists, flushes, truncates
      FROM pg_stat_slru""";

  public IoCollector() {
    super(NAME, DEFAULT_INTERVAL);
  }

  @Override
  public List<? extends Record> collect(SqlSession session) throws SQLException {
    int major = session.server().major();
    List<Record> out = new ArrayList<>();
    if (major >= 16) {
      out.addAll(session.query(major >= 18 ? IO_18 : IO_16, IoCollector::io));
    }
    out.addAll(session.query(SLRU_SQL, r -> new SlruStats(r.string("name"), r.getLong("blks_zeroed"),
        r.getLong("blks_hit"), r.getLong("blks_read"), r.getLong("blks_written"), r.getLong("blks_exists"),
        r.getLong("flushes"), r.getLong("truncates"))));
    return out;
  }

  private static IoStats io(Row r) throws SQLException {
    return new IoStats(r.string("backend_type"), r.string("object"), r.string("context"), r.longOrNull("reads"),
        r.longOrNull("writes"), r.longOrNull("writebacks"), r.longOrNull("extends"), r.longOrNull("hits"),
        r.longOrNull("evictions"), r.longOrNull("reuses"), r.longOrNull("fsyncs"), r.doubleOrNull("read_time"),
        r.doubleOrNull("write_time"), r.doubleOrNull("writeback_time"), r.doubleOrNull("extend_time"),
        r.doubleOrNull("fsync_time"), r.longOrNull("read_bytes"), r.longOrNull("write_bytes"),
        r.longOrNull("extend_bytes"));
  }
}
