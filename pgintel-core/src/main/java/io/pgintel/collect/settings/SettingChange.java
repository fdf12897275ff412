package io.pgintel.collect.settings;

/**
 * One setting of the server found changed since the previous reading.
 *
 * @param change {@link #CHANGED} (the value a session goes back to at {@code RESET}), or {@link #PENDING_RESTART}
 *     (changed in the configuration files, in effect after a restart; the values are the one in effect)
 * @param oldValue the value before, as {@code SHOW} prints it, {@value SettingValue#HIDDEN} for one that may hold a
 *     secret
 * @param newValue the value now, likewise
 * @param source where the value comes from ({@code configuration file}, {@code database}, ...); null when not known
 */
public record SettingChange(String name, String change, String oldValue, String newValue, String unit,
    String context, String source, boolean pendingRestart) {

  public static final String CHANGED = "changed";
  public static final String PENDING_RESTART = "pending_restart";
}
