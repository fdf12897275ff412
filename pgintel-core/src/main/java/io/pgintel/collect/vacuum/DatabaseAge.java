package io.pgintel.collect.vacuum;

/**
 * How close one database is to transaction ID and multixact wraparound: the ages of its oldest unfrozen IDs
 * ({@code age(datfrozenxid)}, {@code mxid_age(datminmxid)}) and the autovacuum limits that force a freeze.
 *
 * @param xidRemaining transaction IDs left before the server refuses to assign new ones: 2^31 - 1 - age, less the
 *     margin it keeps (3 million from PostgreSQL 14, 1 million before)
 */
public record DatabaseAge(String database, long xidAge, long mxidAge, long xidRemaining, long freezeMaxAge,
    long multixactFreezeMaxAge) {}
