package io.pgintel.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP relay on the loopback address in front of a server: each client connection gets one of its own to the
 * server, and what passes each way is the subclass's to decide. Either side closing closes both.
 */
abstract class TcpRelay implements AutoCloseable {

  private final ServerSocket listener;
  private final String host;
  private final int port;
  private final String name;

  TcpRelay(String host, int port, String name) throws IOException {
    this.listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    this.host = host;
    this.port = port;
    this.name = name;
  }

  /** Starts accepting clients: called by the subclass once it is ready to relay. */
  final void listen() {
    Thread acceptor = new Thread(() -> {
      try {
        while (!listener.isClosed()) {
          Socket client = listener.accept();
          Socket server = new Socket(host, port);
          client.setTcpNoDelay(true);
          server.setTcpNoDelay(true);
          pump(() -> fromClient(client.getInputStream(), server.getOutputStream()), client, server);
          pump(() -> fromServer(server.getInputStream(), client.getOutputStream()), client, server);
        }
      } catch (IOException closed) {
        // the listener was closed
      }
    }, name);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Relays what the client sends, until either side closes. */
  abstract void fromClient(InputStream in, OutputStream out) throws IOException;

  /** Relays what the server sends, until either side closes. */
  abstract void fromServer(InputStream in, OutputStream out) throws IOException;

  /** The port to point the client at (on the loopback address). */
  public final int port() {
    return listener.getLocalPort();
  }

  /** Copies bytes as they come, running {@code each} before each chunk is passed on. */
  static void copy(InputStream in, OutputStream out, Runnable each) throws IOException {
    byte[] buffer = new byte[16 * 1024];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      each.run();
      out.write(buffer, 0, n);
      out.flush();
    }
  }

  private interface Pump {
    void run() throws IOException;
  }

  private void pump(Pump pump, Socket client, Socket server) {
    Thread t = new Thread(() -> {
      try {
        pump.run();
      } catch (IOException e) {
        // either side closed
      } finally {
        closeQuietly(client);
        closeQuietly(server);
      }
    }, name + "-pump");
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
