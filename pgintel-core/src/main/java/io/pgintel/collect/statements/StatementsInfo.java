package io.pgintel.collect.statements;

/**
 * Health of {@code pg_stat_statements} itself.
 *
 * @param entries entries the view holds now
 * @param max {@code pg_stat_statements.max}
 * @param deallocations entries evicted to make room, since its last reset (PostgreSQL 14+, else null)
 * @param hiddenEntries entries of other roles this role may not see (no {@code pg_read_all_stats})
 */
public record StatementsInfo(long entries, long max, Long deallocations, long hiddenEntries) {}
