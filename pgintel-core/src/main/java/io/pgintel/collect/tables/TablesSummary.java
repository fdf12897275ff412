package io.pgintel.collect.tables;

/**
 * The monitored database's tables as a whole.
 *
 * @param tables user tables in the database (all, not only the reported ones)
 * @param reported tables reported individually (the largest and busiest, bounded)
 * @param sizeSkipped reported tables whose size was not read because of an ACCESS EXCLUSIVE lock
 * @param sequencesUnread sequences that could end, readable, not locked, but beyond the most read in a collection
 */
public record TablesSummary(String database, long tables, long reported, long sizeSkipped, long sequencesUnread) {}
