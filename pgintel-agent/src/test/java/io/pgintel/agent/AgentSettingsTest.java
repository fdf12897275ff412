package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgintel.internal.PoolConnect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentSettingsTest {

  @Test
  void agentArgumentsWinOverSystemPropertiesWhichWinOverEnvironment() {
    Properties system = new Properties();
    system.setProperty("pgintel.collectors.database.interval", "20s");
    system.setProperty("pgintel.session.lock-timeout", "200ms");
    system.setProperty("java.version", "17");
    Map<String, String> env = Map.of("PGINTEL_SESSION_LOCK_TIMEOUT", "300ms", "PGINTEL_BACKOFF_MAX", "10m",
        "HOME", "/root");

    AgentSettings s = AgentSettings.resolve("pgintel.collectors.database.interval=1s", env, system);

    assertEquals(List.of(), s.problems());
    assertEquals("1s", s.core().get("pgintel.collectors.database.interval"));
    assertEquals("200ms", s.core().get("pgintel.session.lock-timeout"));
    assertEquals("10m", s.core().get("pgintel.backoff.max"));
    assertFalse(s.core().containsKey("java.version"));
  }

  @Test
  void badKeyIsReportedOnceByNameAndLeftOutWhileTheRestApply() {
    AgentSettings s = AgentSettings.resolve(
        "pgintel.collectors.database.interval=-5s,pgintel.collectors.activity.interval=2s", Map.of(),
        new Properties());

    assertEquals(1, s.problems().size(), s.problems().toString());
    assertTrue(s.problems().get(0).startsWith("pgintel.collectors.database.interval: "), s.problems().get(0));
    assertFalse(s.core().containsKey("pgintel.collectors.database.interval"));
    assertEquals("2s", s.core().get("pgintel.collectors.activity.interval"));
  }

  @Test
  void aCustomQuerysKeysAreCheckedTogetherFromEveryPlaceAndABadQueryIsOneProblemWhileTheRestApply() {
    Properties system = new Properties();
    system.setProperty("pgintel.queries.waiting.gauges", "n");
    AgentSettings s = AgentSettings.resolve("pgintel.queries.waiting.sql=SELECT count(*) AS n FROM jobs",
        Map.of("PGINTEL_QUERIES_BROKEN_SQL", "DELETE FROM jobs", "PGINTEL_QUERIES_BROKEN_GAUGES", "n"), system);

    assertEquals(1, s.problems().size(), s.problems().toString());
    assertTrue(s.problems().get(0).startsWith("pgintel.queries.broken.sql: query 'broken' is not one complete "
        + "SELECT"), s.problems().get(0));
    assertEquals("SELECT count(*) AS n FROM jobs", s.core().get("pgintel.queries.waiting.sql"));
    assertEquals("n", s.core().get("pgintel.queries.waiting.gauges"));
    assertFalse(s.core().keySet().stream().anyMatch(k -> k.contains("broken")), s.core().toString());
  }

  @Test
  void agentKeysStayWithTheAgent() {
    Properties system = new Properties();
    system.setProperty(AgentSettings.ACTIVE, "true");

    AgentSettings s = AgentSettings.resolve("pgintel.agent.correlation=false", Map.of(), system);

    assertEquals(List.of(), s.problems());
    assertFalse(s.correlation());
    assertTrue(s.compilerDirectives(), "on unless switched off");
    assertFalse(s.ownConnection(), "not always unless switched on");
    assertTrue(s.ownWhenPoolExhausted(), "while the pool is exhausted unless switched off");
    assertTrue(s.core().isEmpty(), s.core().toString());
  }

  @Test
  void ownConnectionSwitchTakesABooleanOrWhenPoolExhaustedAndAnUnknownAgentKeyNamesTheKnownOnes() {
    AgentSettings always = AgentSettings.resolve("", Map.of("PGINTEL_AGENT_OWN_CONNECTION", "true"),
        new Properties());
    assertTrue(always.ownConnection());
    assertFalse(always.ownWhenPoolExhausted(), "always covers it");
    AgentSettings never = AgentSettings.resolve("pgintel.agent.own-connection=off", Map.of(), new Properties());
    assertFalse(never.ownConnection() || never.ownWhenPoolExhausted(), "never");
    AgentSettings exhausted = AgentSettings.resolve("pgintel.agent.own-connection=When-Pool-Exhausted", Map.of(),
        new Properties());
    assertEquals(List.of(), exhausted.problems());
    assertTrue(exhausted.ownWhenPoolExhausted() && !exhausted.ownConnection());
    AgentSettings bad = AgentSettings.resolve("pgintel.agent.own-connection=sometimes", Map.of(), new Properties());
    assertEquals(List.of("pgintel.agent.own-connection: 'sometimes' is not allowed; use true, false or "
        + "when-pool-exhausted"), bad.problems());
    assertTrue(bad.ownWhenPoolExhausted(), "the default stays");
    AgentSettings coreName = AgentSettings.resolve("pgintel.session.own-connection=false", Map.of(),
        new Properties());
    assertFalse(coreName.ownConnection() || coreName.ownWhenPoolExhausted(), "the library's and starter's name too");
    assertFalse(coreName.core().containsKey("pgintel.session.own-connection"), "the agent's to apply, not core's");
    AgentSettings both = AgentSettings.resolve("pgintel.agent.own-connection=true,pgintel.session.own-connection=false",
        Map.of(), new Properties());
    assertTrue(both.ownConnection(), "the agent's own name wins");
    assertEquals(List.of("pgintel.agent.own-connection and pgintel.session.own-connection are one setting, given "
        + "'true' and 'false'; pgintel.agent.own-connection applies"), both.problems());
    AgentSettings fromEnvironment = AgentSettings.resolve("", Map.of("PGINTEL_AGENT_OWN_CONNECTION", "maybe",
        "PGINTEL_AGENT_COMPILER_DIRECTIVES", "perhaps"), new Properties());
    assertTrue(fromEnvironment.problems().contains("pgintel.agent.own-connection: 'maybe' is not allowed; use true, "
        + "false or when-pool-exhausted"), fromEnvironment.problems().toString());
    assertTrue(fromEnvironment.problems().contains("pgintel.agent.compiler-directives: 'perhaps' is not a boolean; "
        + "use true or false"), fromEnvironment.problems().toString());

    AgentSettings typo = AgentSettings.resolve("pgintel.agent.own-connections=true", Map.of(), new Properties());
    assertFalse(typo.ownConnection());
    assertEquals(1, typo.problems().size(), typo.problems().toString());
    assertTrue(typo.problems().get(0).startsWith("pgintel.agent.own-connections: unknown agent setting")
        && typo.problems().get(0).contains(AgentSettings.OWN_CONNECTION + ", ")
        && typo.problems().get(0).endsWith(AgentSettings.OWN_PASSWORD), typo.problems().get(0));
  }

  @Test
  void ownConnectionLogsInAsTheRoleGivenWithAPasswordFromTheEnvironmentThatNoStringShows() {
    AgentSettings s = AgentSettings.resolve("pgintel.agent.own-connection=true,"
        + "pgintel.agent.own-connection.user=pgintel_monitor",
        Map.of("PGINTEL_AGENT_OWN_CONNECTION_PASSWORD", "s3cret"), new Properties());

    assertEquals(List.of(), s.problems());
    assertEquals(new OwnLogin("pgintel_monitor", "s3cret"), s.ownLogin());
    assertFalse(s.toString().contains("s3cret"), s.toString());
    assertTrue(s.toString().contains("role pgintel_monitor"), s.toString());

    AgentSettings noPassword = AgentSettings.resolve("pgintel.agent.own-connection=true,"
        + "pgintel.agent.own-connection.user=monitor", Map.of(), new Properties());
    assertEquals(new OwnLogin("monitor", null), noPassword.ownLogin(), "trust or certificate authentication");
  }

  @Test
  void ownConnectionRoleThatCannotApplyIsOneProblemAndTheApplicationsRoleStays() {
    AgentSettings withoutOwn = AgentSettings.resolve("pgintel.agent.own-connection.user=monitor", Map.of(),
        new Properties());
    assertEquals(null, withoutOwn.ownLogin());
    assertEquals(List.of(AgentSettings.OWN_USER + ": applies only with " + AgentSettings.OWN_CONNECTION
        + "=true; pgintel reads through the application's connections, as the application's role"),
        withoutOwn.problems());

    AgentSettings passwordAlone = AgentSettings.resolve("pgintel.agent.own-connection=true,"
        + "pgintel.agent.own-connection.password=x", Map.of(), new Properties());
    assertEquals(null, passwordAlone.ownLogin());
    assertEquals(1, passwordAlone.problems().size());
    assertTrue(passwordAlone.problems().get(0).startsWith(AgentSettings.OWN_PASSWORD + ": set "
        + AgentSettings.OWN_USER + " too"), passwordAlone.problems().get(0));
    assertFalse(passwordAlone.problems().get(0).contains("=x"));
  }

  @Test
  void credentialsLeaveTheUrlSoThatTheRoleApplies() {
    assertEquals("jdbc:postgresql://h:5432/db?ssl=true&ApplicationName=x", OwnLogin.withoutCredentials(
        "jdbc:postgresql://h:5432/db?user=app&ssl=true&password=p&ApplicationName=x"));
    assertEquals("jdbc:postgresql://h/db", OwnLogin.withoutCredentials("jdbc:postgresql://h/db?password=p&user=a"));
    assertEquals("jdbc:postgresql://h/db", OwnLogin.withoutCredentials("jdbc:postgresql://h/db"));
    assertEquals("jdbc:postgresql://h/db?usermode=1", OwnLogin.withoutCredentials("jdbc:postgresql://h/db?usermode=1"));
  }

  @Test
  void compilerDirectivesSwitchTakesABooleanFromAnyPlace() {
    assertFalse(AgentSettings.resolve("", Map.of("PGINTEL_AGENT_COMPILER_DIRECTIVES", "false"), new Properties())
        .compilerDirectives());

    AgentSettings bad = AgentSettings.resolve("pgintel.agent.compiler-directives=sometimes", Map.of(),
        new Properties());
    assertEquals(1, bad.problems().size(), bad.problems().toString());
    assertTrue(bad.problems().get(0).startsWith("pgintel.agent.compiler-directives: 'sometimes' is not a boolean"),
        bad.problems().get(0));
    assertTrue(bad.compilerDirectives(), "a bad value leaves the default");
  }

  @Test
  void commaInsideAValueStaysWithIt() {
    List<String> problems = new ArrayList<>();
    Map<String, String> args = AgentSettings.parseArguments(
        "otel.resource.attributes=team=db,env=prod,pgintel.enabled=true", problems);

    assertEquals(Map.of("otel.resource.attributes", "team=db,env=prod", "pgintel.enabled", "true"), args);
    assertEquals(List.of(), problems);
  }

  @Test
  void argumentThatIsNotASettingIsReported() {
    List<String> problems = new ArrayList<>();
    AgentSettings.parseArguments("verbose", problems);

    assertEquals(1, problems.size());
    assertTrue(problems.get(0).contains("verbose"), problems.get(0));
  }

  @Test
  void propertiesFileIsTheLeastSpecificPlace(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pgintel.properties");
    Files.writeString(file, """
        # shared by every instance of the service
        pgintel.collectors.database.interval = 30s
        pgintel.session.lock-timeout = 400ms
        pgintel.backoff.max = 20m
        """);
    Properties system = new Properties();
    system.setProperty("pgintel.session.lock-timeout", "200ms");

    AgentSettings s = AgentSettings.resolve("config=" + file + ",pgintel.collectors.database.interval=1s",
        Map.of("PGINTEL_BACKOFF_MAX", "10m"), system);

    assertEquals(List.of(), s.problems());
    assertEquals("1s", s.core().get("pgintel.collectors.database.interval"));
    assertEquals("200ms", s.core().get("pgintel.session.lock-timeout"));
    assertEquals("10m", s.core().get("pgintel.backoff.max"));
    assertFalse(s.core().containsKey(AgentSettings.CONFIG_FILE));
  }

  @Test
  void propertiesFileNamedByTheEnvironmentAppliesAndItsBadValueIsOneProblem(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pgintel.properties");
    Files.writeString(file, "pgintel.collectors.activity.interval=2s\npgintel.collectors.database.interval=soon\n");

    AgentSettings s = AgentSettings.resolve(null, Map.of("PGINTEL_CONFIG_FILE", file.toString()), new Properties());

    assertEquals("2s", s.core().get("pgintel.collectors.activity.interval"));
    assertEquals(1, s.problems().size(), s.problems().toString());
    assertTrue(s.problems().get(0).startsWith("pgintel.collectors.database.interval: "), s.problems().get(0));
  }

  @Test
  void unreadablePropertiesFileIsOneProblemNamingTheKeyAndTheRestApply(@TempDir Path dir) {
    Properties system = new Properties();
    system.setProperty("pgintel.config.file", dir.resolve("missing.properties").toString());

    AgentSettings s = AgentSettings.resolve("pgintel.collectors.activity.interval=2s", Map.of(), system);

    assertEquals(1, s.problems().size(), s.problems().toString());
    assertTrue(s.problems().get(0).startsWith("pgintel.config.file: cannot read the properties file "),
        s.problems().get(0));
    assertTrue(s.problems().get(0).contains("missing.properties"), s.problems().get(0));
    assertEquals(Map.of("pgintel.collectors.activity.interval", "2s"), s.core());
  }

  @Test
  void keyInThePropertiesFileThatIsNotASettingIsReported(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pgintel.properties");
    Files.writeString(file, "spring.datasource.url=jdbc:postgresql://db/x\n");

    AgentSettings s = AgentSettings.resolve("config=" + file, Map.of(), new Properties());

    assertEquals(1, s.problems().size(), s.problems().toString());
    assertTrue(s.problems().get(0).startsWith("spring.datasource.url in "), s.problems().get(0));
  }

  @Test
  void databaseKeyDropsConnectionParameters() {
    assertEquals("jdbc:postgresql://db:5432/orders",
        PoolConnect.databaseKey("jdbc:postgresql://DB:5432/orders?ApplicationName=x&ssl=true"));
  }
}
