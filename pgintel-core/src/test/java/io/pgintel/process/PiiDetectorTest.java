package io.pgintel.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PiiDetectorTest {

  private static final PiiDetector DETECTOR = PiiDetector.all();

  static Stream<Arguments> personalData() {
    return Stream.of(
        // e-mail addresses
        Arguments.of("email", "contact bob@example.com today", "bob@example.com"),
        Arguments.of("email", "x=alice.smith+tag@mail.co.uk", "alice.smith+tag@mail.co.uk"),
        Arguments.of("email", "OWNER_42@Corp-Domain.io", "OWNER_42@Corp-Domain.io"),
        Arguments.of("email", "<j.doe@sub.example.org>", "j.doe@sub.example.org"),
        Arguments.of("email", "mail:first_last@uni.edu,", "first_last@uni.edu"),
        Arguments.of("email", "a@b.de", "a@b.de"),
        // card numbers (Luhn-valid, network prefixes)
        Arguments.of("card", "card 4111111111111111 ok", "4111111111111111"),
        Arguments.of("card", "4111 1111 1111 1111", "4111 1111 1111 1111"),
        Arguments.of("card", "pay 5500-0000-0000-0004", "5500-0000-0000-0004"),
        Arguments.of("card", "amex 378282246310005", "378282246310005"),
        Arguments.of("card", "amex 3714 496353 98431", "3714 496353 98431"),
        Arguments.of("card", "discover 6011111111111117", "6011111111111117"),
        Arguments.of("card", "jcb 3530111333300000", "3530111333300000"),
        Arguments.of("card", "diners 30569309025904", "30569309025904"),
        Arguments.of("card", "mc2 2221000000000009", "2221000000000009"),
        Arguments.of("card", "visa13 4222222222222", "4222222222222"),
        // US social security numbers
        Arguments.of("ssn", "ssn 123-45-6789", "123-45-6789"),
        Arguments.of("ssn", "SSN:078-05-1120.", "078-05-1120"),
        Arguments.of("ssn", "(219-09-9999)", "219-09-9999"),
        Arguments.of("ssn", "id=536-22-1234", "536-22-1234"),
        // phone numbers
        Arguments.of("phone", "call +14155552671 now", "+14155552671"),
        Arguments.of("phone", "tel (415) 555-2671", "(415) 555-2671"),
        Arguments.of("phone", "tel 415-555-2671", "415-555-2671"),
        Arguments.of("phone", "tel 415.555.2671", "415.555.2671"),
        Arguments.of("phone", "+44 20 7946 0958", "+44 20 7946 0958"),
        Arguments.of("phone", "+49 30 1234 5678", "+49 30 1234 5678"),
        Arguments.of("phone", "+33 1 23 45 67 89", "+33 1 23 45 67 89"),
        // IBANs (mod-97 valid)
        Arguments.of("iban", "iban DE89370400440532013000", "DE89370400440532013000"),
        Arguments.of("iban", "GB82 WEST 1234 5698 7654 32", "GB82 WEST 1234 5698 7654 32"),
        Arguments.of("iban", "to FR1420041010050500013M02606", "FR1420041010050500013M02606"),
        Arguments.of("iban", "NL91ABNA0417164300", "NL91ABNA0417164300"),
        Arguments.of("iban", "ch CH9300762011623852957", "CH9300762011623852957"),
        // IP addresses
        Arguments.of("ip", "from 192.168.1.20 via", "192.168.1.20"),
        Arguments.of("ip", "client=10.0.0.1", "10.0.0.1"),
        Arguments.of("ip", "8.8.8.8", "8.8.8.8"),
        Arguments.of("ip", "addr 2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
        Arguments.of("ip", "addr 2001:db8::ff00:42:8329", "2001:db8::ff00:42:8329"),
        Arguments.of("ip", "peer fe80::1", "fe80::1"),
        Arguments.of("ip", "host ::1", "::1"),
        Arguments.of("ip", "255.255.255.0/24", "255.255.255.0"),
        // JWTs and bearer tokens
        Arguments.of("jwt", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
        Arguments.of("jwt", "eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4ifQ.", "eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4ifQ."),
        Arguments.of("bearer", "Authorization: Bearer abc123DEF456ghi789", "Bearer abc123DEF456ghi789"),
        Arguments.of("bearer", "bearer mF_9.B5f-4.1JqM", "bearer mF_9.B5f-4.1JqM"),
        Arguments.of("bearer", "BEARER  sk-proj-0123456789abcdef", "BEARER  sk-proj-0123456789abcdef"),
        // cloud keys
        Arguments.of("cloud_key", "aws AKIAIOSFODNN7EXAMPLE key", "AKIAIOSFODNN7EXAMPLE"),
        Arguments.of("cloud_key", "ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A"),
        Arguments.of("cloud_key", "key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI", "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"),
        Arguments.of("cloud_key", "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB", "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB"),
        Arguments.of("cloud_key", "xoxb-123456789012-abcdefghij", "xoxb-123456789012-abcdefghij"),
        Arguments.of("cloud_key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("personalData")
  void personalDataIsReplacedAndCounted(String kind, String text, String secret) {
    PiiDetector.Redaction r = DETECTOR.redact(text);
    assertFalse(r.text().contains(secret), r.text());
    assertTrue(r.text().contains("[REDACTED:" + kind + "]"), r.text());
    assertEquals(1, r.counts().get(PiiDetector.Kind.valueOf(kind.toUpperCase())), String.valueOf(r.counts()));
  }

  static Stream<String> ordinaryData() {
    return Stream.of(
        // UUIDs
        "550e8400-e29b-41d4-a716-446655440000", "id 123e4567-e89b-12d3-a456-426614174000",
        "f47ac10b-58cc-4372-a567-0e02b2c3d479", "{00000000-0000-0000-0000-000000000000}",
        "trace 4bf92f3577b34da6a3ce929d0e0e4736", "span 00f067aa0ba902b7",
        // timestamps and dates
        "2026-11-22 03:31:52", "2026-11-22T03:31:52.123Z", "at 03:31:52.123456", "22/11/2026",
        "2026-11-22 03:31:52+00", "Sun Nov 22 01:51:54 UTC 2026", "epoch 1763779912", "1763779912123",
        // order, invoice and row numbers
        "order 1234567890123", "ORD-2026-000123", "invoice 4000123456789", "row 9876543210", "po 100200300400",
        "sku 12345-67890", "tracking 1Z999AA10123456784", "batch 2026112203315",
        // version strings
        "PostgreSQL 17.11", "version 1.2.3", "v4.1.2.RELEASE", "42.7.14", "build 17.0.15+6", "1.65.0-alpha",
        "kernel 6.1.0-26-amd64", "OpenSSL 3.0.15", "3.5.16",
        // SQL and monitoring text
        "SELECT id::int FROM t WHERE a = $1", "SELECT ad::text, cafe::bigint", "x::numeric(10,2)",
        "SELECT * FROM users WHERE id IN ($1 /*, ... */)", "pg_stat_statements", "wait Lock:transactionid",
        "localhost:5432/postgres", "postgresql.pid 4711", "pgintel-collector-1", "shop-client-2",
        "ratio 0.25", "99.5 %", "size 7.8 MB", "pid 12345 blocks 2 session(s)",
        // near misses
        "4111111111111112", "1234-5678-9012-3456", "000-12-3456", "666-12-3456", "123-00-4567", "123456789",
        "DE89370400440532013001", "999.1.1.1", "1.2.3", "bearer", "eyJhbGciOiJIUzI1NiJ9", "AKIA123",
        "user@localhost", "@mention", "a@b");
  }

  @ParameterizedTest
  @MethodSource("ordinaryData")
  void ordinaryMonitoringDataIsLeftAlone(String text) {
    PiiDetector.Redaction r = DETECTOR.redact(text);
    assertEquals(text, r.text(), () -> "redacted " + r.counts());
    assertFalse(r.changed());
  }

  @Test
  void severalKindsInOneStringAreAllCounted() {
    PiiDetector.Redaction r = DETECTOR.redact("bob@example.com paid with 4111111111111111 from 10.1.2.3, "
        + "and eve@example.com too");
    assertEquals("[REDACTED:email] paid with [REDACTED:card] from [REDACTED:ip], and [REDACTED:email] too", r.text());
    assertEquals(Map.of(PiiDetector.Kind.EMAIL, 2, PiiDetector.Kind.CARD, 1, PiiDetector.Kind.IP, 1), r.counts());
  }

  @Test
  void eachDetectorCanBeSwitchedOff() {
    PiiDetector noIp = PiiDetector.of(EnumSet.complementOf(EnumSet.of(PiiDetector.Kind.IP)));
    assertEquals("client 10.0.0.1 [REDACTED:email]", noIp.redact("client 10.0.0.1 bob@example.com").text());
    assertEquals("plain text", PiiDetector.of(EnumSet.noneOf(PiiDetector.Kind.class)).redact("plain text").text());
  }

  @Test
  void nullAndEmptyPassThrough() {
    assertEquals(null, DETECTOR.redact(null).text());
    assertEquals("", DETECTOR.redact("").text());
  }
}
