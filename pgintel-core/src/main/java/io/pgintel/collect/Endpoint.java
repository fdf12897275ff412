package io.pgintel.collect;

import java.net.URI;

/** Host and port an application names in its JDBC URL: what {@code server.address}/{@code server.port} report. */
record Endpoint(String host, int port) {

  private static final Endpoint LOCAL_DEFAULT = new Endpoint("localhost", 5432);

  /** The first host of a {@code jdbc:postgresql:} URL, or null for any other URL. */
  static Endpoint ofJdbcUrl(String jdbcUrl) {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
      return null;
    }
    String rest = jdbcUrl.substring("jdbc:postgresql:".length());
    if (!rest.startsWith("//")) {
      return LOCAL_DEFAULT;
    }
    int end = rest.length();
    for (char stop : new char[] {'/', '?'}) {
      int i = rest.indexOf(stop, 2);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    String first = rest.substring(2, end).split(",")[0];
    if (first.isEmpty()) {
      return LOCAL_DEFAULT;
    }
    try {
      URI uri = URI.create("pg://" + first);
      String host = uri.getHost() != null ? uri.getHost() : first;
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new Endpoint(host, uri.getPort() > 0 ? uri.getPort() : 5432);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
