package io.pgintel.process;

import io.pgintel.sql.NormalizedQuery;
import io.pgintel.trace.CallSites;
import java.util.List;
import java.util.Map;

/**
 * What the plan processor read from one statement's generic plan: a {@code db.server.query_plan} event.
 *
 * @param database the database the statement was explained in
 * @param queryid PostgreSQL's query id
 * @param query the statement, obfuscated
 * @param method {@code generic_plan}, {@code prepared} or {@code helper}
 * @param hash 16 hex digits over the plan's shape: node types, join types, strategies, relations, indexes, sort and
 *     group keys (obfuscated); not costs, row estimates or literals, so a plan keeps its hash while its costs move
 * @param totalCost the root node's total cost
 * @param planRows the root node's estimated rows
 * @param nodeTypes how many nodes of each type, by type, sorted by name
 * @param seqScans relations read by sequential scans, in plan order, without repeats
 * @param indexScans indexes used by index, index-only and bitmap index scans, in plan order, without repeats
 * @param nestedLoops nested loop joins
 * @param sorts sort and incremental sort nodes
 * @param hashes hash nodes (the build side of hash joins) and hashed aggregates
 * @param jit whether the planner chose to JIT-compile it: {@code jit} on and the total cost above
 *     {@code jit_above_cost} (or a {@code JIT} section in the plan, which only {@code ANALYZE} prints)
 * @param complexity a rough size of the plan: nodes, plus joins, plus subplans and init plans, plus its depth
 * @param json the plan as the server printed it with every condition, key and output expression obfuscated, or
 *     null when longer than {@value PlanProcessor#MAX_JSON_CHARS} characters
 * @param callSites the lines of the application's code seen running the statement
 */
public record QueryPlan(String database, long queryid, NormalizedQuery query, String method, String hash,
    double totalCost, double planRows, Map<String, Integer> nodeTypes, List<String> seqScans,
    List<String> indexScans, int nestedLoops, int sorts, int hashes, boolean jit, int complexity, String json,
    CallSites.Seen callSites) {}
