package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

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
  void agentKeysStayWithTheAgent() {
    Properties system = new Properties();
    system.setProperty(AgentSettings.ACTIVE, "true");

    AgentSettings s = AgentSettings.resolve("pgintel.agent.correlation=false", Map.of(), system);

    assertEquals(List.of(), s.problems());
    assertFalse(s.correlation());
    assertTrue(s.core().isEmpty(), s.core().toString());
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
  void databaseKeyDropsConnectionParameters() {
    assertEquals("jdbc:postgresql://db:5432/orders",
        Discovery.databaseKey("jdbc:postgresql://DB:5432/orders?ApplicationName=x&ssl=true"));
  }
}
