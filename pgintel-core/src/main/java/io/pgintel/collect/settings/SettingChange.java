package io.pgintel.collect.settings;

/**
 * One setting of the server found changed since the previous reading.
 *
 * @param change {@link #CHANGED} (the value a new session gets), {@link #PENDING_RESTART} (changed in the
 *     configuration, in effect after a restart), {@link #ADDED} or {@link #REMOVED} (a setting that appeared or went,
 *     as an extension's settings do when it is loaded or unloaded)
 * @param oldValue the value before, as {@code SHOW} prints it, {@value SettingValue#HIDDEN} for one that may hold a
 *     secret; null when added
 * @param newValue the value now, likewise; null when removed
 * @param source where the value comes from ({@code configuration file}, {@code database}, ...); null when not known
 */
public record SettingChange(String name, String change, String oldValue, String newValue, String unit,
    String context, String source, boolean pendingRestart) {

  public static final String CHANGED = "changed";
  public static final String PENDING_RESTART = "pending_restart";
  public static final String ADDED = "added";
  public static final String REMOVED = "removed";
}
