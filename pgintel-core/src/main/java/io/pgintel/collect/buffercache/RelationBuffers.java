package io.pgintel.collect.buffercache;

/**
 * Shared buffers holding pages of one relation of the monitored database.
 *
 * @param relation schema-qualified
 * @param kind {@code table}, {@code index}, {@code toast table}, {@code materialized view}, {@code sequence}
 */
public record RelationBuffers(String database, String relation, String kind, long buffers) {}
