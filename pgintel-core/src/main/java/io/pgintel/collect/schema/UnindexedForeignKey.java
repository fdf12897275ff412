package io.pgintel.collect.schema;

/**
 * A foreign key no index of its table can serve: each delete, or update of the key, in the referenced table scans
 * this table for rows that still refer to it.
 *
 * @param table the referencing table, schema-qualified
 * @param constraint the foreign key's name
 * @param references the referenced table, schema-qualified
 * @param rows the referencing table's rows as the catalog estimates them (a partitioned table's partitions summed)
 */
public record UnindexedForeignKey(String database, String table, String constraint, String references, long rows) {}
