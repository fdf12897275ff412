package io.pgintel.collect.settings;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** How a setting's raw value is shown: in the largest unit that holds it exactly, or hidden. */
final class SettingValue {

  /** What is shown for a setting that may hold a secret. */
  static final String HIDDEN = "(hidden)";

  /**
   * Names of settings that may hold a password, a key or a command line with either: {@code primary_conninfo}
   * carries the replication password, {@code archive_command} and its kin often credentials of an object store.
   */
  private static final Pattern SECRET_NAME = Pattern.compile(
      "password|passphrase|passwd|secret|token|credential|key|conninfo|command", Pattern.CASE_INSENSITIVE);

  private static final String[] MEMORY_UNITS = {"B", "kB", "MB", "GB", "TB"};
  private static final long[] TIME_US = {1, 1_000, 1_000_000, 60_000_000L, 3_600_000_000L, 86_400_000_000L};
  private static final String[] TIME_UNITS = {"us", "ms", "s", "min", "h", "d"};

  private SettingValue() {}

  /** Salts every digest of this process: a digest kept in memory tells nothing about a short secret either. */
  private static final byte[] SALT = new byte[16];

  static {
    new SecureRandom().nextBytes(SALT);
  }

  /** What a hidden value is compared by, so that the secret itself is not kept. */
  static String digest(String value) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(SALT);
      byte[] d = sha.digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      // every Java platform has SHA-256
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether a setting's value is kept from the telemetry: a text setting named like a secret, and any text setting
   * of an extension ({@code anon.salt}), whose meaning pgintel cannot know. Numbers, switches and choices are no
   * secrets whatever their name ({@code password_encryption}).
   */
  static boolean hidden(String name, String vartype) {
    return "string".equals(vartype) && hiddenByName(name);
  }

  /**
   * Whether a value is kept from the telemetry when its type is not known (a database or role value of an
   * extension not loaded in the session, or an application's own {@code app.jwt_secret}): named like a secret, or
   * an extension's or application's, as every name with a dot is.
   */
  static boolean hiddenByName(String name) {
    return SECRET_NAME.matcher(name).find() || name.indexOf('.') >= 0;
  }

  /**
   * The value as {@code SHOW} prints it: an integer with a unit in the largest unit that divides it
   * ({@code shared_buffers} 16384 of 8kB is {@code 128MB}), anything else as read, with its unit.
   */
  static String display(String value, String unit, String vartype) {
    if (unit == null || unit.isEmpty()) {
      return value;
    }
    if (!"integer".equals(vartype)) {
      return value + unit;
    }
    long n;
    try {
      n = Long.parseLong(value);
    } catch (NumberFormatException e) {
      return value + unit;
    }
    if (n <= 0) {
      // 0 and -1 mean "off" or "use another setting": PostgreSQL shows them bare too
      return value;
    }
    int digits = 0;
    while (digits < unit.length() && Character.isDigit(unit.charAt(digits))) {
      digits++;
    }
    long multiple = digits == 0 ? 1 : Long.parseLong(unit.substring(0, digits));
    String base = unit.substring(digits);
    try {
      for (int i = 0; i < MEMORY_UNITS.length; i++) {
        if (MEMORY_UNITS[i].equals(base)) {
          return memory(Math.multiplyExact(n, multiple), i);
        }
      }
      for (int i = 0; i < TIME_UNITS.length; i++) {
        if (TIME_UNITS[i].equals(base)) {
          return time(Math.multiplyExact(Math.multiplyExact(n, multiple), TIME_US[i]));
        }
      }
    } catch (ArithmeticException tooLarge) {
      // shown as read
    }
    return value + unit;
  }

  /** {@code count} of {@code MEMORY_UNITS[at]} in the largest unit it fills exactly. */
  private static String memory(long count, int at) {
    while (at + 1 < MEMORY_UNITS.length && count % 1024 == 0) {
      count /= 1024;
      at++;
    }
    return count + MEMORY_UNITS[at];
  }

  private static String time(long us) {
    int i = TIME_US.length - 1;
    while (us % TIME_US[i] != 0) {
      i--;
    }
    return us / TIME_US[i] + TIME_UNITS[i];
  }
}
