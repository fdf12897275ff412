package io.pgintel.collect.statements;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The cumulative counter columns of {@code pg_stat_statements} that one server has. The set moves across
 * versions (plan times need {@code track_planning}, JIT and temp block times came in 15, 17 renamed
 * {@code blk_*_time} to {@code shared_blk_*_time} and added local ones, 18 added WAL buffers full and parallel
 * workers), so it is read from the view once per server and every query is built from it. Averages, minima and
 * maxima are left out: they cannot be turned into interval deltas.
 */
final class CounterColumns {

  /** Every counter column pgintel knows, in view order; {@code true} for fractional values (times). */
  private static final Object[][] KNOWN = {
      {"plans", false}, {"total_plan_time", true}, {"calls", false}, {"total_exec_time", true}, {"rows", false},
      {"shared_blks_hit", false}, {"shared_blks_read", false}, {"shared_blks_dirtied", false},
      {"shared_blks_written", false}, {"local_blks_hit", false}, {"local_blks_read", false},
      {"local_blks_dirtied", false}, {"local_blks_written", false}, {"temp_blks_read", false},
      {"temp_blks_written", false}, {"blk_read_time", true}, {"blk_write_time", true},
      {"shared_blk_read_time", true}, {"shared_blk_write_time", true}, {"local_blk_read_time", true},
      {"local_blk_write_time", true}, {"temp_blk_read_time", true}, {"temp_blk_write_time", true},
      {"wal_records", false}, {"wal_fpi", false}, {"wal_bytes", false}, {"wal_buffers_full", false},
      {"jit_functions", false}, {"jit_generation_time", true}, {"jit_inlining_count", false},
      {"jit_inlining_time", true}, {"jit_optimization_count", false}, {"jit_optimization_time", true},
      {"jit_emission_count", false}, {"jit_emission_time", true}, {"jit_deform_count", false},
      {"jit_deform_time", true}, {"parallel_workers_to_launch", false}, {"parallel_workers_launched", false},
  };

  /** Every counter column name pgintel knows, in view order. */
  static List<String> known() {
    List<String> names = new ArrayList<>();
    for (Object[] k : KNOWN) {
      names.add((String) k[0]);
    }
    return names;
  }

  final String[] names;
  final boolean[] fractional;
  final int calls;
  final int totalExecTime;
  final int rows;
  final int sharedBlksHit;
  final int sharedBlksRead;
  final int tempBlksRead;
  final int tempBlksWritten;
  final int walBytes;
  final boolean toplevel;
  final boolean statsSince;

  CounterColumns(Set<String> present) {
    List<String> n = new ArrayList<>();
    List<Boolean> f = new ArrayList<>();
    for (Object[] k : KNOWN) {
      if (present.contains((String) k[0])) {
        n.add((String) k[0]);
        f.add((Boolean) k[1]);
      }
    }
    names = n.toArray(new String[0]);
    fractional = new boolean[names.length];
    for (int i = 0; i < names.length; i++) {
      fractional[i] = f.get(i);
    }
    calls = indexOf("calls");
    totalExecTime = indexOf("total_exec_time");
    rows = indexOf("rows");
    sharedBlksHit = indexOf("shared_blks_hit");
    sharedBlksRead = indexOf("shared_blks_read");
    tempBlksRead = indexOf("temp_blks_read");
    tempBlksWritten = indexOf("temp_blks_written");
    walBytes = indexOf("wal_bytes");
    toplevel = present.contains("toplevel");
    statsSince = present.contains("stats_since");
    if (calls < 0 || totalExecTime < 0 || rows < 0) {
      throw new IllegalStateException("pg_stat_statements lacks calls, total_exec_time or rows: "
          + "an extension older than 1.8 (PostgreSQL 13); run ALTER EXTENSION pg_stat_statements UPDATE");
    }
  }

  int size() {
    return names.length;
  }

  int indexOf(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Value of column {@code i} of a row, or 0 when the server lacks it. */
  static double at(double[] row, int i) {
    return i < 0 ? 0 : row[i];
  }
}
