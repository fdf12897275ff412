package io.pgintel.collect.schema;

/**
 * One relation of the monitored database created, dropped, altered or renamed since the previous reading.
 *
 * @param relation a table as {@code schema.name}, an index by its name alone (it lives in its table's schema); for
 *     a rename, the new name
 * @param kind {@code table}, {@code partitioned table}, {@code materialized view}, {@code foreign table} or
 *     {@code index}
 * @param change {@link #CREATED}, {@link #DROPPED}, {@link #ALTERED} (its columns, or an index's definition) or
 *     {@link #RENAMED}
 * @param oldName the name before a rename, else null
 * @param table for an index, the table it is on; else null
 */
public record SchemaChange(String database, String relation, String kind, String change, String oldName,
    String table) {

  public static final String CREATED = "created";
  public static final String DROPPED = "dropped";
  public static final String ALTERED = "altered";
  public static final String RENAMED = "renamed";
}
