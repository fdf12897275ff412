/**
 * The pgintel Java agent and command line. Filled in by the agent issue; the SQL engine issue adds the
 * {@code fingerprint} command.
 */
package io.pgintel.agent;
