package io.pgintel.emit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.pgintel.process.PiiDetector;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The last check of every string pgintel emits: personal data and secrets (see {@link PiiDetector}) become
 * {@code [REDACTED:<kind>]}, counted by kind. Query texts are already obfuscated by the SQL engine; this catches
 * what the server reports as it is: application names, role names, identifiers.
 *
 * <p>Addresses of the infrastructure being monitored ({@code server.address}, the client address of a database
 * session, a standby's address) are what those attributes are for, so the IP detector leaves them alone. Each
 * distinct string is checked once: results are cached, because the same application names and texts come back
 * on every export. Hashes the server or pgintel computed (a statement's query id, its fingerprint, a plan's hash)
 * hold no one's data and are what events are joined on, so they are left as they are: a 19-digit query id may
 * pass the card check by chance.
 */
final class AttributeGuard {

  private static final Set<String> ADDRESS_KEYS = Set.of("server.address", "network.peer.address",
      "replication_client");
  private static final Set<String> COMPUTED_KEYS = Set.of(Attrs.QUERYID.getKey(), ActivityEvents.QUERY_ID.getKey(),
      Attrs.FINGERPRINT.getKey(), PlanEvents.HASH.getKey(), PlanEvents.OLD_HASH.getKey(),
      PlanEvents.NEW_HASH.getKey());

  private final PiiDetector detector;
  private final PiiDetector withoutIp;
  private final boolean enabled;
  private final Cache<String, PiiDetector.Redaction> checked = Caffeine.newBuilder().maximumSize(20_000).build();
  private final Cache<String, PiiDetector.Redaction> checkedAddresses = Caffeine.newBuilder().maximumSize(2_000)
      .build();
  private final Map<PiiDetector.Kind, LongAdder> redactions = new EnumMap<>(PiiDetector.Kind.class);

  AttributeGuard(boolean enabled, EnumSet<PiiDetector.Kind> kinds) {
    this.enabled = enabled && !kinds.isEmpty();
    this.detector = PiiDetector.of(kinds);
    EnumSet<PiiDetector.Kind> noIp = EnumSet.copyOf(kinds);
    noIp.remove(PiiDetector.Kind.IP);
    this.withoutIp = PiiDetector.of(noIp);
    for (PiiDetector.Kind k : PiiDetector.Kind.values()) {
      redactions.put(k, new LongAdder());
    }
  }

  /** The attributes with every string (and string array) value checked; the same object when nothing changed. */
  @SuppressWarnings("unchecked")
  Attributes guard(Attributes attributes) {
    if (!enabled) {
      return attributes;
    }
    AttributesBuilder[] changed = {null};
    attributes.forEach((key, value) -> {
      Object guarded = value;
      if (COMPUTED_KEYS.contains(key.getKey())) {
        return;
      }
      if (key.getType() == AttributeType.STRING) {
        guarded = text(key.getKey(), (String) value);
      } else if (key.getType() == AttributeType.STRING_ARRAY) {
        List<String> out = new ArrayList<>();
        for (String v : (List<String>) value) {
          out.add(text(key.getKey(), v));
        }
        guarded = out;
      }
      if (!guarded.equals(value)) {
        if (changed[0] == null) {
          changed[0] = attributes.toBuilder();
        }
        changed[0].put((AttributeKey<Object>) key, guarded);
      }
    });
    return changed[0] == null ? attributes : changed[0].build();
  }

  /** One string, as attribute {@code key} or as a log body ({@code key} null). */
  String text(String key, String value) {
    if (!enabled || value == null || value.isEmpty()) {
      return value;
    }
    boolean address = key != null && ADDRESS_KEYS.contains(key);
    Cache<String, PiiDetector.Redaction> cache = address ? checkedAddresses : checked;
    PiiDetector.Redaction r = cache.getIfPresent(value);
    if (r == null) {
      r = (address ? withoutIp : detector).redact(value);
      cache.put(value, r);
    }
    // counted per occurrence: each emitted string that carried personal data
    r.counts().forEach((kind, n) -> redactions.get(kind).add(n));
    return r.text();
  }

  /** Redactions so far, by kind. */
  Map<PiiDetector.Kind, Long> redactions() {
    Map<PiiDetector.Kind, Long> out = new EnumMap<>(PiiDetector.Kind.class);
    redactions.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
