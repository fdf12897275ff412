package io.pgintel.collect.tables;

/**
 * The monitored database's tables as a whole.
 *
 * @param tables user tables in the database (all, not only the reported ones)
 * @param reported tables reported individually (the largest and busiest, bounded)
 * @param sizeSkipped reported tables whose size was not read because of an ACCESS EXCLUSIVE lock
 */
public record TablesSummary(String database, long tables, long reported, long sizeSkipped) {}
