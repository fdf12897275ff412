package io.pgintel.spring;

import io.pgintel.trace.SessionRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link SessionRegistry} per monitored database, keyed as {@link DataSourceInspector.Inspected#databaseKey()}
 * keys them: the correlation post-processor fills it while DataSource beans are created, before any pgintel
 * instance exists, and each instance then reads the one of its database.
 */
final class SessionRegistries {

  private final Map<String, SessionRegistry> byDatabase = new ConcurrentHashMap<>();

  SessionRegistry forDatabase(String databaseKey) {
    return byDatabase.computeIfAbsent(databaseKey, k -> new SessionRegistry());
  }
}
