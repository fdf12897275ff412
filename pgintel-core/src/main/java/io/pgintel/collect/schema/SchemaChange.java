package io.pgintel.collect.schema;

/**
 * One relation of the monitored database created, dropped, altered, renamed, attached as a partition or detached
 * from one since the previous reading.
 *
 * @param relation a table as {@code schema.name}, an index by its name alone (it lives in its table's schema); for
 *     a rename, the new name
 * @param kind {@code table}, {@code partitioned table}, {@code materialized view}, {@code foreign table} or
 *     {@code index}
 * @param change {@link #CREATED}, {@link #DROPPED}, {@link #ALTERED} (its columns, or an index's definition),
 *     {@link #RENAMED}, {@link #ATTACHED} or {@link #DETACHED}
 * @param oldName the name before a rename, else null
 * @param table for an index, the table it is on; else null
 * @param parent for a table attached or detached, the partitioned table it was attached to or detached from;
 *     else null
 */
public record SchemaChange(String database, String relation, String kind, String change, String oldName,
    String table, String parent) {

  public static final String CREATED = "created";
  public static final String DROPPED = "dropped";
  public static final String ALTERED = "altered";
  public static final String RENAMED = "renamed";
  public static final String ATTACHED = "attached";
  public static final String DETACHED = "detached";

  /** A change of a relation's own, not of its place among partitions. */
  public SchemaChange(String database, String relation, String kind, String change, String oldName, String table) {
    this(database, relation, kind, change, oldName, table, null);
  }
}
