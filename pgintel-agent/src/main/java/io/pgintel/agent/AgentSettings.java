package io.pgintel.agent;

import io.pgintel.Setting;
import io.pgintel.Settings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's settings, from four places, later ones winning: an optional properties file, {@code PGINTEL_*} /
 * {@code OTEL_*} environment variables, {@code -Dpgintel.*} / {@code -Dotel.*} system properties, and the agent's
 * own arguments ({@code -javaagent:pgintel-agent.jar=key=value,key=value}), the most specific of them. The file
 * is named by {@code pgintel.config.file} in any of the other three ({@code config=path} for short in the agent
 * arguments, {@code PGINTEL_CONFIG_FILE} in the environment); it is the least specific because it is what a
 * deployment shares, and a variable or flag on one instance should be able to override it.
 *
 * <p>Nothing here throws: a bad key is reported once, with a message naming it, and left out, so that core
 * uses its default. The application must start whatever an operator typed.
 *
 * @param core {@code pgintel.*} and {@code otel.*} settings for {@code PgIntel.builder()}, every one valid
 * @param correlation whether the application's connections are wrapped to link statements to spans
 * @param compilerDirectives whether pgintel's background code is kept on the C1 compiler ({@link CompilerDirectives})
 * @param ownConnection whether pgintel reads through a connection of its own, opened by its own copy of the
 *     application's driver ({@link IsolatedDriver}), instead of borrowing from the application's pool
 * @param ownWhenPoolExhausted whether, without {@code ownConnection}, pgintel reads through such a connection while
 *     the application's pool has no connection to spare (the default, {@code when-pool-exhausted})
 * @param ownLogin the role that connection logs in as, or null for the application's
 * @param problems one message per bad key, naming it
 */
record AgentSettings(Map<String, Object> core, boolean correlation, boolean compilerDirectives,
    boolean ownConnection, boolean ownWhenPoolExhausted, OwnLogin ownLogin, List<String> problems) {

  /** Set by the agent; the Spring starter stands down when it sees it. Not a setting. */
  static final String ACTIVE = "pgintel.agent.active";
  /** Agent-only: {@code false} leaves the application's connections exactly as the pool returns them. */
  static final String CORRELATION = "pgintel.agent.correlation";
  /** Agent-only: {@code false} leaves the JIT compiler's choices for pgintel's code to the JVM. */
  static final String COMPILER_DIRECTIVES = "pgintel.agent.compiler-directives";
  /**
   * Agent-only: {@code true} reads through one connection of pgintel's own and its own copy of the driver,
   * {@code when-pool-exhausted} (the default) does so only while the application's pool has no connection to spare,
   * {@code false} always borrows. Core's {@code pgintel.session.own-connection} (the library's and the starter's
   * name) is read as this.
   */
  static final String OWN_CONNECTION = "pgintel.agent.own-connection";
  /** {@link #OWN_CONNECTION}'s default value. */
  static final String WHEN_POOL_EXHAUSTED = "when-pool-exhausted";
  /** Agent-only: the role pgintel's own connection logs in as ({@link OwnLogin}); the application's by default. */
  static final String OWN_USER = "pgintel.agent.own-connection.user";
  /** Agent-only: that role's password. */
  static final String OWN_PASSWORD = "pgintel.agent.own-connection.password";
  /** Where the optional properties file is; not a setting of its own. */
  static final String CONFIG_FILE = "pgintel.config.file";

  static AgentSettings resolve(String agentArguments, Map<String, String> environment, Properties system) {
    List<String> problems = new ArrayList<>();
    Map<String, String> raw = new LinkedHashMap<>(Settings.fromEnvironment(environment));
    for (String name : system.stringPropertyNames()) {
      if (isOurs(name)) {
        raw.put(name, system.getProperty(name));
      }
    }
    raw.putAll(parseArguments(agentArguments, problems));
    Map<String, String> all = new LinkedHashMap<>();
    raw.forEach((key, value) -> {
      if (loose(key).equals(loose(CONFIG_FILE))) {
        all.putAll(readFile(key, value, problems));
      }
    });
    all.putAll(raw);

    Map<String, Object> core = new LinkedHashMap<>();
    // the agent's own switches and their defaults
    // by the documented key, which messages name however the key was spelled (an environment variable's arrives
    // dotted)
    Map<String, Boolean> agent = new LinkedHashMap<>();
    agent.put(CORRELATION, true);
    agent.put(COMPILER_DIRECTIVES, true);
    String ownByAgentName = null;
    String ownByCoreName = null;
    Map<String, String> login = new LinkedHashMap<>();
    // a custom query's keys are checked together: .gauges alone is no query
    Map<String, Map<String, String>> queries = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : all.entrySet()) {
      String key = e.getKey();
      String loose = loose(key);
      if (loose.equals(loose(ACTIVE)) || loose.equals(loose(CONFIG_FILE))) {
        continue;
      }
      boolean agentName = loose.equals(loose(OWN_CONNECTION));
      if (agentName || loose.equals(loose(Setting.OWN_CONNECTION.key()))) {
        String name = agentName ? OWN_CONNECTION : Setting.OWN_CONNECTION.key();
        String mode = ownMode(e.getValue());
        if (mode == null) {
          problems.add(name + ": '" + e.getValue() + "' is not allowed; use true, false or " + WHEN_POOL_EXHAUSTED);
        } else if (agentName) {
          ownByAgentName = mode;
        } else {
          ownByCoreName = mode;
        }
        continue;
      }
      String agentSwitch = agent.keySet().stream().filter(k -> loose(k).equals(loose)).findFirst().orElse(null);
      if (agentSwitch != null) {
        Boolean on = parseBoolean(e.getValue());
        if (on == null) {
          problems.add(agentSwitch + ": '" + e.getValue() + "' is not a boolean; use true or false");
        } else {
          agent.put(agentSwitch, on);
        }
        continue;
      }
      if (loose.equals(loose(OWN_USER)) || loose.equals(loose(OWN_PASSWORD))) {
        login.put(loose, e.getValue());
        continue;
      }
      if (loose.startsWith("pgintelagent")) {
        problems.add(key + ": unknown agent setting; the agent takes " + CORRELATION + ", " + COMPILER_DIRECTIVES
            + ", " + OWN_CONNECTION + ", " + OWN_USER + " and " + OWN_PASSWORD);
        continue;
      }
      String query = Settings.customQueryName(key);
      if (query != null) {
        queries.computeIfAbsent(query, q -> new LinkedHashMap<>()).put(key, e.getValue());
        continue;
      }
      // one key at a time, so that a bad key is left out and the rest still apply
      List<String> bad = new ArrayList<>();
      Settings.lenient(Map.of(key, e.getValue()), bad::add);
      if (bad.isEmpty()) {
        core.put(key, e.getValue());
      } else {
        problems.addAll(bad);
      }
    }
    for (Map<String, String> query : queries.values()) {
      List<String> bad = new ArrayList<>();
      Settings.lenient(query, bad::add);
      if (bad.isEmpty()) {
        core.putAll(query);
      } else {
        problems.addAll(bad);
      }
    }
    if (ownByAgentName != null && ownByCoreName != null && !ownByAgentName.equals(ownByCoreName)) {
      problems.add(OWN_CONNECTION + " and " + Setting.OWN_CONNECTION.key() + " are one setting, given '"
          + ownByAgentName + "' and '" + ownByCoreName + "'; " + OWN_CONNECTION + " applies");
    }
    String ownMode = ownByAgentName != null ? ownByAgentName
        : ownByCoreName != null ? ownByCoreName : WHEN_POOL_EXHAUSTED;
    boolean own = ownMode.equals("true");
    OwnLogin ownLogin = ownLogin(login.get(loose(OWN_USER)), login.get(loose(OWN_PASSWORD)), own, problems);
    return new AgentSettings(Map.copyOf(core), agent.get(CORRELATION), agent.get(COMPILER_DIRECTIVES),
        own, ownMode.equals(WHEN_POOL_EXHAUSTED), ownLogin, List.copyOf(problems));
  }

  /** The own connection's role, or null (the application's) with a problem when the settings do not make one. */
  private static OwnLogin ownLogin(String user, String password, boolean ownConnection, List<String> problems) {
    if (user == null && password == null) {
      return null;
    }
    if (user == null || user.isBlank()) {
      problems.add(OWN_PASSWORD + ": set " + OWN_USER + " too, the role the password is for; pgintel's own "
          + "connection logs in as the application does");
      return null;
    }
    if (!ownConnection) {
      problems.add(OWN_USER + ": applies only with " + OWN_CONNECTION + "=true; pgintel reads through the "
          + "application's connections, as the application's role");
      return null;
    }
    return new OwnLogin(user.trim(), password);
  }

  /** The {@code pgintel.*} and {@code otel.*} keys of a properties file; a file that cannot be read is one problem. */
  static Map<String, String> readFile(String key, String path, List<String> problems) {
    Map<String, String> out = new LinkedHashMap<>();
    Properties file = new Properties();
    try (Reader in = Files.newBufferedReader(Path.of(path.trim()), StandardCharsets.UTF_8)) {
      file.load(in);
    } catch (IOException | RuntimeException e) {
      problems.add(key + ": cannot read the properties file " + path + " (" + e + "); none of its settings apply");
      return out;
    }
    for (String name : file.stringPropertyNames()) {
      if (isOurs(name)) {
        out.put(name, file.getProperty(name).trim());
      } else {
        problems.add(name + " in " + path + ": not a pgintel.* or otel.* setting");
      }
    }
    return out;
  }

  /**
   * {@code key=value,key=value}. A comma followed by something that is not a {@code pgintel.} or {@code otel.}
   * key belongs to the value before it, so that {@code otel.resource.attributes=a=1,b=2} keeps its list.
   */
  static Map<String, String> parseArguments(String arguments, List<String> problems) {
    Map<String, String> out = new LinkedHashMap<>();
    if (arguments == null || arguments.isBlank()) {
      return out;
    }
    String lastKey = null;
    for (String part : arguments.split(",")) {
      int eq = part.indexOf('=');
      String key = eq > 0 ? part.substring(0, eq).trim() : "";
      if (key.equals("config")) {
        key = CONFIG_FILE;
      }
      if (isOurs(key)) {
        out.put(key, part.substring(eq + 1).trim());
        lastKey = key;
      } else if (lastKey != null) {
        out.put(lastKey, out.get(lastKey) + "," + part);
      } else if (!part.isBlank()) {
        problems.add("agent argument '" + (eq > 0 ? key : part.trim()) + "': expected key=value with a pgintel.* "
            + "or otel.* key, or config=<properties file>");
      }
    }
    return out;
  }

  private static boolean isOurs(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return lower.startsWith("pgintel.") || lower.startsWith("otel.");
  }

  /** The loose key matching core uses: lower case, without separators. */
  private static String loose(String key) {
    return key.toLowerCase(Locale.ROOT).replaceAll("[._-]", "");
  }

  /** {@code true}, {@code false} or {@link #WHEN_POOL_EXHAUSTED} for a value of {@link #OWN_CONNECTION}; else null. */
  private static String ownMode(String value) {
    if (value.trim().equalsIgnoreCase(WHEN_POOL_EXHAUSTED)) {
      return WHEN_POOL_EXHAUSTED;
    }
    Boolean on = parseBoolean(value);
    return on == null ? null : on.toString();
  }

  private static Boolean parseBoolean(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> Boolean.TRUE;
      case "false", "no", "off", "0" -> Boolean.FALSE;
      default -> null;
    };
  }
}
