/** The quickstart: an embedded PostgreSQL, a workload and pgintel, printed live. */
package io.pgintel.samples.quickstart;
