package io.pgintel.sql;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A statement reduced to what may leave the process: no literal values, no comments.
 *
 * @param fingerprint     {@link #fingerprintBits} as 16 lower-case hex digits; equal for statements
 *                        that differ only in constants, bind-parameter style, list lengths,
 *                        whitespace, comments, keyword case or redundant quotes
 * @param fingerprintBits the 64-bit fingerprint
 * @param text            normalized text with constants as placeholders: {@code $1..$n} for server
 *                        text, {@code ?} for JDBC text; a collapsed list prints as one placeholder
 *                        followed by {@code /*, ... *}{@code /}, as PostgreSQL 18 prints it
 * @param operation       {@code db.operation.name}, upper case ({@code SELECT}, {@code CREATE TABLE});
 *                        empty when the statement does not start with a known verb
 * @param tables          table names in order of first appearance, schema-qualified as written,
 *                        unquoted, without duplicates
 * @param summary         {@code db.query.summary}: operation and the first few tables, at most 255 chars
 * @param truncated       true if a literal, quoted name or comment was left open (the input was
 *                        cut short): it was redacted to the end of the input
 * @param comments        sqlcommenter tags from a trailing comment ({@code traceparent}, ...), decoded
 */
public record NormalizedQuery(
        String fingerprint,
        long fingerprintBits,
        String text,
        String operation,
        List<String> tables,
        String summary,
        boolean truncated,
        Map<String, String> comments) {

    public NormalizedQuery {
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(summary, "summary");
        tables = List.copyOf(tables);
        comments = comments.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(comments));
    }
}
