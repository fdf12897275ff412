package io.pgintel.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay between a client and a server that counts round trips: each time the client sends after the server
 * last spoke is one. Bytes pass unchanged; one client connection at a time.
 */
public final class RoundTripCounter implements AutoCloseable {

  private final ServerSocket listener;
  private final AtomicInteger roundTrips = new AtomicInteger();
  /** Whether the server sent last, so that the client's next bytes start a round trip. */
  private final AtomicBoolean serverSpokeLast = new AtomicBoolean(true);

  public RoundTripCounter(String host, int port) throws IOException {
    listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      try {
        while (!listener.isClosed()) {
          Socket client = listener.accept();
          Socket server = new Socket(host, port);
          client.setTcpNoDelay(true);
          server.setTcpNoDelay(true);
          pump(client.getInputStream(), server.getOutputStream(), true, client, server);
          pump(server.getInputStream(), client.getOutputStream(), false, client, server);
        }
      } catch (IOException closed) {
        // the listener was closed
      }
    }, "round-trip-counter");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The port to point the client at (on the loopback address). */
  public int port() {
    return listener.getLocalPort();
  }

  /** Round trips since the last call. */
  public int take() {
    return roundTrips.getAndSet(0);
  }

  private void pump(InputStream in, OutputStream out, boolean fromClient, Socket a, Socket b) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          if (fromClient) {
            if (serverSpokeLast.getAndSet(false)) {
              roundTrips.incrementAndGet();
            }
          } else {
            serverSpokeLast.set(true);
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // either side closed
      } finally {
        closeQuietly(a);
        closeQuietly(b);
      }
    }, "round-trip-counter-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
