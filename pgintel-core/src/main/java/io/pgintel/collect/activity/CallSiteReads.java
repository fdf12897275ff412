package io.pgintel.collect.activity;

import io.pgintel.trace.CallSites;

/**
 * What the stack reads for top queries' lines of code ({@link CallSites}) came to so far, for the monitored
 * database: pgintel's own telemetry of what learning them costs.
 */
public record CallSiteReads(String database, CallSites.Reads reads) {}
