package io.tandem.coordinator.grpc;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a membership change keeps a majority. Raft commits a change in joint consensus: the
 * change, and everything after it until it is done, needs a majority of the current and of the
 * new configuration. A change is refused when either could not be reached with the peers the
 * leader hears from now; a peer being added counts as reachable, since Ratis commits nothing
 * until it caught up (and fails the change if it does not).
 */
final class Quorum {
  private Quorum() {}

  static int majority(int members) {
    return members / 2 + 1;
  }

  /** Why the change from {@code current} to {@code next} is refused; empty: it keeps a majority. */
  static Optional<String> refusal(List<String> current, List<String> next, Set<String> live) {
    if (next.isEmpty()) {
      return Optional.of("a cluster needs at least one coordinator");
    }
    List<String> liveNow = current.stream().filter(live::contains).toList();
    if (liveNow.size() < majority(current.size())) {
      return Optional.of("the current majority is not reachable: the leader hears from "
          + liveNow.size() + " of " + current.size() + " coordinators " + liveNow + ", and a change"
          + " needs " + majority(current.size()) + " of " + current + " as well as a majority of"
          + " the new set; bring a coordinator back first");
    }
    List<String> liveNext = next.stream()
        .filter(id -> live.contains(id) || !current.contains(id)).toList();
    if (liveNext.size() < majority(next.size())) {
      return Optional.of("this would lose the majority: of the new set " + next + " only "
          + liveNext + " are reachable, fewer than the " + majority(next.size()) + " it needs, so"
          + " the cluster would stop; bring the unreachable coordinators back (or replace them)"
          + " first");
    }
    return Optional.empty();
  }
}
