package io.tandem.common.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who a certificate speaks for: its URI SAN {@code tandem:agent:GROUP/INSTANCE},
 * {@code tandem:peer:ID}, {@code tandem:admin:NAME} or {@code tandem:viewer:NAME}.
 *
 * @param role what the holder may do
 * @param name {@code GROUP/INSTANCE} for agents, else the peer id or the operator's name
 */
public record Identity(Role role, String name) {
  public static final String PREFIX = "tandem:";
  private static final Pattern PART = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  /** X.509 GeneralName tag of a URI (RFC 5280: uniformResourceIdentifier [6]). */
  private static final int URI_TAG = 6;

  public Identity {
    if (role == null || name == null) {
      throw new IllegalArgumentException("an identity needs a role and a name");
    }
    if (role == Role.AGENT) {
      String[] gi = name.split("/", -1);
      if (gi.length != 2 || !PART.matcher(gi[0]).matches() || !PART.matcher(gi[1]).matches()) {
        throw new IllegalArgumentException("agent identity \"" + name
            + "\" must be GROUP/INSTANCE, each 1-64 of A-Z a-z 0-9 . _ -");
      }
    } else if (!PART.matcher(name).matches()) {
      throw new IllegalArgumentException(role.word() + " name \"" + name
          + "\" is invalid: use 1-64 of A-Z a-z 0-9 . _ -");
    }
  }

  public static Identity agent(String group, String instance) {
    return new Identity(Role.AGENT, group + "/" + instance);
  }

  public static Identity peer(String id) {
    return new Identity(Role.PEER, id);
  }

  public static Identity admin(String name) {
    return new Identity(Role.ADMIN, name);
  }

  public static Identity viewer(String name) {
    return new Identity(Role.VIEWER, name);
  }

  /** The URI SAN, e.g. {@code tandem:agent:plc/a}. */
  public String uri() {
    return PREFIX + role.word() + ":" + name;
  }

  /** The agent's group (agents only). */
  public String group() {
    requireAgent();
    return name.substring(0, name.indexOf('/'));
  }

  /** The agent's instance (agents only). */
  public String instance() {
    requireAgent();
    return name.substring(name.indexOf('/') + 1);
  }

  private void requireAgent() {
    if (role != Role.AGENT) {
      throw new IllegalStateException(uri() + " is not an agent identity");
    }
  }

  /** The file name stem of its certificate and key: {@code ROLE-NAME}, {@code agent-G-I}. */
  public String fileStem() {
    return role.word() + "-" + name.replace('/', '-');
  }

  /** The identity of a {@code tandem:} URI, or empty if it is not a well-formed one. */
  public static Optional<Identity> parseUri(String uri) {
    if (uri == null || !uri.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String rest = uri.substring(PREFIX.length());
    int colon = rest.indexOf(':');
    if (colon < 0) {
      return Optional.empty();
    }
    Optional<Role> role = Role.parse(rest.substring(0, colon));
    if (role.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Identity(role.get(), rest.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The identity named by the certificate's {@code tandem:} URI SANs; empty if it has none, an
   * unreadable one, or several different ones (a certificate speaks for one identity).
   */
  public static Optional<Identity> of(X509Certificate cert) {
    Collection<List<?>> sans;
    try {
      sans = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
    if (sans == null) {
      return Optional.empty();
    }
    Identity found = null;
    for (List<?> san : sans) {
      if (san.size() < 2 || !(san.get(0) instanceof Integer tag) || tag != URI_TAG) {
        continue;
      }
      String uri = String.valueOf(san.get(1));
      if (!uri.startsWith(PREFIX)) {
        continue;
      }
      Optional<Identity> id = parseUri(uri);
      if (id.isEmpty() || (found != null && !found.equals(id.get()))) {
        return Optional.empty();
      }
      found = id.get();
    }
    return Optional.ofNullable(found);
  }

  @Override
  public String toString() {
    return uri();
  }
}
