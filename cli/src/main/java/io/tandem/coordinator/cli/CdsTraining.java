package io.tandem.coordinator.cli;

import io.tandem.common.cds.TrainingRun;
import io.tandem.common.tls.CertificateAuthority;
import io.tandem.common.tls.HandshakeListener;
import io.tandem.common.tls.Identity;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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

  public static void main(String[] args) throws Exception {
    System.setProperty(TandemCtl.NETTY_JFR, "false");
    // no server pid: tandemctl's training runs in the foreground, before the command
    System.exit(TrainingRun.run(new String[0], "tandemctl-cds-", dir -> train(dir) > 0));
  }

  /** Runs both; returns the number of TLS handshakes the listener completed (at least 1 when it worked). */
  static int train(Path dir) {
    Instant now = Instant.now();
    CertificateAuthority ca = CertificateAuthority.create("tandemctl cds training", now, 1);
    ca.writeTo(dir);
    ca.issue(Identity.peer("c1"), List.of("localhost"), List.of("127.0.0.1"), now, 1).writeTo(dir, "peer");
    ca.issue(Identity.admin("cds"), List.of(), List.of(), now, 1).writeTo(dir, "admin");
    int handshakes;
    try (HandshakeListener listener = new HandshakeListener(dir.resolve(CertificateAuthority.CA_CERT),
        dir.resolve("peer.crt"), dir.resolve("peer.key"), 1)) {
      // a cold client's first handshake takes a while: a long attempt; retries find the port closed
      status("2s", "1500ms", "--ca", dir.resolve(CertificateAuthority.CA_CERT).toString(),
          "--cert", dir.resolve("admin.crt").toString(), "--key", dir.resolve("admin.key").toString(),
          "--coordinators", "127.0.0.1:" + listener.port());
      handshakes = listener.handshakes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    status("500ms", "300ms", "--insecure", "--coordinators", "127.0.0.1:1");
    // every command's classes and the usage help: the other commands start from the archive too
    PrintWriter sink = new PrintWriter(new StringWriter());
    TandemCtl.commandLine(new TandemCtl(Map.of()), sink, sink, new String[] {"--help"}).execute("--help");
    return handshakes;
  }

  private static void status(String timeout, String attemptTimeout, String... connection) {
    String[] args = Stream.concat(Stream.of(connection),
        Stream.of("--timeout", timeout, "--attempt-timeout", attemptTimeout, "status")).toArray(String[]::new);
    PrintWriter sink = new PrintWriter(new StringWriter());
    TandemCtl.commandLine(new TandemCtl(Map.of()), sink, sink, args).execute(args);
  }
}
