package io.pgintel.agent;

import java.util.Locale;
import java.util.Properties;

/**
 * The role pgintel's own connection logs in as ({@code pgintel.agent.own-connection.user} and {@code .password})
 * instead of the application's: a monitoring role of its own, typically a member of {@code pg_monitor}, so that
 * pgintel sees every session's statement in {@code pg_stat_activity} and every text in {@code pg_stat_statements}
 * where the application's role would see {@code <insufficient privilege>}, and so that a DBA can tell pgintel's
 * session and its limits apart.
 *
 * @param user the role
 * @param password its password, or null for none (trust, peer or certificate authentication)
 */
record OwnLogin(String user, String password) {

  /** The URL's parameters that pgjdbc would let override the properties. */
  private static final String[] CREDENTIALS = {"user", "password"};

  /** Puts the role and its password in {@code info} in place of the application's. */
  void applyTo(Properties info) {
    info.setProperty("user", user);
    if (password == null) {
      info.remove("password");
    } else {
      info.setProperty("password", password);
    }
  }

  /**
   * {@code url} without a {@code user} or {@code password} parameter: pgjdbc takes the URL's parameters over the
   * properties, so the application's credentials there would win over the role.
   */
  static String withoutCredentials(String url) {
    int query = url.indexOf('?');
    if (query < 0) {
      return url;
    }
    StringBuilder kept = new StringBuilder(url.length()).append(url, 0, query);
    char separator = '?';
    for (String parameter : url.substring(query + 1).split("&")) {
      if (parameter.isEmpty() || isCredential(parameter)) {
        continue;
      }
      kept.append(separator).append(parameter);
      separator = '&';
    }
    return kept.toString();
  }

  private static boolean isCredential(String parameter) {
    int eq = parameter.indexOf('=');
    String name = (eq < 0 ? parameter : parameter.substring(0, eq)).toLowerCase(Locale.ROOT);
    for (String c : CREDENTIALS) {
      if (name.equals(c)) {
        return true;
      }
    }
    return false;
  }

  /** The role only: this may end up in a log line. */
  @Override
  public String toString() {
    return "role " + user;
  }
}
