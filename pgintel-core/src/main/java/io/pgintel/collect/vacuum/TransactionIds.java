package io.pgintel.collect.vacuum;

/**
 * The server's transaction ID counter: the next ID it will assign, 64 bits wide (epoch included), so that its
 * rate is how fast the server consumes IDs, and with the ages of {@link DatabaseAge} how soon wraparound comes.
 */
public record TransactionIds(long next) {}
