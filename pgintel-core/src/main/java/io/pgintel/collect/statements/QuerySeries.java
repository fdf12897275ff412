package io.pgintel.collect.statements;

/**
 * Work per (database, query summary) since pgintel started, summed from interval deltas: the bounded series of
 * the per-query metrics. Summary {@code other} holds everything beyond the series limit.
 */
public record QuerySeries(String database, String summary, long calls, double execTimeMs, long rows,
    long sharedBlocksHit, long sharedBlocksRead, long tempBlocks, long walBytes) {

  QuerySeries plus(long c, double t, long r, long hit, long read, long temp, long wal) {
    return new QuerySeries(database, summary, calls + c, execTimeMs + t, rows + r, sharedBlocksHit + hit,
        sharedBlocksRead + read, tempBlocks + temp, walBytes + wal);
  }
}
