package io.tandem.coordinator.cli;

import io.tandem.common.tls.CertificateAuthority;
import io.tandem.common.tls.Identity;
import io.tandem.common.tls.TlsException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tandemctl certs init|issue}: a CA and certificates for mutual TLS (works offline). */
@Command(
    name = "certs",
    description = "Create a certificate authority and issue certificates for mutual TLS.",
    subcommands = {CertsCommand.Init.class, CertsCommand.Issue.class})
final class CertsCommand {
  private CertsCommand() {}

  private static CtlException usage(String message) {
    return new CtlException(CtlException.UNREACHABLE, message);
  }

  @Command(name = "init", description = "Create DIR/ca.crt and DIR/ca.key (0600). Refuses to replace a CA.")
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Folder for the CA files.")
    Path dir;

    @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateAuthority.CA_DAYS,
        description = "Validity of the CA certificate in days (default: ${DEFAULT-VALUE}).")
    long days;

    @Option(names = "--name", paramLabel = "CN", defaultValue = "Tandem CA",
        description = "Common name of the CA (default: ${DEFAULT-VALUE}).")
    String name;

    @Override
    public Integer call() {
      if (days < 1) {
        throw usage("--days must be at least 1");
      }
      try {
        CertificateAuthority ca = CertificateAuthority.create(name, Instant.now(), days);
        ca.writeTo(dir);
        spec.commandLine().getOut().printf("created %s and %s (valid until %s)%n",
            dir.resolve(CertificateAuthority.CA_CERT), dir.resolve(CertificateAuthority.CA_KEY),
            ca.certificate().getNotAfter().toInstant());
        spec.commandLine().getOut().flush();
        return 0;
      } catch (TlsException e) {
        throw new CtlException(CtlException.REFUSED, e.getMessage());
      }
    }
  }

  @Command(name = "issue", description = {
      "Issue DIR/ROLE-NAME.crt and DIR/ROLE-NAME.key (0600), signed by the CA in DIR.",
      "The URI SAN names the identity: tandem:agent:GROUP/INSTANCE (files agent-GROUP-INSTANCE.*),",
      "tandem:peer:ID, tandem:admin:NAME, tandem:viewer:NAME. Peer certificates also carry",
      "DNS localhost and IP 127.0.0.1 (and --dns/--ip) for host name verification.",
      "Existing files of the same name are replaced atomically (running processes pick them up)."})
  static final class Issue implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Folder of the CA; the files are written here.")
    Path dir;

    @Option(names = "--role", required = true, paramLabel = "ROLE", description = "agent, peer, admin or viewer.")
    String role;

    @Option(names = "--group", paramLabel = "GROUP", description = "The agent's group (--role agent).")
    String group;

    @Option(names = "--instance", paramLabel = "INSTANCE", description = "The agent's instance (--role agent).")
    String instance;

    @Option(names = "--id", paramLabel = "ID", description = "The coordinator's node id (--role peer).")
    String id;

    @Option(names = "--name", paramLabel = "NAME", description = "The operator's name (--role admin, viewer).")
    String name;

    @Option(names = "--dns", paramLabel = "NAME", split = ",", description = "Extra DNS names (SANs) for host name verification.")
    List<String> dns = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "ADDRESS", split = ",", description = "Extra IP addresses (SANs).")
    List<String> ips = new ArrayList<>();

    @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateAuthority.LEAF_DAYS,
        description = "Validity in days (default: ${DEFAULT-VALUE}).")
    long days;

    @Override
    public Integer call() {
      if (days < 1) {
        throw usage("--days must be at least 1");
      }
      Identity identity = identity();
      List<String> dnsNames = new ArrayList<>();
      List<String> addresses = new ArrayList<>();
      if (identity.role() == io.tandem.common.tls.Role.PEER) {
        dnsNames.add("localhost");
        addresses.add("127.0.0.1");
      }
      dns.stream().filter(d -> !dnsNames.contains(d)).forEach(dnsNames::add);
      ips.stream().filter(a -> !addresses.contains(a)).forEach(addresses::add);
      try {
        CertificateAuthority ca = CertificateAuthority.load(dir);
        CertificateAuthority.Issued issued = ca.issue(identity, dnsNames, addresses, Instant.now(), days);
        Path crt = issued.writeTo(dir, identity.fileStem());
        spec.commandLine().getOut().printf("issued %s and %s for %s (serial %s, valid until %s)%n",
            crt, dir.resolve(identity.fileStem() + ".key"), identity,
            issued.certificate().getSerialNumber().toString(16), issued.certificate().getNotAfter().toInstant());
        spec.commandLine().getOut().flush();
        return 0;
      } catch (TlsException e) {
        throw new CtlException(CtlException.REFUSED, e.getMessage());
      }
    }

    private Identity identity() {
      try {
        return switch (role) {
          case "agent" -> {
            if (group == null || instance == null) {
              throw usage("--role agent needs --group and --instance");
            }
            yield Identity.agent(group, instance);
          }
          case "peer" -> {
            if (id == null) {
              throw usage("--role peer needs --id (the coordinator's node id)");
            }
            yield Identity.peer(id);
          }
          case "admin", "viewer" -> {
            if (name == null) {
              throw usage("--role " + role + " needs --name");
            }
            yield role.equals("admin") ? Identity.admin(name) : Identity.viewer(name);
          }
          default -> throw usage("--role must be agent, peer, admin or viewer, got \"" + role + "\"");
        };
      } catch (IllegalArgumentException e) {
        throw usage(e.getMessage());
      }
    }
  }
}
