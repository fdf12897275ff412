package io.pgintel.collect;

/** The application's pool had no connection to spare within the borrow timeout: the tick is skipped. */
final class PoolBusyException extends Exception {
  private static final long serialVersionUID = 1L;

  PoolBusyException(String message) {
    super(message, null, false, false);
  }
}
