package io.pgintel.collect.settings;

import java.util.List;
import java.util.Map;

/**
 * The server's configuration as pgintel first reads it: every setting whose value differs from the server's
 * built-in default, as {@code SHOW} prints it (hidden where it may hold a secret).
 *
 * @param settings name to value, in name order
 * @param pendingRestart settings changed in the configuration that wait for a restart
 * @param changes changes found since the previous reading when there were too many to report one by one; 0 for
 *     the first reading
 */
public record SettingsSnapshot(Map<String, String> settings, List<String> pendingRestart, int changes) {}
