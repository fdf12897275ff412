package io.pgintel.collect.schema;

/**
 * The relations of the monitored database the {@code schema} collector watches.
 *
 * @param relations tables, partitioned tables, materialized views, foreign tables and indexes, temporary and
 *     system ones left out
 * @param unwatched beyond the {@value SchemaCollector#MAX_RELATIONS} compared
 * @param untold changes found this reading beyond the {@value SchemaCollector#MAX_CHANGES} told one by one
 */
public record SchemaSummary(String database, long relations, long unwatched, long untold) {}
