package io.pgintel.collect.activity;

import io.pgintel.collect.EventRecord;

/**
 * A {@code db.server.query_sample} event: a statement that has been running longer than the threshold,
 * reported once per execution (pid and query start).
 */
public record QuerySample(ActivitySample session) implements SessionEvent {

  @Override
  public String kind() {
    return "query_sample";
  }

  @Override
  public Severity severity() {
    return Severity.INFO;
  }

  @Override
  public long occurrence() {
    return EventRecord.hash(kind(), session.pid(), session.queryStartMicros());
  }
}
