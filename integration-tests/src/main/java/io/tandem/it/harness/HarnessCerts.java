package io.tandem.it.harness;

import io.tandem.common.tls.CertificateAuthority;
import io.tandem.common.tls.Identity;
import io.tandem.common.tls.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The certificates of a test or demo cluster, made with the same helper as {@code tandemctl certs}:
 * a CA in DIR, a peer certificate per coordinator (DNS localhost and its id, for peer meshes that
 * name peers by id; IP 127.0.0.1), an agent certificate per instance, and an admin certificate
 * for the harness and tandemctl. Every cluster the harness starts runs with mutual TLS.
 */
public final class HarnessCerts {
  /** The admin certificates of running clusters, by their gRPC address list (for {@link Tandemctl}). */
  private static final Map<String, HarnessCerts> BY_COORDINATORS = new ConcurrentHashMap<>();
  private final Path dir;
  private final CertificateAuthority ca;

  private HarnessCerts(Path dir) {
    this.dir = dir;
    if (!Files.exists(dir.resolve(CertificateAuthority.CA_CERT))) {
      CertificateAuthority.create("Tandem test CA", Instant.now(), 30).writeTo(dir);
    }
    this.ca = CertificateAuthority.load(dir);
  }

  /** A CA in {@code dir} (created if missing). */
  public static HarnessCerts in(Path dir) {
    return new HarnessCerts(dir);
  }

  public Path dir() {
    return dir;
  }

  private TlsSettings issue(Identity id, List<String> dns, List<String> ips) {
    Path crt = dir.resolve(id.fileStem() + ".crt");
    if (!Files.exists(crt)) {
      ca.issue(id, dns, ips, Instant.now(), 30).writeTo(dir, id.fileStem());
    }
    return TlsSettings.files(dir.resolve(CertificateAuthority.CA_CERT), crt, dir.resolve(id.fileStem() + ".key"));
  }

  public TlsSettings peer(String id) {
    return issue(Identity.peer(id), List.of("localhost", id), List.of("127.0.0.1"));
  }

  public TlsSettings agent(String group, String instance) {
    return issue(Identity.agent(group, instance), List.of(), List.of());
  }

  public TlsSettings admin() {
    return issue(Identity.admin("harness"), List.of(), List.of());
  }

  public TlsSettings viewer(String name) {
    return issue(Identity.viewer(name), List.of(), List.of());
  }

  /** The {@code tls:} line of a YAML config. */
  public static String yaml(TlsSettings tls) {
    if (tls.insecure()) {
      return "tls: {insecure: true}\n";
    }
    return "tls: {ca: " + quote(tls.ca()) + ", cert: " + quote(tls.cert()) + ", key: " + quote(tls.key()) + "}\n";
  }

  /** tandemctl's --ca/--cert/--key for the admin certificate. */
  public List<String> ctlArgs() {
    TlsSettings a = admin();
    return new ArrayList<>(List.of("--ca", a.ca().toString(), "--cert", a.cert().toString(), "--key", a.key().toString()));
  }

  /** Lets {@link Tandemctl#run(String, java.time.Duration, String...)} find the certificates of a cluster. */
  void register(String coordinatorsCsv) {
    BY_COORDINATORS.put(coordinatorsCsv, this);
  }

  void unregister(String coordinatorsCsv) {
    BY_COORDINATORS.remove(coordinatorsCsv, this);
  }

  /**
   * The certificates of the running cluster that {@code coordinatorsCsv} names: the list given at
   * its start, or one that shares an address with it (a coordinator added later by tandemctl
   * members add is not in the registered list); null if none.
   */
  static HarnessCerts forCoordinators(String coordinatorsCsv) {
    HarnessCerts exact = BY_COORDINATORS.get(coordinatorsCsv);
    if (exact != null) {
      return exact;
    }
    java.util.Set<String> asked = new java.util.HashSet<>(java.util.Arrays.asList(coordinatorsCsv.split(",")));
    for (Map.Entry<String, HarnessCerts> e : BY_COORDINATORS.entrySet()) {
      for (String address : e.getKey().split(",")) {
        if (asked.contains(address)) {
          return e.getValue();
        }
      }
    }
    return null;
  }

  private static String quote(Path p) {
    return "\"" + p.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
