package io.pgintel.collect.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How standbys get their {@code replication_client}: one stable series each, whatever the view leaves empty. */
class ReplicationClientNamesTest {

  @Test
  void applicationAndAddressNameAStandby() {
    assertEquals(List.of("standby_a@10.0.0.5", "10.0.0.6", "standby_c", "walreceiver@unix", "unknown"),
        names(row("standby_a", "10.0.0.5"), row("", "10.0.0.6"), row("standby_c", ""), row("walreceiver", "unix"),
            row("", "")));
  }

  @Test
  void standbysSharingNameAndAddressAreNumberedInPidOrder() {
    assertEquals(List.of("walreceiver@127.0.0.1", "other@127.0.0.1", "walreceiver@127.0.0.1#2",
            "walreceiver@127.0.0.1#3"),
        names(row("walreceiver", "127.0.0.1"), row("other", "127.0.0.1"), row("walreceiver", "127.0.0.1"),
            row("walreceiver", "127.0.0.1")));
  }

  private static ReplicationCollector.ClientRow row(String application, String address) {
    return new ReplicationCollector.ClientRow(application, address, "streaming", 0L, 0L, 0L, 0L, null, null, null,
        "async", 0.1, null);
  }

  private static List<String> names(ReplicationCollector.ClientRow... rows) {
    return ReplicationCollector.clients(List.of(rows)).stream().map(ReplicationClient::client).toList();
  }
}
