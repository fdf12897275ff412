package io.pgintel.collect.schema;

/**
 * A B-tree index another index of the same table makes redundant: its key columns lead the other's, with the same
 * operator classes, collations and order; every write to the table still maintains it.
 *
 * @param table its table, schema-qualified
 * @param index its name
 * @param coveredBy the index that covers it
 * @param bytes its size from the catalog ({@code relpages})
 */
public record RedundantIndex(String database, String table, String index, String coveredBy, long bytes) {}
