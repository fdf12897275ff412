package io.pgintel.collect.plans;

import io.pgintel.sql.NormalizedQuery;
import io.pgintel.trace.CallSites;

/**
 * A statement's plan as the server printed it ({@code EXPLAIN (FORMAT JSON)}), before the plan processor reads
 * it. The JSON may hold literals (from views, partial index predicates, constraints): it is never emitted as it
 * is; the plan processor turns this record into a {@link io.pgintel.process.QueryPlan} with its literals
 * obfuscated.
 *
 * @param database the database the statement ran in (the DataSource's)
 * @param queryid PostgreSQL's query id of the statement
 * @param query the statement, obfuscated and normalized by the SQL engine
 * @param method how it was explained: {@code generic_plan} (PostgreSQL 16+), {@code prepared} (13-15) or
 *     {@code helper} (the helper function, for DML)
 * @param json the server's JSON plan
 * @param jitAboveCost the session's {@code jit_above_cost}, or -1 when {@code jit} is off: the planner JIT-compiles
 *     a plan whose total cost is above it, and {@code EXPLAIN} without {@code ANALYZE} does not say so itself
 * @param callSites the lines of the application's code seen running the statement, as the top query has them
 */
public record ExplainedPlan(String database, long queryid, NormalizedQuery query, String method, String json,
    double jitAboveCost, CallSites.Seen callSites) {}
