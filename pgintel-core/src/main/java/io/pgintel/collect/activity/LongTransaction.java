package io.pgintel.collect.activity;

import io.pgintel.collect.EventRecord;
import io.pgintel.trace.TraceLink;

/**
 * A {@code db.server.long_transaction} event: a client session whose transaction has been open longer than the
 * threshold, reported once per transaction (pid and transaction start). Most often the session is idle in it, the
 * application holding its connection while doing something else: vacuum cannot remove what the transaction may
 * still see, and the locks it took stay taken.
 *
 * @param session the session as sampled; its query is the transaction's last or current statement
 * @param holder where the application is while it holds the session, when pgintel knows (the thread that last
 *     ran a statement on it and still has it borrowed); else the session's own link
 */
public record LongTransaction(ActivitySample session, TraceLink holder) implements SessionEvent {

  @Override
  public String kind() {
    return "long_transaction";
  }

  @Override
  public Severity severity() {
    return Severity.WARN;
  }

  @Override
  public long occurrence() {
    return EventRecord.hash(kind(), session.pid(), session.transactionStartMicros());
  }
}
