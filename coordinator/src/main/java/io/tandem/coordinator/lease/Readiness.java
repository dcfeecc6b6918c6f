package io.tandem.coordinator.lease;

import io.tandem.proto.state.FlowsRevision;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The group-data half of "is this standby ready to take over" (DESIGN.md, "Activation needs the
 * current revision"): a standby is ready only if it has loaded the group's current revision
 * (or the group has none), has every node module that revision lists, and uses the same
 * credentialSecret (equal keyed digests, when both are known). Pure; the answer is a sentence.
 */
final class Readiness {
  private Readiness() {}

  /**
   * Why {@code instance} cannot take over, or empty if the group data allows it.
   *
   * @param currentRevision the group's current revision (0: none)
   * @param current that revision's record, or null if this leader has not seen it (yet)
   */
  static Optional<String> problem(String instance, long currentRevision, FlowsRevision current, RuntimeReport r) {
    if (!r.notReadyDetail().isEmpty()) {
      return Optional.of("standby " + instance + " reports: " + r.notReadyDetail());
    }
    if (currentRevision == 0) {
      return Optional.empty();
    }
    if (r.loadedRevision() != currentRevision) {
      return Optional.of("standby " + instance + " has loaded "
          + (r.loadedRevision() == 0 ? "no revision of the group" : "revision " + r.loadedRevision())
          + ", current is " + currentRevision);
    }
    if (current == null || current.getRevision() != currentRevision) {
      return Optional.of("revision " + currentRevision + " is not yet applied on this coordinator");
    }
    Set<String> has = new HashSet<>(r.modules());
    List<String> missing = current.getModulesList().stream().filter(m -> !has.contains(m)).toList();
    if (!missing.isEmpty()) {
      return Optional.of("standby " + instance + " lacks node module" + (missing.size() > 1 ? "s " : " ")
          + String.join(", ", missing));
    }
    if (!current.getCredentialKeyDigest().isEmpty() && !r.credentialKeyDigest().isEmpty()
        && !current.getCredentialKeyDigest().equals(r.credentialKeyDigest())) {
      return Optional.of("standby " + instance + " uses another credentialSecret than the revision (keyed digest"
          + " differs); set the same credentialSecret in settings.js on every instance");
    }
    return Optional.empty();
  }
}
