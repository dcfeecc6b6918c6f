package io.tandem.coordinator.cli;

import io.tandem.common.tls.CaTrust;
import io.tandem.common.tls.CertificateAuthority;
import io.tandem.common.tls.Identity;
import io.tandem.common.tls.ReloadingKeyManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * The training run of tandemctl's class-data archive (dist/src/bin/tandemctl-cds.sh runs it with
 * {@code -XX:ArchiveClassesAtExit}): {@code status} once with mutual TLS, against a throw-away TLS
 * listener of this JVM on loopback (certificates of a throw-away CA in a temporary folder; the
 * listener completes the handshake, then closes), once in plaintext against a closed port, and the
 * usage help (every command's model). So the archive holds the classes of both kinds of connection,
 * the TLS handshake's included, and of every command. It never talks to a coordinator.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws IOException {
    System.setProperty(TandemCtl.NETTY_JFR, "false");
    Path dir = Files.createTempDirectory("tandemctl-cds-");
    try {
      int handshakes = train(dir);
      System.exit(handshakes > 0 ? 0 : 1);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Runs both; returns the number of TLS handshakes the listener completed (at least 1 when it worked). */
  static int train(Path dir) {
    Instant now = Instant.now();
    CertificateAuthority ca = CertificateAuthority.create("tandemctl cds training", now, 1);
    ca.writeTo(dir);
    ca.issue(Identity.peer("c1"), List.of("localhost"), List.of("127.0.0.1"), now, 1).writeTo(dir, "peer");
    ca.issue(Identity.admin("cds"), List.of(), List.of(), now, 1).writeTo(dir, "admin");
    AtomicInteger handshakes = new AtomicInteger();
    try (SSLServerSocket listener = listener(dir)) {
      Thread t = new Thread(() -> serve(listener, handshakes), "cds-training-listener");
      t.setDaemon(true);
      t.start();
      // a cold client's first handshake takes a while: a long attempt; retries find the port closed
      status("2s", "1500ms", "--ca", dir.resolve(CertificateAuthority.CA_CERT).toString(),
          "--cert", dir.resolve("admin.crt").toString(), "--key", dir.resolve("admin.key").toString(),
          "--coordinators", "127.0.0.1:" + listener.getLocalPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    status("500ms", "300ms", "--insecure", "--coordinators", "127.0.0.1:1");
    // every command's classes and the usage help: the other commands start from the archive too
    PrintWriter sink = new PrintWriter(new StringWriter());
    TandemCtl.commandLine(new TandemCtl(Map.of()), sink, sink, new String[] {"--help"}).execute("--help");
    return handshakes.get();
  }

  private static void status(String timeout, String attemptTimeout, String... connection) {
    String[] args = Stream.concat(Stream.of(connection),
        Stream.of("--timeout", timeout, "--attempt-timeout", attemptTimeout, "status")).toArray(String[]::new);
    PrintWriter sink = new PrintWriter(new StringWriter());
    TandemCtl.commandLine(new TandemCtl(Map.of()), sink, sink, args).execute(args);
  }

  /** A coordinator's side of the handshake: TLS 1.3, a client certificate required, ALPN h2. */
  private static SSLServerSocket listener(Path dir) throws IOException {
    try {
      SSLContext ctx = SSLContext.getInstance("TLSv1.3");
      ctx.init(new KeyManager[] {new ReloadingKeyManager(dir.resolve("peer.crt"), dir.resolve("peer.key"))},
          new TrustManager[] {new CaTrust(dir.resolve(CertificateAuthority.CA_CERT), Set.of())}, null);
      SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory()
          .createServerSocket(0, 4, InetAddress.getLoopbackAddress());
      SSLParameters p = s.getSSLParameters();
      p.setNeedClientAuth(true);
      p.setApplicationProtocols(new String[] {"h2"});
      s.setSSLParameters(p);
      s.setSoTimeout(3000);
      return s;
    } catch (GeneralSecurityException e) {
      throw new IOException("no TLS listener for the training run: " + e, e);
    }
  }

  /** Completes one handshake, then closes the listener (the client's retries are refused). */
  private static void serve(SSLServerSocket listener, AtomicInteger handshakes) {
    while (!listener.isClosed() && handshakes.get() == 0) {
      try (SSLSocket s = (SSLSocket) listener.accept()) {
        s.startHandshake();
        handshakes.incrementAndGet();
        listener.close();
        s.setSoTimeout(200);
        InputStream in = s.getInputStream();
        in.read(new byte[512]); // the client's HTTP/2 preface; then close: the call fails, as intended
      } catch (SocketTimeoutException e) {
        // no (further) client
      } catch (IOException e) {
        // closed by the client or by train(): done
      }
    }
  }
}
