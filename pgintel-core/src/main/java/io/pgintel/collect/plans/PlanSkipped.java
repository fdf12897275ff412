package io.pgintel.collect.plans;

import io.pgintel.sql.NormalizedQuery;
import io.pgintel.trace.CallSites;

/**
 * A top statement the plans collector did not explain, and why: reported once per decision (and again only when
 * the decision is due again), so that a user sees why a statement has no plan.
 *
 * @param reason one of {@link #DML_WITHOUT_HELPER}, {@link #TRUNCATED}, {@link #STATEMENT_KIND},
 *     {@link #EXPLAIN_FAILED}
 * @param errorCode the SQLSTATE of a failed explain, or null
 * @param retriable for a failed explain: whether it is tried again after {@code re-explain-after} (a timeout, a
 *     lock) rather than after 24 hours (a syntax error, an unknown parameter type, a missing privilege)
 * @param callSites the lines of the application's code seen running the statement
 */
public record PlanSkipped(String database, long queryid, NormalizedQuery query, String reason, String errorCode,
    boolean retriable, CallSites.Seen callSites) {

  /** An INSERT, UPDATE, DELETE or MERGE (or a WITH holding one) and no helper function is set. */
  public static final String DML_WITHOUT_HELPER = "dml_without_helper";
  /** pg_stat_statements cut the text short ({@code track_activity_query_size}): it cannot be planned. */
  public static final String TRUNCATED = "truncated";
  /** Not a SELECT nor DML: utility statements, {@code SELECT ... INTO}, ... are never explained. */
  public static final String STATEMENT_KIND = "statement_kind";
  /** The server refused to explain it; see {@code errorCode}. */
  public static final String EXPLAIN_FAILED = "explain_failed";
}
