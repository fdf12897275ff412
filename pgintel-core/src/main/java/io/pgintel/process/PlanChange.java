package io.pgintel.process;

import io.pgintel.sql.NormalizedQuery;
import io.pgintel.trace.CallSites;

/**
 * A statement whose plan hash differs from the one seen at its previous explain: a {@code db.server.plan_change}
 * event, next to the {@link QueryPlan} of its new plan.
 */
public record PlanChange(String database, long queryid, NormalizedQuery query, String oldHash, String newHash,
    double oldTotalCost, double newTotalCost, CallSites.Seen callSites) {}
