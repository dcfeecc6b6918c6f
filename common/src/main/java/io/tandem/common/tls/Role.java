package io.tandem.common.tls;

import java.util.Locale;
import java.util.Optional;

/** What a certificate's holder may do (the middle part of its {@code tandem:ROLE:NAME} URI SAN). */
public enum Role {
  /** An agent: AgentService calls for its own group and instance only. */
  AGENT,
  /** A coordinator: Raft traffic between coordinators, and the coordinators' server certificate. */
  PEER,
  /** An operator: everything on AdminService. */
  ADMIN,
  /** A read-only operator: status, lists, history, watch and exports. */
  VIEWER;

  /** The lower-case word used in URIs, file names and the CLI. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String word) {
    for (Role r : values()) {
      if (r.word().equals(word)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
