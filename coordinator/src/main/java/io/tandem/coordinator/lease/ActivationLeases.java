package io.tandem.coordinator.lease;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The lease granted with an activation (docs/design.md, "The lease with the decision"). When the
 * leader decides to activate an instance, it remembers that instance's last numbered heartbeat
 * (its number and its arrival on this leader's clock, after the read that confirmed leadership).
 * When the activation is committed and pushed to that instance's watch stream, the push carries a
 * lease counted from that heartbeat, exactly as if the heartbeat had been answered with it: the
 * agent counts from when it sent the heartbeat, this leader from when it heard it, which was before
 * the activation was proposed. No state of its own is trusted across leaderships: cleared with the
 * keeper's. Not thread-safe: used under the lease keeper's lock.
 */
final class ActivationLeases {
  /** A numbered heartbeat as heard here. */
  record Beat(long seq, long heardAtNanos) {}

  /**
   * Per group, the instances whose activation was decided here and not yet pushed, each with its
   * heartbeat at the *first* such decision: a proposal still in flight from an earlier decision
   * (given up after the in-flight limit) may be the one that commits, and that heartbeat was heard
   * before every one of those proposals.
   */
  private final Map<String, Map<String, Beat>> pending = new HashMap<>();

  /**
   * The keeper decided to activate {@code instance} of {@code group} now; {@code live}: what it last
   * heard from that instance (null: nothing), whose last numbered heartbeat the lease will name.
   */
  void decided(String group, String instance, Liveness live) {
    if (live != null && live.heartbeatSeq() > 0) {
      pending.computeIfAbsent(group, g -> new HashMap<>())
          .putIfAbsent(instance, new Beat(live.heartbeatSeq(), live.heartbeatSeqNanos()));
    }
  }

  /**
   * An activation of {@code instance} in {@code group} was committed: its heartbeat, if this leader
   * decided it. Every pending activation of the group is forgotten (the token moved, so the other
   * proposals fail their compare-and-set).
   */
  Optional<Beat> take(String group, String instance) {
    Map<String, Beat> p = pending.remove(group);
    return p == null ? Optional.empty() : Optional.ofNullable(p.get(instance));
  }

  void retainGroups(Set<String> groups) {
    pending.keySet().retainAll(groups);
  }

  void clear() {
    pending.clear();
  }
}
