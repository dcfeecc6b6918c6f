package io.tandem.common.tls;

import io.tandem.common.config.ConfigException;
import io.tandem.common.config.YamlSection;
import java.nio.file.Path;
import java.util.Set;

/**
 * The {@code tls:} section of a coordinator's or agent's config: {@code {ca, cert, key}} (mutual
 * TLS, the only secure choice) or {@code {insecure: true}} (plaintext, no identities, no role
 * checks). A config without the section is refused: the operator chooses, Tandem never falls back
 * to plaintext on its own.
 *
 * @param insecure plaintext
 * @param ca the trust list (PEM CA certificates); null when insecure
 * @param cert this process's certificate (PEM); null when insecure
 * @param key its private key (PEM, unencrypted, best 0600); null when insecure
 */
public record TlsSettings(boolean insecure, Path ca, Path cert, Path key) {
  private static final Set<String> KEYS = Set.of("ca", "cert", "key", "insecure");

  public static TlsSettings plaintext() {
    return new TlsSettings(true, null, null, null);
  }

  public static TlsSettings files(Path ca, Path cert, Path key) {
    return new TlsSettings(false, ca, cert, key);
  }

  /** Reads {@code tls:} from {@code root}; relative paths resolve against {@code base}. */
  public static TlsSettings read(YamlSection root, Path base) throws ConfigException {
    if (!root.has("tls")) {
      throw root.error("tls", "is required: set tls: {ca: ca.crt, cert: NAME.crt, key: NAME.key} for mutual TLS"
          + " (tandemctl certs init / issue make them), or tls: {insecure: true} to run in plaintext"
          + " without authentication");
    }
    YamlSection s = root.section("tls");
    s.onlyKnown(KEYS);
    String insecure = s.string("insecure", "false");
    if (!insecure.equals("true") && !insecure.equals("false")) {
      throw s.error("insecure", "must be true or false, got \"" + insecure + "\"");
    }
    if (insecure.equals("true")) {
      if (s.has("ca") || s.has("cert") || s.has("key")) {
        throw s.error("insecure", "is true, so ca, cert and key would be ignored: remove them or insecure");
      }
      return plaintext();
    }
    Path ca = file(s, "ca", base, "the CA certificate(s) to trust, e.g. ca.crt");
    Path cert = file(s, "cert", base, "this process's certificate, e.g. peer-c1.crt");
    Path key = file(s, "key", base, "its private key, e.g. peer-c1.key");
    return files(ca, cert, key);
  }

  private static Path file(YamlSection s, String field, Path base, String what) throws ConfigException {
    Path p = s.path(field, base);
    if (p == null) {
      throw s.error(field, "is required (" + what + "), or set tls.insecure: true");
    }
    return p; // read (and checked) when the process starts, so a config can be checked elsewhere
  }

  /** Short description for logs and status: {@code mTLS (cert FILE)} or {@code INSECURE plaintext}. */
  public String describe() {
    return insecure ? "INSECURE plaintext (tls.insecure: true): no encryption, no authentication"
        : "mutual TLS (ca " + ca + ", cert " + cert + ")";
  }
}
