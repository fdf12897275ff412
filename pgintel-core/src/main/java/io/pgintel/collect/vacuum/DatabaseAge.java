package io.pgintel.collect.vacuum;

/**
 * How close one database is to transaction ID and multixact wraparound: the ages of its oldest unfrozen IDs
 * ({@code age(datfrozenxid)}, {@code mxid_age(datminmxid)}) and the autovacuum limits that force a freeze.
 *
 * @param xidRemaining transaction IDs left before the server stops accepting writes (2^31 - 1 - age)
 */
public record DatabaseAge(String database, long xidAge, long mxidAge, long xidRemaining, long freezeMaxAge,
    long multixactFreezeMaxAge) {}
