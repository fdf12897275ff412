package io.pgintel.spring;

/**
 * A {@code pgintel.*} property core refused. Carries the property's name so that the failure analyzer can point
 * at it; the message is core's, which names the key and what it allows.
 */
final class InvalidPgIntelSettingException extends IllegalArgumentException {

  private final String property;

  InvalidPgIntelSettingException(IllegalArgumentException cause) {
    super(cause.getMessage(), cause);
    this.property = propertyOf(cause.getMessage());
  }

  /** The property, or null when core's message does not start with one. */
  String property() {
    return property;
  }

  /** Core's messages read {@code "<key>: <what is wrong>"}. */
  static String propertyOf(String message) {
    if (message == null) {
      return null;
    }
    int colon = message.indexOf(": ");
    if (colon <= 0) {
      return null;
    }
    String key = message.substring(0, colon);
    return (key.startsWith("pgintel.") || key.startsWith("otel.")) && !key.contains(" ") ? key : null;
  }
}
