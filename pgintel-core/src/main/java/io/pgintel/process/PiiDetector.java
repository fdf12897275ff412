package io.pgintel.process;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds personal data and secrets in a string and replaces each with {@code [REDACTED:<kind>]}.
 *
 * <p>Every detector is tuned against false positives on what monitoring data is full of: UUIDs, timestamps,
 * order and row numbers, version strings, SQL casts ({@code id::int}). Card numbers must pass the Luhn check and
 * start like a card network's numbers; IBANs must pass the mod-97 check; social security numbers need their
 * dashes; an IPv6 address needs a digit and two groups. Secrets (JWTs, bearer tokens, cloud keys) are matched
 * first, since they may contain what looks like other kinds.
 */
public final class PiiDetector {

  /** What a detector finds. */
  public enum Kind {
    JWT, BEARER, CLOUD_KEY, EMAIL, IBAN, CARD, SSN, PHONE, IP;

    /** The label in {@code [REDACTED:<label>]} and in self-telemetry. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The redacted text and how many matches of each kind were replaced. */
  public record Redaction(String text, Map<Kind, Integer> counts) {
    public boolean changed() {
      return !counts.isEmpty();
    }
  }

  private record Detector(Kind kind, Pattern pattern, Predicate<String> accept) {}

  private static final List<Detector> DETECTORS = List.of(
      new Detector(Kind.JWT, Pattern.compile("eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*"),
          s -> true),
      new Detector(Kind.BEARER, Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9._~+/=-]{8,}"), s -> true),
      new Detector(Kind.CLOUD_KEY, Pattern.compile(
          "\\b(?:(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|gh[pousr]_[A-Za-z0-9]{36,}"
              + "|xox[abpr]-[A-Za-z0-9-]{10,}|sk_live_[0-9A-Za-z]{24,})\\b"), s -> true),
      new Detector(Kind.EMAIL, Pattern.compile(
          "(?<![\\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,24}(?![\\w-])"), s -> true),
      new Detector(Kind.IBAN, Pattern.compile("\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\\b"),
          PiiDetector::validIban),
      new Detector(Kind.CARD, Pattern.compile("(?<![\\w.-])(?:\\d[ -]?){12,18}\\d(?![\\w-])"), PiiDetector::validCard),
      new Detector(Kind.SSN, Pattern.compile("(?<![\\d-])(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}(?![\\d-])"),
          s -> true),
      new Detector(Kind.PHONE, Pattern.compile(
          "(?<![\\w+])(?:\\+[1-9]\\d{7,14}|\\+\\d{1,3}[ .-]\\(?\\d{1,4}\\)?(?:[ .-]\\d{2,4}){2,4}"
              + "|\\(\\d{3}\\) ?\\d{3}[ .-]\\d{4}|\\d{3}[.-]\\d{3}[.-]\\d{4})(?![\\w-])"), s -> true),
      new Detector(Kind.IP, Pattern.compile(
          "(?<![\\w.])(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?:\\.(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}"
              + "(?![\\w.])"
              + "|(?i)(?<![\\w:])(?=[0-9a-f:]*\\d)(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}"
              + "|(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4}"
              + "|::(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})(?![\\w:])"), s -> true));

  private final EnumSet<Kind> enabled;

  private PiiDetector(EnumSet<Kind> enabled) {
    this.enabled = enabled;
  }

  /** Every detector. */
  public static PiiDetector all() {
    return new PiiDetector(EnumSet.allOf(Kind.class));
  }

  /** Only the given detectors. */
  public static PiiDetector of(EnumSet<Kind> kinds) {
    return new PiiDetector(EnumSet.copyOf(Objects.requireNonNull(kinds, "kinds")));
  }

  /** The text with every match replaced; the same string when nothing matched. Null stays null. */
  public Redaction redact(String text) {
    if (text == null || text.isEmpty()) {
      return new Redaction(text, Map.of());
    }
    String current = text;
    Map<Kind, Integer> counts = null;
    for (Detector d : DETECTORS) {
      if (!enabled.contains(d.kind())) {
        continue;
      }
      Matcher m = d.pattern().matcher(current);
      StringBuilder out = null;
      int last = 0;
      int from = 0;
      while (from <= current.length() && m.find(from)) {
        if (!d.accept().test(m.group())) {
          // a shorter or later match may still be valid: "2 4111..." fails where "4111..." passes
          from = m.start() + 1;
          continue;
        }
        from = m.end();
        if (out == null) {
          out = new StringBuilder(current.length());
        }
        out.append(current, last, m.start()).append("[REDACTED:").append(d.kind().label()).append(']');
        last = m.end();
        if (counts == null) {
          counts = new EnumMap<>(Kind.class);
        }
        counts.merge(d.kind(), 1, Integer::sum);
      }
      if (out != null) {
        current = out.append(current, last, current.length()).toString();
      }
    }
    return new Redaction(current, counts == null ? Map.of() : Collections.unmodifiableMap(counts));
  }

  /** Luhn check and a card network's number ranges and lengths. */
  static boolean validCard(String match) {
    String digits = match.replaceAll("[ -]", "");
    int n = digits.length();
    if (n < 13 || n > 19 || !knownNetwork(digits)) {
      return false;
    }
    int sum = 0;
    for (int i = 0; i < n; i++) {
      int d = digits.charAt(n - 1 - i) - '0';
      if (i % 2 == 1) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
    }
    return sum % 10 == 0;
  }

  private static boolean knownNetwork(String d) {
    int two = Integer.parseInt(d.substring(0, 2));
    int four = Integer.parseInt(d.substring(0, 4));
    int n = d.length();
    return d.charAt(0) == '4' && (n == 13 || n == 16 || n == 19)                       // Visa
        || (two >= 51 && two <= 55 || four >= 2221 && four <= 2720) && n == 16           // Mastercard
        || (two == 34 || two == 37) && n == 15                                           // American Express
        || (four == 6011 || two == 65 || four >= 6440 && four <= 6499) && n >= 16        // Discover
        || four >= 3528 && four <= 3589 && n >= 16                                       // JCB
        || (two == 36 || two == 38 || four >= 3000 && four <= 3059) && n >= 14;          // Diners Club
  }

  /** ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 must be 1. */
  static boolean validIban(String match) {
    String iban = match.replace(" ", "");
    if (iban.length() < 15 || iban.length() > 34) {
      return false;
    }
    String rearranged = iban.substring(4) + iban.substring(0, 4);
    int mod = 0;
    for (int i = 0; i < rearranged.length(); i++) {
      char c = rearranged.charAt(i);
      int v = Character.isDigit(c) ? c - '0' : c - 'A' + 10;
      mod = v < 10 ? (mod * 10 + v) % 97 : (mod * 100 + v) % 97;
    }
    return mod == 1;
  }
}
