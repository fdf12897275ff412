package io.pgintel.agent;

import io.pgintel.Settings;
import io.pgintel.agent.bootstrap.Bridge;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the agent does once premain has returned, on its own daemon thread. */
final class Installer {

  static final String BRIDGE = "io.pgintel.agent.bootstrap.Bridge";

  private Installer() {}

  static void install(String arguments, Instrumentation instrumentation) {
    Logger log = null;
    try {
      log = LoggerFactory.getLogger(PgIntelAgent.class);
      AgentSettings settings = AgentSettings.resolve(arguments, System.getenv(), System.getProperties());
      for (String problem : settings.problems()) {
        log.warn("pgintel agent: ignoring a bad setting, its default applies: {}", problem);
      }
      if (!Settings.lenient(settings.core(), p -> {}).enabled()) {
        log.info("pgintel agent: disabled (pgintel.enabled=false); the application runs unmonitored");
        return;
      }
      // the bridge must be on the bootstrap class path before anything names it
      appendBridgeToBootstrap(instrumentation);
      if (Bridge.class.getClassLoader() != null) {
        log.warn("pgintel agent: {} was loaded by {} instead of the bootstrap class loader; not started",
            BRIDGE, Bridge.class.getClassLoader());
        return;
      }
      DeferredDiscovery discovery = new DeferredDiscovery(settings);
      Bridge.handler(discovery);
      Bridge.innerHandler(discovery::onInner);
      Bridge.driverHandler(discovery::onDriver);
      Runtime.getRuntime().addShutdownHook(new Thread(discovery::close, "pgintel-agent-shutdown"));
      DataSourceInstrumentation.install(instrumentation, log, settings.correlation());
      log.info("pgintel agent {}: watching DataSources for PostgreSQL", version());
    } catch (Throwable t) {
      if (log != null) {
        log.warn("pgintel agent: could not start; the application runs unmonitored", t);
      } else {
        System.err.println("pgintel agent: could not start; the application runs unmonitored: " + t);
      }
    }
  }

  /** The bridge's class file, copied out of the agent jar into a jar of its own on the bootstrap class path. */
  private static void appendBridgeToBootstrap(Instrumentation instrumentation) throws IOException {
    try {
      Class.forName(BRIDGE, false, null);
      return; // attached a second time: already there
    } catch (ClassNotFoundException expected) {
      // first time in this JVM
    }
    String resource = BRIDGE.replace('.', '/') + ".class";
    Path jar = Files.createTempFile("pgintel-agent-bridge", ".jar");
    jar.toFile().deleteOnExit();
    try (InputStream in = Installer.class.getClassLoader().getResourceAsStream(resource);
        OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      if (in == null) {
        throw new IOException(resource + " is missing from the agent jar");
      }
      out.putNextEntry(new JarEntry(resource));
      in.transferTo(out);
      out.closeEntry();
    }
    instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
  }

  static String version() {
    String v = Installer.class.getPackage().getImplementationVersion();
    if (v == null && Installer.class.getClassLoader() instanceof URLClassLoader own) {
      // the OpenTelemetry javaagent's extension class loader defines packages without the jar's manifest; its own
      // entries (find, not get: a lookup through its parents could answer with the javaagent's manifest)
      URL manifest = own.findResource("META-INF/MANIFEST.MF");
      try (InputStream in = manifest != null ? manifest.openStream() : InputStream.nullInputStream()) {
        v = new Manifest(in).getMainAttributes().getValue("Implementation-Version");
      } catch (IOException | RuntimeException e) {
        v = null;
      }
    }
    if (v == null) {
      // attached: the jar was appended to the class path, and its package does not carry the manifest
      try (JarFile jar = new JarFile(Path.of(Installer.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI()).toFile())) {
        v = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
      } catch (Exception | LinkageError e) {
        // a development build from classes: no manifest
      }
    }
    return v != null ? v : "(development build)";
  }
}
