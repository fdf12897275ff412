package io.pgintel.collect.connections;

/** {@code max_connections} and the slots of it reserved for superusers. */
public record ConnectionLimits(long maxConnections, long superuserReserved) {}
