package io.tandem.coordinator.grpc;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a membership change keeps a majority. Raft commits a change in joint consensus: the
 * change, and everything after it until it is done, needs a majority of the current and of the
 * new configuration. A change is refused when either could not be reached with the peers the
 * leader hears from now. A peer being added does not count, not even once it caught up as a
 * Raft listener ({@link MemberAdd}): a cold new process answers late, and a set that needs it for
 * its majority stalls (seen: adding c4 to c1, c2 and a dead c3 made the leader step down, and the
 * four had no leader for over 30 s).
 * So a dead member is removed before its replacement is added. Which peers the leader hears from
 * is {@link MemberLiveness}'s question.
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
    List<String> liveNext = next.stream().filter(live::contains).toList();
    if (liveNext.size() >= majority(next.size())) {
      return Optional.empty();
    }
    List<String> added = next.stream().filter(id -> !current.contains(id)).toList();
    List<String> unreachable = next.stream().filter(id -> !live.contains(id) && current.contains(id)).toList();
    if (!added.isEmpty() && liveNext.size() + added.size() >= majority(next.size())) {
      String removeCmd = "tandemctl members remove " + (unreachable.size() == 1 ? unreachable.get(0) : "ID");
      return Optional.of("the cluster would depend on " + added + ", which is being added: of the new"
          + " set " + next + " only " + liveNext + " are reachable without it, fewer than the "
          + majority(next.size()) + " it needs; remove the unreachable " + unreachable + " first"
          + " (" + removeCmd + "), then add; or, if " + (unreachable.size() == 1 ? "it is" : "they are")
          + " only restarting, retry when " + (unreachable.size() == 1 ? "it is" : "they are") + " back");
    }
    return Optional.of("this would lose the majority: of the new set " + next + " only " + liveNext
        + " are reachable, fewer than the " + majority(next.size()) + " it needs, so the cluster"
        + " would stop; bring the unreachable coordinators back (or replace them) first");
  }
}
