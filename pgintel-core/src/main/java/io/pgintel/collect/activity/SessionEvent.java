package io.pgintel.collect.activity;

import io.pgintel.collect.EventRecord;

/**
 * An event about one server session as the activity sampler saw it: sampled by its query's fingerprint (by its
 * pid when it has no query), its fields the session's and its query's.
 */
public interface SessionEvent extends EventRecord {

  /** The session the event is about. */
  ActivitySample session();

  @Override
  default long samplingKey() {
    ActivitySample s = session();
    return s.query() != null ? s.query().fingerprintBits() : EventRecord.mix(s.pid());
  }

  @Override
  default Object field(String name) {
    Object v = session().field(name);
    return v != null ? v : EventRecord.commonField(this, session().query(), name);
  }
}
