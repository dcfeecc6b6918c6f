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

  /** An activation decided here and not yet pushed: the instance and its heartbeat then. */
  record Pending(String instance, Beat beat) {}

  private final Map<String, Map<String, Beat>> lastBeats = new HashMap<>();
  private final Map<String, Pending> pending = new HashMap<>();

  void heard(String group, String instance, long seq, long now) {
    if (seq > 0) {
      lastBeats.computeIfAbsent(group, g -> new HashMap<>()).put(instance, new Beat(seq, now));
    }
  }

  /** The keeper decided to activate {@code instance} of {@code group} now. */
  void decided(String group, String instance) {
    Beat b = lastBeats.getOrDefault(group, Map.of()).get(instance);
    if (b == null) {
      pending.remove(group);
    } else {
      pending.put(group, new Pending(instance, b));
    }
  }

  /** The pending activation of {@code instance} in {@code group}, taken (at most once). */
  Optional<Beat> take(String group, String instance) {
    Pending p = pending.get(group);
    if (p == null || !p.instance().equals(instance)) {
      return Optional.empty();
    }
    pending.remove(group);
    return Optional.of(p.beat());
  }

  void retainGroups(Set<String> groups) {
    lastBeats.keySet().retainAll(groups);
    pending.keySet().retainAll(groups);
  }

  void clear() {
    lastBeats.clear();
    pending.clear();
  }
}
