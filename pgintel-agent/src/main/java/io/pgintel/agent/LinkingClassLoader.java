package io.pgintel.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Enumeration;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;

/*
 * Design notes.
 *
 * The agent jar relocates everything of OpenTelemetry it carries (API, SDK, exporter) so that none of it clashes with
 * an application's own. That copy serves when nobody else in the JVM has an OpenTelemetry: pgintel's own SDK. When
 * the application or the OpenTelemetry javaagent has one, pgintel must report through it, with its resource and its
 * exporter, and correlate with its spans, which live in its Context. Objects of two copies of an API cannot be mixed,
 * so instead of adapting every interface (meters, instruments, callbacks, attributes, log records, context) this
 * loader loads pgintel's classes a second time from the agent jar and rewrites, as each class is defined, every
 * reference to the relocated API and context packages into the host's: pgintel-core's GlobalOpenTelemetry,
 * OpenTelemetry, Meter, Span are then the host's own classes, and core's ordinary resolution (a global that is set)
 * finds the host's SDK.
 *
 * Only the api and context packages are redirected. The relocated SDK and exporter stay pgintel's and are not used
 * in this copy (the host's global is set, so core never builds an SDK here). Everything else in the jar (core, the
 * relocated Caffeine, JSqlParser, SLF4J) is loaded again here, child first, so the copy shares nothing with the
 * application but the JDK, the host API and the bootstrap bridge.
 *
 * The host's API may be older or newer than the one pgintel is compiled against; OpenTelemetry keeps the API
 * backward compatible, so a newer one works and an older one works as far as it has what core calls.
 */

/** Loads pgintel's classes again from the agent jar, linked to another OpenTelemetry API than its own copy. */
final class LinkingClassLoader extends ClassLoader {

  static {
    registerAsParallelCapable();
  }

  /** Where the shade plugin moves {@code io.opentelemetry}; must match the relocation in the agent's pom. */
  static final String RELOCATED = "io.pgintel.agent.shaded.otel.";

  private final URLClassLoader jar;
  private final HostOpenTelemetry host;
  private final ProtectionDomain domain;
  private final Remapper remapper;

  private LinkingClassLoader(URL agentJar, HostOpenTelemetry host) {
    super("pgintel-linked", ClassLoader.getPlatformClassLoader());
    // read with find*, never get*: the jar's own entries, not the class path it sits on (an application's copy
    // of a class must never stand in) nor the JDK's (the JDK's reflection accessors resolve through this loader)
    this.jar = new URLClassLoader(new URL[] {agentJar}, null);
    this.host = host;
    this.domain = new ProtectionDomain(new CodeSource(agentJar, (Certificate[]) null), null, this, null);
    String from = RELOCATED.replace('.', '/');
    String to = host.packagePrefix().replace('.', '/');
    this.remapper = new Remapper(Opcodes.ASM9) {
      @Override
      public String map(String internalName) {
        if (internalName.startsWith(from) && (internalName.startsWith("api/", from.length())
            || internalName.startsWith("context/", from.length()))) {
          return to + internalName.substring(from.length());
        }
        return internalName;
      }
    };
  }

  /**
   * A loader linked to {@code host}'s API, or null when this jar cannot be linked: not the shaded agent jar (a
   * development build whose OpenTelemetry is not relocated) or not a jar on disk.
   */
  static LinkingClassLoader to(HostOpenTelemetry host) {
    CodeSource source = LinkingClassLoader.class.getProtectionDomain().getCodeSource();
    URL location = source != null ? source.getLocation() : null;
    if (location == null || LinkingClassLoader.class.getClassLoader()
        .getResource(RELOCATED.replace('.', '/') + "api/OpenTelemetry.class") == null) {
      return null;
    }
    return new LinkingClassLoader(location, host);
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        if (host.owns(name)) {
          c = Class.forName(name, false, host.loader());
        } else if (name.startsWith("java.") || name.equals(Installer.BRIDGE)) {
          // the bridge is one class for the JVM, on the bootstrap class path, found through the parent
          c = super.loadClass(name, false);
        } else {
          c = defineFromJar(name);
          if (c == null) {
            c = super.loadClass(name, false);
          }
        }
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }

  private Class<?> defineFromJar(String name) throws ClassNotFoundException {
    URL entry = jar.findResource(name.replace('.', '/') + ".class");
    if (entry == null) {
      return null;
    }
    try (InputStream in = entry.openStream()) {
      ClassReader reader = new ClassReader(in);
      // no frames are recomputed: renaming packages changes no stack map, and recomputing would load classes
      ClassWriter writer = new ClassWriter(reader, 0);
      reader.accept(new ClassRemapper(writer, remapper), 0);
      byte[] bytes = writer.toByteArray();
      return defineClass(name, bytes, 0, bytes.length, domain);
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
  }

  @Override
  protected URL findResource(String name) {
    return jar.findResource(name);
  }

  @Override
  protected Enumeration<URL> findResources(String name) throws IOException {
    return jar.findResources(name);
  }
}
