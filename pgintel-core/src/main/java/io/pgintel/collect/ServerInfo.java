package io.pgintel.collect;

import java.util.Map;
import java.util.Set;

/**
 * What pgintel learned about a server when it first connected: version, identity and what it may read.
 * Collectors choose their SQL from it.
 *
 * @param versionNum {@code server_version_num}, e.g. 170004
 * @param address host the application connects to ({@code server.address})
 * @param port port the application connects to ({@code server.port})
 * @param database the database of the monitored DataSource
 * @param extensions installed extensions and their versions, in that database
 * @param preloadLibraries {@code shared_preload_libraries}, or null when this role may not read it
 * @param pooled the driver's session is not the server's: a connection pooler (PgBouncer, a cloud proxy) stands
 *     between them, and the application's connections cannot be found in {@code pg_stat_activity} by their pid
 */
public record ServerInfo(int versionNum, String version, String address, int port, String database,
    boolean inRecovery, boolean superuser, boolean pgMonitor, Map<String, String> extensions,
    Set<String> preloadLibraries, boolean pooled) {

  /** The major version: 13 for 13.x, 18 for 18.x. */
  public int major() {
    return versionNum / 10000;
  }

  public boolean atLeast(int major) {
    return major() >= major;
  }

  /** Superuser or member of pg_monitor / pg_read_all_stats: sees every session's details. */
  public boolean canReadAllStats() {
    return superuser || pgMonitor;
  }
}
