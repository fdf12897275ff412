package io.pgintel.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay between a client and a server that counts round trips: each time the client sends after the server
 * last spoke is one, over every client connection. Bytes pass unchanged.
 */
public final class RoundTripCounter extends TcpRelay {

  private final AtomicInteger roundTrips = new AtomicInteger();
  /** Whether the server sent last, so that the client's next bytes start a round trip. */
  private final AtomicBoolean serverSpokeLast = new AtomicBoolean(true);

  public RoundTripCounter(String host, int port) throws IOException {
    super(host, port, "round-trip-counter");
    listen();
  }

  /** Round trips since the last call. */
  public int take() {
    return roundTrips.getAndSet(0);
  }

  @Override
  void fromClient(InputStream in, OutputStream out) throws IOException {
    copy(in, out, () -> {
      if (serverSpokeLast.getAndSet(false)) {
        roundTrips.incrementAndGet();
      }
    });
  }

  @Override
  void fromServer(InputStream in, OutputStream out) throws IOException {
    copy(in, out, () -> serverSpokeLast.set(true));
  }
}
