package io.tandem.coordinator.lease;

import io.tandem.coordinator.state.Groups;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.Lock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The all-active half of the {@link LeaseKeeper} (DESIGN.md, locks): a lease per member instance
 * and the lock decisions. Leader memory only, on the keeper's monotonic clock; called under the
 * keeper's lock. The rules:
 *
 * <ul>
 *   <li>A member gets a fresh lease when its heartbeat says it is ready (runtime STANDBY or
 *       RUNNING, the current revision loaded, modules and credentialSecret as the revision's); a
 *       live lease is renewed by any heartbeat of a member. An expired lease is not renewed while
 *       the committed state still gives the instance a lock (its handover may be in flight),
 *       unless the overload guard held that handover (no decision was made).
 *   <li>A fenced report ends the sender's lease at once; its locks are handed on.
 *   <li>A free key wanted for {@code settle} goes to the wanting instance with a live lease that
 *       holds the fewest locks of the group, ties broken by a rendezvous hash of key and
 *       instance. A held key moves only when its holder's lease expired (through the guard),
 *       the holder fenced, or is no longer a member; to another live wanter at once, else it is
 *       released. A key its live holder no longer wants is released. Nothing else moves a key.
 * </ul>
 */
final class AllActiveKeeper {
  /** Asks the overload guard whether one expiry-driven handover may go ahead (null: yes). */
  interface Guard {
    String admit(long now);
  }

  private final long leaseNanos;
  private final long settleNanos;
  /** group -> instance -> when its lease ends. */
  private final Map<String, Map<String, Long>> leases = new HashMap<>();
  /** group -> instances that reported a fence the next decide has not looked at yet. */
  private final Map<String, Set<String>> pendingFences = new HashMap<>();
  /** group -> key -> token of a lock whose holder fenced: hand it on. */
  private final Map<String, Map<String, Long>> handOn = new HashMap<>();
  /** group -> key -> since when some instance wants it (settle). */
  private final Map<String, Map<String, Long>> wantedSince = new HashMap<>();
  /** group -> instance -> the lease end whose expiry the guard held (renewable) or admitted. */
  private final Map<String, Map<String, Long>> guardHeld = new HashMap<>();
  private final Map<String, Map<String, Long>> guardAdmitted = new HashMap<>();

  AllActiveKeeper(long leaseNanos, long settleNanos) {
    this.leaseNanos = leaseNanos;
    this.settleNanos = settleNanos;
  }

  void clear() {
    leases.clear();
    pendingFences.clear();
    handOn.clear();
    wantedSince.clear();
    guardHeld.clear();
    guardAdmitted.clear();
  }

  void retainGroups(Set<String> groups) {
    leases.keySet().retainAll(groups);
    pendingFences.keySet().retainAll(groups);
    handOn.keySet().retainAll(groups);
    wantedSince.keySet().retainAll(groups);
    guardHeld.keySet().retainAll(groups);
    guardAdmitted.keySet().retainAll(groups);
  }

  /** When {@code instance}'s lease ends; a lease never heard of counts as renewed at the takeover. */
  private long expiry(String group, String instance, long takeover) {
    return leases.getOrDefault(group, Map.of()).getOrDefault(instance, takeover + leaseNanos);
  }

  boolean live(String group, String instance, long now, long takeover) {
    return expiry(group, instance, takeover) - now > 0;
  }

  /**
   * Lease left of a member granted by this leader, ms (0: none). A lease a predecessor may have
   * granted counts for handovers (it is waited out) but not here: a deploy or a status "ready"
   * needs a heartbeat this leader answered with a lease.
   */
  long leaseLeftMillis(String group, String instance, long now, long takeover) {
    Long granted = leases.getOrDefault(group, Map.of()).get(instance);
    return granted == null ? 0 : Math.max(0, (granted - now) / 1_000_000);
  }

  /**
   * A heartbeat of {@code instance} in the all-active group {@code g}; returns true if it got (or
   * renewed) a lease. Sets {@code fresh[0]} when the lease is a new one (a decision may follow).
   */
  boolean heartbeat(Group g, String instance, Liveness prev, Liveness live, FlowsRevision current, long now,
      long takeover, boolean[] fresh) {
    String name = g.getName();
    if (prev == null || !prev.report().wantedLocks().equals(live.report().wantedLocks())) {
      Map<String, Long> since = wantedSince.computeIfAbsent(name, k -> new HashMap<>());
      for (String key : live.report().wantedLocks()) {
        since.putIfAbsent(key, now);
      }
    }
    if (!Groups.isMember(g, instance) || pendingFences.getOrDefault(name, Set.of()).contains(instance)) {
      return false;
    }
    Long recorded = leases.getOrDefault(name, Map.of()).get(instance);
    long exp = expiry(name, instance, takeover);
    boolean fromPredecessor = recorded == null && exp - now > 0 && live.runtime() == RuntimeState.RUNTIME_RUNNING;
    if (recorded == null && !fromPredecessor && exp - now > 0) {
      exp = now; // never granted here and not running under a predecessor's grant: a fresh lease
    }
    if (exp - now <= 0) {
      if (ready(g, instance, live, current).isPresent()) {
        return false;
      }
      Long heldAt = guardHeld.getOrDefault(name, Map.of()).get(instance);
      boolean renewable = heldAt != null && heldAt == exp;
      if (!renewable && holdsAny(g, instance)) {
        return false; // expired on this clock: its locks may be on their way to another instance
      }
      fresh[0] = true;
    }
    leases.computeIfAbsent(name, k -> new HashMap<>()).put(instance, now + leaseNanos);
    guardHeld.getOrDefault(name, new HashMap<>()).remove(instance);
    return true;
  }

  /** Why {@code instance} may not get a fresh lease; empty if it may. */
  static Optional<String> ready(Group g, String instance, Liveness l, FlowsRevision current) {
    if (l.runtime() != RuntimeState.RUNTIME_STANDBY && l.runtime() != RuntimeState.RUNTIME_RUNNING) {
      return Optional.of(instance + "'s runtime is " + l.runtime().name().replace("RUNTIME_", "").toLowerCase()
          + ", not loaded (standby or running)");
    }
    return Readiness.problem(instance, g.getCurrentRevision(), current, l.report());
  }

  /** {@code instance} reported itself fenced in the all-active group {@code group}. */
  void fenced(String group, String instance, long now) {
    leases.computeIfAbsent(group, k -> new HashMap<>()).put(instance, now);
    pendingFences.computeIfAbsent(group, k -> new HashSet<>()).add(instance);
    guardHeld.getOrDefault(group, new HashMap<>()).remove(instance);
  }

  private static boolean holdsAny(Group g, String instance) {
    for (Lock l : g.getLocksList()) {
      if (l.getHolder().equals(instance)) {
        return true;
      }
    }
    return false;
  }

  /** Instances whose last heartbeat wants {@code key}, sorted. */
  static List<String> wantedBy(Map<String, Liveness> lives, String key) {
    List<String> out = new ArrayList<>();
    new TreeMap<>(lives).forEach((id, l) -> {
      if (l.report().wantedLocks().contains(key)) {
        out.add(id);
      }
    });
    return out;
  }

  /**
   * The lock decisions for {@code g} now, and when to look again ({@code next[0]}, Long.MAX_VALUE
   * for no deadline).
   */
  List<Decision> decide(Group g, Map<String, Liveness> lives, long now, long takeover, Guard guard, long[] next) {
    String name = g.getName();
    next[0] = Long.MAX_VALUE;
    Set<String> members = new HashSet<>();
    g.getInstancesList().forEach(i -> members.add(i.getId()));
    leases.computeIfAbsent(name, k -> new HashMap<>()).keySet().retainAll(members);
    Map<String, Long> fencedKeys = handOn.computeIfAbsent(name, k -> new HashMap<>());
    Set<String> fences = pendingFences.remove(name);
    for (Lock l : g.getLocksList()) {
      if (fences != null && fences.contains(l.getHolder())) {
        fencedKeys.put(l.getKey(), l.getToken());
      }
    }
    fencedKeys.entrySet().removeIf(e -> Groups.lock(g, e.getKey())
        .map(l -> l.getHolder().isEmpty() || l.getToken() != e.getValue()).orElse(true));

    Map<String, Integer> held = new HashMap<>();
    for (Lock l : g.getLocksList()) {
      if (!l.getHolder().isEmpty()) {
        held.merge(l.getHolder(), 1, Integer::sum);
      }
    }
    Map<String, TreeSet<String>> wanters = new TreeMap<>();
    lives.forEach((id, l) -> {
      if (members.contains(id)) {
        l.report().wantedLocks().forEach(k -> wanters.computeIfAbsent(k, x -> new TreeSet<>()).add(id));
      }
    });
    Map<String, Long> since = wantedSince.computeIfAbsent(name, k -> new HashMap<>());
    since.keySet().retainAll(wanters.keySet());

    List<Decision> out = new ArrayList<>();
    for (Lock l : g.getLocksList()) {
      String h = l.getHolder();
      if (h.isEmpty()) {
        continue;
      }
      String why;
      String cause;
      if (!members.contains(h)) {
        why = "\"" + h + "\" is no longer a member";
        cause = "removed";
      } else if (fencedKeys.containsKey(l.getKey())) {
        Liveness lv = lives.get(h);
        why = "\"" + h + "\" fenced itself (" + Decisions.reasonText(lv == null ? null : lv.fenceReason()) + ")";
        cause = Decisions.causeTag(lv == null ? null : lv.fenceReason());
      } else if (!live(name, h, now, takeover)) {
        long exp = expiry(name, h, takeover);
        if (guardAdmitted.getOrDefault(name, Map.of()).getOrDefault(h, Long.MIN_VALUE) != exp) {
          String hold = guard.admit(now);
          if (hold != null) {
            guardHeld.computeIfAbsent(name, k -> new HashMap<>()).put(h, exp);
            next[0] = Math.min(next[0], now + LeaseKeeper.HELD_RETRY_NANOS);
            continue;
          }
          guardAdmitted.computeIfAbsent(name, k -> new HashMap<>()).put(h, exp);
          guardHeld.getOrDefault(name, new HashMap<>()).remove(h);
        }
        why = "the lease of \"" + h + "\" expired";
        cause = "lease_expired";
      } else {
        Liveness lv = lives.get(h);
        if (lv != null && !lv.report().wantedLocks().contains(l.getKey())) {
          out.add(Decisions.releaseLock(g, l.getKey(), l.getToken(),
              "\"" + h + "\" no longer wants the lock", "not_wanted"));
          held.merge(h, -1, Integer::sum);
        } else {
          next[0] = Math.min(next[0], expiry(name, h, takeover));
        }
        continue;
      }
      held.merge(h, -1, Integer::sum);
      Optional<String> to = g.getMaintenance() ? Optional.empty()
          : pick(l.getKey(), wanters.getOrDefault(l.getKey(), new TreeSet<>()), h, held, name, now, takeover);
      if (to.isPresent()) {
        held.merge(to.get(), 1, Integer::sum);
        out.add(Decisions.acquireLock(g, l.getKey(), to.get(), l.getToken(),
            why + "; \"" + to.get() + "\" takes the lock over", cause));
      } else {
        out.add(Decisions.releaseLock(g, l.getKey(), l.getToken(),
            why + (g.getMaintenance() ? "; maintenance is on" : "; no other instance with a lease wants it"), cause));
      }
    }
    if (g.getMaintenance()) {
      return out;
    }
    for (Map.Entry<String, TreeSet<String>> e : wanters.entrySet()) {
      String key = e.getKey();
      Optional<Lock> l = Groups.lock(g, key);
      if (l.isPresent() && !l.get().getHolder().isEmpty()) {
        continue;
      }
      if (l.isEmpty() && g.getLocksCount() >= Groups.MAX_LOCK_KEYS) {
        continue;
      }
      long s = since.computeIfAbsent(key, k -> now);
      if (now - s < settleNanos) {
        next[0] = Math.min(next[0], s + settleNanos);
        continue;
      }
      Optional<String> to = pick(key, e.getValue(), null, held, name, now, takeover);
      if (to.isPresent()) {
        held.merge(to.get(), 1, Integer::sum);
        out.add(Decisions.acquireLock(g, key, to.get(), l.map(Lock::getToken).orElse(0L),
            "free; \"" + to.get() + "\" wants it and holds the fewest locks", "free"));
      }
    }
    return out;
  }

  /** Fewest locks held first, then the highest rendezvous hash of (key, instance). */
  private Optional<String> pick(String key, Set<String> wanting, String exclude, Map<String, Integer> held,
      String group, long now, long takeover) {
    String best = null;
    int bestHeld = Integer.MAX_VALUE;
    long bestScore = 0;
    for (String id : wanting) {
      Long granted = leases.getOrDefault(group, Map.of()).get(id); // a lease granted here, not the takeover default
      if (id.equals(exclude) || granted == null || granted - now <= 0
          || pendingFences.getOrDefault(group, Set.of()).contains(id)) {
        continue;
      }
      int n = held.getOrDefault(id, 0);
      long score = score(key, id);
      if (best == null || n < bestHeld || (n == bestHeld && Long.compareUnsigned(score, bestScore) > 0)) {
        best = id;
        bestHeld = n;
        bestScore = score;
      }
    }
    return Optional.ofNullable(best);
  }

  /** FNV-1a of key NUL instance, then a 64-bit finalizer: deterministic across leaders. */
  static long score(String key, String instance) {
    long h = 0xcbf29ce484222325L;
    String s = key + '\u0000' + instance;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** Members with a live lease, for status. */
  List<String> leased(Group g, long now, long takeover) {
    List<String> out = new ArrayList<>();
    for (InstanceSpec i : g.getInstancesList()) {
      if (live(g.getName(), i.getId(), now, takeover)) {
        out.add(i.getId());
      }
    }
    return out;
  }
}
