/** JMH benchmarks for pgintel. Run with {@code java -jar benchmarks/target/benchmarks.jar}; see README. */
package io.pgintel.benchmarks;
