package io.pgintel.sql;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A statement reduced to what may leave the process: no literal values, no comments. Immutable
 * and thread-safe.
 *
 * <p>The summary ({@link #operation}, {@link #tables}, {@link #summary}) of a result from
 * {@link SqlEngine} is worked out on first use from the normalized text, which reads back to the
 * same canonical tokens as the statement: code that only needs the fingerprint and the text (the
 * hot path of a monitoring agent) does not pay for it. Working it out is safe from any thread and
 * never throws.
 */
public final class NormalizedQuery {

  private final long fingerprintBits;
  private final String text;
  private final boolean jdbc;
  private final boolean truncated;
  private final Map<String, String> comments;
  /** Hex of {@link #fingerprintBits}, made on first use; racy but safe: a String is immutable. */
  private String fingerprint;
  /** Set once, racily but safely: {@link Summary} is immutable and computing it is idempotent. */
  private Summary summary;

  /**
   * A result with every part given.
   *
   * @param fingerprint     {@link #fingerprintBits} as 16 lower-case hex digits
   * @param fingerprintBits the 64-bit fingerprint
   * @param text            normalized text
   * @param operation       {@code db.operation.name}, upper case, or empty
   * @param tables          table names in order of first appearance
   * @param summary         {@code db.query.summary}
   * @param truncated       whether a literal, quoted name or comment was left open
   * @param comments        sqlcommenter tags from a trailing comment
   */
  public NormalizedQuery(String fingerprint, long fingerprintBits, String text, String operation,
      List<String> tables, String summary, boolean truncated, Map<String, String> comments) {
    this(fingerprintBits, text, false, truncated, comments);
    this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
    this.summary = new Summary(Objects.requireNonNull(operation, "operation"), List.copyOf(tables),
        Objects.requireNonNull(summary, "summary"));
  }

  /** A result whose summary is worked out from {@code text} (read in JDBC mode or not) on first use. */
  NormalizedQuery(long fingerprintBits, String text, boolean jdbc, boolean truncated, Map<String, String> comments) {
    this.fingerprintBits = fingerprintBits;
    this.text = Objects.requireNonNull(text, "text");
    this.jdbc = jdbc;
    this.truncated = truncated;
    this.comments = comments.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(comments));
  }

  /**
   * {@link #fingerprintBits} as 16 lower-case hex digits; equal for statements that differ only in
   * constants, bind-parameter style, list lengths, whitespace, comments, keyword case or redundant
   * quotes.
   */
  public String fingerprint() {
    String f = fingerprint;
    if (f == null) {
      f = Normalizer.hex(fingerprintBits);
      fingerprint = f;
    }
    return f;
  }

  /** The 64-bit fingerprint. */
  public long fingerprintBits() {
    return fingerprintBits;
  }

  /**
   * Normalized text with constants as placeholders: {@code $1..$n} for server text, {@code ?} for
   * JDBC text; a collapsed list prints as one placeholder followed by {@code /*, ... *}{@code /},
   * as PostgreSQL 18 prints it.
   */
  public String text() {
    return text;
  }

  /**
   * {@code db.operation.name}, upper case ({@code SELECT}, {@code CREATE TABLE}); empty when the
   * statement does not start with a known verb.
   */
  public String operation() {
    return summaryParts().operation();
  }

  /** Table names in order of first appearance, schema-qualified as written, unquoted, without duplicates. */
  public List<String> tables() {
    return summaryParts().tables();
  }

  /** {@code db.query.summary}: operation and the first few tables, at most 255 chars. */
  public String summary() {
    return summaryParts().text();
  }

  /**
   * True if a literal, quoted name or comment was left open (the input was cut short): it was
   * redacted to the end of the input.
   */
  public boolean truncated() {
    return truncated;
  }

  /** Sqlcommenter tags from a trailing comment ({@code traceparent}, ...), decoded. */
  public Map<String, String> comments() {
    return comments;
  }

  private Summary summaryParts() {
    Summary s = summary;
    if (s == null) {
      s = SqlEngine.summarize(text, jdbc);
      summary = s;
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof NormalizedQuery q
        && fingerprintBits == q.fingerprintBits
        && truncated == q.truncated
        && fingerprint().equals(q.fingerprint())
        && text.equals(q.text)
        && comments.equals(q.comments)
        && summaryParts().equals(q.summaryParts());
  }

  @Override
  public int hashCode() {
    return Objects.hash(fingerprint(), text, truncated, comments, summaryParts());
  }

  @Override
  public String toString() {
    Summary s = summaryParts();
    return "NormalizedQuery[fingerprint=" + fingerprint() + ", fingerprintBits=" + fingerprintBits + ", text=" + text
        + ", operation=" + s.operation() + ", tables=" + s.tables() + ", summary=" + s.text() + ", truncated="
        + truncated + ", comments=" + comments + "]";
  }
}
