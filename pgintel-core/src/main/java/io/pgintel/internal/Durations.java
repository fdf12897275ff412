package io.pgintel.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/** Parses and prints durations the way pgintel settings spell them: {@code 500ms}, {@code 30s}, {@code 5m}. */
public final class Durations {

  private Durations() {}

  /**
   * Parses {@code 250ms}, {@code 1.5s}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d} or ISO-8601
   * ({@code PT30S}). A bare number is refused: whether it meant seconds or milliseconds cannot be known.
   *
   * @throws IllegalArgumentException naming what is accepted
   */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.length() > 1 && (s.charAt(0) == 'P' || s.charAt(0) == 'p' || s.startsWith("-P"))) {
      try {
        return Duration.parse(s);
      } catch (DateTimeParseException e) {
        throw invalid(text);
      }
    }
    int unitStart = s.length();
    while (unitStart > 0 && Character.isLetter(s.charAt(unitStart - 1))) {
      unitStart--;
    }
    String unit = s.substring(unitStart).toLowerCase(java.util.Locale.ROOT);
    String number = s.substring(0, unitStart).trim();
    if (unit.isEmpty() || number.isEmpty()) {
      throw invalid(text);
    }
    double value;
    try {
      value = Double.parseDouble(number);
    } catch (NumberFormatException e) {
      throw invalid(text);
    }
    double nanosPerUnit = switch (unit) {
      case "ns" -> 1;
      case "us" -> 1e3;
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "m", "min" -> 60e9;
      case "h" -> 3600e9;
      case "d" -> 86400e9;
      default -> throw invalid(text);
    };
    double nanos = value * nanosPerUnit;
    if (Double.isNaN(nanos) || Math.abs(nanos) > 1e18) {
      throw invalid(text);
    }
    return Duration.ofNanos(Math.round(nanos));
  }

  /** The shortest exact spelling: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (d.toNanos() % 1_000_000 != 0) {
      return d.toNanos() + "ns";
    }
    if (ms % 3_600_000 == 0 && ms != 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms != 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0 && ms != 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "'" + text + "' is not a duration; write it with a unit, such as 500ms, 30s, 5m or PT30S");
  }
}
