package io.pgintel.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for pgintel's own threads: daemon, named {@code pgintel-*}, never kill the JVM. */
public final class DaemonThreads {

  private DaemonThreads() {}

  public static ThreadFactory factory(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setUncaughtExceptionHandler((thread, e) -> { /* contained: pgintel never throws into the host */ });
      return t;
    };
  }
}
