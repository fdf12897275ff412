package io.pgintel.collect.buffercache;

/**
 * Shared buffers by state: {@code used} and {@code unused} make up all of them; {@code dirty} and {@code pinned}
 * are used ones (written to but not yet to disk; held by a backend right now).
 *
 * @param usageCountAverage the used buffers' average usage count (0 to 5): near 5, the cache is hot and every
 *     eviction costs; null when none is used
 */
public record BufferCacheSummary(long used, long unused, long dirty, long pinned, Double usageCountAverage) {}
