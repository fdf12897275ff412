package io.pgintel.test;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.function.IntSupplier;

/**
 * A TCP relay that stands between a client and a server as a connection pooler does towards the driver: every byte
 * passes unchanged but the session id the server gives at login ({@code BackendKeyData}), which PgBouncer and cloud
 * proxies replace with one of their own. Here the replacement is chosen by the test, so that it can name another
 * live session, as a pooler's id may by chance. Clients must connect with {@link #jdbcUrl} (no SSL or GSS
 * negotiation, whose one-byte answers are not messages).
 */
public final class PoolerRelay extends TcpRelay {

  private static final int BACKEND_KEY_DATA = 'K';

  private final IntSupplier pid;

  /** @param pid the session id each client is told at login */
  public PoolerRelay(String host, int port, IntSupplier pid) throws IOException {
    super(host, port, "pooler-relay");
    this.pid = pid;
    listen();
  }

  /** A JDBC URL of {@code database} through the relay. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database + "?sslmode=disable&gssEncMode=disable";
  }

  @Override
  void fromClient(InputStream in, OutputStream out) throws IOException {
    copy(in, out, () -> { });
  }

  /** Message by message (a type byte and a length that counts itself), the session id replaced. */
  @Override
  void fromServer(InputStream server, OutputStream client) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(server));
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(client));
    while (true) {
      int type = in.read();
      if (type < 0) {
        throw new EOFException();
      }
      int length = in.readInt();
      byte[] body = new byte[length - 4];
      in.readFully(body);
      if (type == BACKEND_KEY_DATA && body.length >= 4) {
        ByteBuffer.wrap(body).putInt(0, pid.getAsInt());
      }
      out.write(type);
      out.writeInt(length);
      out.write(body);
      if (in.available() == 0) {
        out.flush();
      }
    }
  }
}
