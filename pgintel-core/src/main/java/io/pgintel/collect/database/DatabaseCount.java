package io.pgintel.collect.database;

/** Number of databases on the server, templates excluded. */
public record DatabaseCount(long databases) {}
