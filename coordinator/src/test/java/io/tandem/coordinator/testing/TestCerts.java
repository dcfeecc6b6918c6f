package io.tandem.coordinator.testing;

import io.tandem.common.tls.CertificateAuthority;
import io.tandem.common.tls.Identity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The certificates of a test coordinator (a process or one in this JVM), made with the code behind {@code tandemctl
 * certs init/issue} (as the integration-tests HarnessCerts does): a CA in DIR, a peer certificate
 * per coordinator (DNS localhost and its id, IP 127.0.0.1) and an admin certificate for tandemctl.
 */
public final class TestCerts {
  private final Path dir;
  private final CertificateAuthority ca;

  public TestCerts(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    if (!Files.exists(dir.resolve(CertificateAuthority.CA_CERT))) {
      CertificateAuthority.create("Tandem process-test CA", Instant.now(), 30).writeTo(dir);
    }
    this.ca = CertificateAuthority.load(dir);
  }

  private String stem(Identity id, List<String> dns, List<String> ips) {
    if (!Files.exists(dir.resolve(id.fileStem() + ".crt"))) {
      ca.issue(id, dns, ips, Instant.now(), 30).writeTo(dir, id.fileStem());
    }
    return id.fileStem();
  }

  /** The {@code tls:} line of coordinator {@code id}'s YAML (its peer certificate). */
  public String peerYaml(String id) {
    String s = stem(Identity.peer(id), List.of("localhost", id), List.of("127.0.0.1"));
    return "tls: {ca: " + quote(dir.resolve(CertificateAuthority.CA_CERT)) + ", cert: " + quote(dir.resolve(s + ".crt"))
        + ", key: " + quote(dir.resolve(s + ".key")) + "}\n";
  }

  /** tandemctl's --ca/--cert/--key with the admin certificate. */
  public List<String> adminArgs() {
    String s = stem(Identity.admin("process-test"), List.of(), List.of());
    return List.of("--ca", dir.resolve(CertificateAuthority.CA_CERT).toString(), "--cert", dir.resolve(s + ".crt").toString(),
        "--key", dir.resolve(s + ".key").toString());
  }

  private static String quote(Path p) {
    return "\"" + p.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
