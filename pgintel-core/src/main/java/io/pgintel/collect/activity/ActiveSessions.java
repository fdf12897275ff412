package io.pgintel.collect.activity;

/**
 * Average active sessions over the last aggregation window (active session history): how many sessions were,
 * on average, in one state, wait event, database, query, query and wait event, or application and user.
 * {@code dimension} says which breakdown ({@code wait}, {@code state}, {@code database}, {@code query},
 * {@code query_wait}, {@code application}); unused keys are empty.
 */
public record ActiveSessions(String dimension, String waitEventType, String waitEvent, String state, String database,
    String fingerprint, String querySummary, String application, String user, double average) {

  static ActiveSessions state(String state, double average) {
    return new ActiveSessions("state", "", "", state, "", "", "", "", "", average);
  }

  static ActiveSessions waitEvent(String type, String event, double average) {
    return new ActiveSessions("wait", type, event, "", "", "", "", "", "", average);
  }

  static ActiveSessions database(String database, double average) {
    return new ActiveSessions("database", "", "", "", database, "", "", "", "", average);
  }

  static ActiveSessions query(String summary, double average) {
    return new ActiveSessions("query", "", "", "", "", "", summary, "", "", average);
  }

  static ActiveSessions queryWait(String fingerprint, String summary, String type, String event, double average) {
    return new ActiveSessions("query_wait", type, event, "", "", fingerprint, summary, "", "", average);
  }

  static ActiveSessions application(String application, String user, double average) {
    return new ActiveSessions("application", "", "", "", "", "", "", application, user, average);
  }
}
