package io.pgintel.collect.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SettingValueTest {

  @ParameterizedTest(name = "{0} {1} ({2}) shows as {3}")
  @CsvSource(delimiter = '|', value = {
      "16384    | 8kB | integer | 128MB",
      "4096     | kB  | integer | 4MB",
      "65536    | kB  | integer | 64MB",
      "1000     | kB  | integer | 1000kB",
      "16777216 | B   | integer | 16MB",
      "1048576  | MB  | integer | 1TB",
      "0        | ms  | integer | 0",
      "-1       | kB  | integer | -1",
      "60       | s   | integer | 1min",
      "300      | s   | integer | 5min",
      "1500     | ms  | integer | 1500ms",
      "86400    | s   | integer | 1d",
      "2        | ms  | real    | 2ms",
      "4        |     | real    | 4",
      "on       |     | bool    | on",
      "4096     | xB  | integer | 4096xB"})
  void valuesShowInTheLargestUnitThatHoldsThemExactlyAsShowPrintsThem(String value, String unit, String vartype,
      String shown) {
    assertEquals(shown, SettingValue.display(value, unit == null ? "" : unit, vartype));
  }

  @Test
  void settingsThatMayHoldASecretAreHidden() {
    for (String name : new String[] {"primary_conninfo", "archive_command", "restore_command",
        "ssl_passphrase_command", "ssl_key_file"}) {
      assertTrue(SettingValue.hidden(name, "string"), name);
    }
    assertTrue(SettingValue.hidden("app.jwt_secret", "string"), "an application's own");
    assertTrue(SettingValue.hidden("anon.salt", "string"), "an extension's text, whatever its name");
    assertFalse(SettingValue.hidden("pg_stat_statements.track", "enum"), "an extension's choice is no secret");
    assertFalse(SettingValue.hidden("search_path", "string"));
    assertFalse(SettingValue.hidden("work_mem", "integer"));
    assertFalse(SettingValue.hidden("password_encryption", "enum"), "a choice is no secret, whatever its name");
    assertFalse(SettingValue.hidden("wal_keep_size", "integer"));
  }

  @Test
  void aHiddenValueIsComparedByADigestThatDoesNotHoldIt() {
    String d = SettingValue.digest("password=sekrit");
    assertFalse(d.contains("sekrit"));
    assertEquals(d, SettingValue.digest("password=sekrit"));
    assertNotEquals(d, SettingValue.digest("password=sekrit2"));
  }
}
