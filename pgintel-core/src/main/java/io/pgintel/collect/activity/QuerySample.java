package io.pgintel.collect.activity;

import io.pgintel.collect.EventRecord;

/**
 * A {@code db.server.query_sample} event: a statement that has been running longer than the threshold,
 * reported once per execution (pid and query start).
 */
public record QuerySample(ActivitySample session) implements EventRecord {

  @Override
  public String kind() {
    return "query_sample";
  }

  @Override
  public Severity severity() {
    return Severity.INFO;
  }

  @Override
  public long samplingKey() {
    return session.query() != null ? session.query().fingerprintBits() : EventRecord.mix(session.pid());
  }

  @Override
  public long occurrence() {
    return EventRecord.hash(kind(), session.pid(), session.queryStartMicros());
  }

  @Override
  public Object field(String name) {
    Object v = session.field(name);
    return v != null ? v : EventRecord.commonField(this, session.query(), name);
  }
}
