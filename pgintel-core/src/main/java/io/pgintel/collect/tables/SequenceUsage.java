package io.pgintel.collect.tables;

/**
 * How far one sequence has come towards its end: the narrower of its own bounds and those of the integer column
 * it feeds, in the direction it counts.
 *
 * @param name schema-qualified, as {@code schema.sequence}
 * @param used share of the range used, 0 to 1
 * @param remaining values it can still give before {@code nextval()} fails (or the column overflows)
 */
public record SequenceUsage(String database, String name, double used, long remaining) {}
