package io.pgintel.collect.settings;

/**
 * One setting of the server found changed since the previous reading.
 *
 * @param change {@link #CHANGED} (the value a session goes back to at {@code RESET}, or a database or role value),
 *     {@link #PENDING_RESTART} (changed in the configuration files, in effect after a restart; the values are the
 *     one in effect), {@link #SET} or {@link #RESET} (a database or role value given or taken away)
 * @param oldValue the value before, as {@code SHOW} prints it (a database or role value as it was written),
 *     {@value SettingValue#HIDDEN} for one that may hold a secret; null when set
 * @param newValue the value now, likewise; null when reset
 * @param source where the value comes from ({@code configuration file}; {@code database}, {@code user},
 *     {@code database user} or {@code global} for a database or role value); null when not known
 * @param context when a change takes effect ({@code user}, {@code sighup}, {@code postmaster}, ...); null for a
 *     setting the session does not list (an application's own, an extension it has not loaded)
 */
public record SettingChange(String name, String change, String oldValue, String newValue, String unit,
    String context, String source, boolean pendingRestart) {

  public static final String CHANGED = "changed";
  public static final String PENDING_RESTART = "pending_restart";
  public static final String SET = "set";
  public static final String RESET = "reset";
}
