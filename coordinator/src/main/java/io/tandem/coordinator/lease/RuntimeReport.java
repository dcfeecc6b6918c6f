package io.tandem.coordinator.lease;

import java.util.List;

/**
 * What an agent's last heartbeat said about its runtime's group data (DESIGN.md, "The group's
 * data"): the flows revision it has loaded, the node modules it has, the keyed digest of its
 * credentialSecret, and why the agent itself thinks it cannot take over.
 *
 * @param loadedRevision 0: none (or its own local flows)
 * @param credentialKeyDigest "" unknown
 * @param notReadyDetail "" none
 */
public record RuntimeReport(
    long loadedRevision, List<String> modules, String credentialKeyDigest, String notReadyDetail) {
  public static final RuntimeReport NONE = new RuntimeReport(0, List.of(), "", "");

  public RuntimeReport {
    modules = List.copyOf(modules);
  }
}
