package io.tandem.coordinator.lease;

import java.util.List;
import java.util.Set;

/**
 * What an agent's last heartbeat said about its runtime's group data (DESIGN.md, "The group's
 * data"): the flows revision it has loaded, the node modules it has, the keyed digest of its
 * credentialSecret, and why the agent itself thinks it cannot take over.
 *
 * @param loadedRevision 0: none (or its own local flows)
 * @param credentialKeyDigest "" unknown
 * @param notReadyDetail "" none
 * @param wantedLocks all-active groups: the lock keys its flows want
 * @param editorUrl where its Node-RED editor is reached ("" unknown)
 * @param nodeRedVersion the Node-RED version its runtime runs ("" unknown)
 * @param runtimePid its Node-RED's process id (0 unknown)
 */
public record RuntimeReport(
    long loadedRevision, List<String> modules, String credentialKeyDigest, String notReadyDetail,
    Set<String> wantedLocks, String editorUrl, String nodeRedVersion, long runtimePid) {
  public static final RuntimeReport NONE = new RuntimeReport(0, List.of(), "", "");

  public RuntimeReport {
    modules = List.copyOf(modules);
    wantedLocks = Set.copyOf(wantedLocks);
  }

  public RuntimeReport(long loadedRevision, List<String> modules, String credentialKeyDigest, String notReadyDetail) {
    this(loadedRevision, modules, credentialKeyDigest, notReadyDetail, Set.of(), "");
  }

  public RuntimeReport(long loadedRevision, List<String> modules, String credentialKeyDigest, String notReadyDetail,
      Set<String> wantedLocks, String editorUrl) {
    this(loadedRevision, modules, credentialKeyDigest, notReadyDetail, wantedLocks, editorUrl, "", 0);
  }
}
