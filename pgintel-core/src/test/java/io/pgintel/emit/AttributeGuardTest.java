package io.pgintel.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.pgintel.process.PiiDetector;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class AttributeGuardTest {

  /** A query id pg_stat_statements gave in a CI run, which passes the card number check. */
  private static final String CARD_LIKE_QUERYID = "3684374069405247090";

  @Test
  void hashesTheServerOrPgintelComputedAreLeftAsTheyAreWhereTheSameDigitsElsewhereAreRedacted() {
    AttributeGuard guard = new AttributeGuard(true, EnumSet.allOf(PiiDetector.Kind.class));
    Attributes guarded = guard.guard(Attributes.of(Attrs.QUERYID, CARD_LIKE_QUERYID, ActivityEvents.QUERY_ID,
        CARD_LIKE_QUERYID, AttributeKey.stringKey("postgresql.application_name"), CARD_LIKE_QUERYID));
    assertEquals(CARD_LIKE_QUERYID, guarded.get(Attrs.QUERYID));
    assertEquals(CARD_LIKE_QUERYID, guarded.get(ActivityEvents.QUERY_ID));
    assertEquals("[REDACTED:card]", guarded.get(AttributeKey.stringKey("postgresql.application_name")));
  }
}
