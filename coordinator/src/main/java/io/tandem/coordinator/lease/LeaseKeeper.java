package io.tandem.coordinator.lease;

import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.coordinator.state.Groups;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.TandemState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The leader-only lease keeper (DESIGN.md, "Liveness and leases"). Everything here is in memory
 * and measured on the monotonic clock passed in as {@code now} (nanoseconds); nothing is written
 * to the log per heartbeat. Only decisions (activations, deactivations) are proposed, always as
 * compare-and-set on the group's token.
 *
 * <ul>
 *   <li>A new leader counts every lease as renewed at its takeover ({@link #becomeLeader}).
 *   <li>When the active's lease expired, or its agent reported itself fenced, {@link #decide}
 *       proposes Activate of the best ready standby (highest priority, then smallest id, never
 *       no_failover; the fenced holder itself only if no other is ready), or Deactivate if none
 *       is ready.
 *   <li>In maintenance nothing is activated automatically; a holder whose lease expired or who
 *       fenced itself is deactivated (its flows are stopped; the state says so and the group can
 *       be deleted). A planned switchover still completes in maintenance.
 *   <li>At most one proposal per group is in flight: the caller reports {@link #proposalDone}.
 * </ul>
 *
 * <p>Thread-safe; every method is cheap.
 */
public final class LeaseKeeper {
  /**
   * A proposal not reported done after this long is assumed lost and the group is decided
   * again. Safe: every proposal is compare-and-set on the token, so a duplicate is refused.
   */
  static final long IN_FLIGHT_LIMIT_NANOS = 10_000_000_000L;

  private record LeaseRecord(String holder, long token, long expiresAtNanos) {}

  private final long leaseNanos;
  private final long freshNanos;
  private boolean leader;
  private long takeoverNanos;
  private final Map<String, Map<String, Liveness>> liveness = new HashMap<>();
  private final Map<String, LeaseRecord> leases = new HashMap<>();
  private final Map<String, ReleaseRequest> releases = new HashMap<>();
  /** The current flows revision of each group, as of the last {@link #decide}. */
  private final Map<String, FlowsRevision> currentRevisions = new HashMap<>();
  /** Groups with a proposal in flight, and when it was decided. */
  private final Map<String, Long> inFlight = new HashMap<>();
  /**
   * Groups that had no ready standby (an instance automatic failover could activate) at the last
   * {@link #decide}, and since when on this leader's clock; a group with one is absent.
   */
  private final Map<String, Long> withoutStandbySince = new HashMap<>();

  public LeaseKeeper(LeaseSettings settings) {
    this.leaseNanos = settings.lease().toNanos();
    this.freshNanos = settings.standbyFreshness().toNanos();
  }

  public long leaseMillis() {
    return leaseNanos / 1_000_000;
  }

  /**
   * This server became the ready leader. It cannot know what its predecessor granted, so every
   * lease counts as renewed now (etcd's lessor Promote).
   */
  public synchronized void becomeLeader(long now) {
    clear();
    leader = true;
    takeoverNanos = now;
  }

  public synchronized void stepDown() {
    clear();
    leader = false;
  }

  private void clear() {
    liveness.clear();
    leases.clear();
    inFlight.clear();
    withoutStandbySince.clear();
    releases.values().forEach(
        r -> r.done().completeExceptionally(new IllegalStateException("leadership lost during switchover")));
    releases.clear();
  }

  public synchronized boolean isLeader() {
    return leader;
  }

  /**
   * Records a heartbeat and renews the sender's lease if it is the committed active of {@code
   * group}, has not fenced itself for the current token, and its lease has not already expired
   * on this leader's clock (an expired lease is never renewed: the failover may be in flight).
   * {@code now} must be taken after this server's leadership was confirmed for the heartbeat.
   */
  public Grant heartbeat(
      String groupName,
      String instance,
      RuntimeState runtime,
      long runningToken,
      long fencedToken,
      Optional<Group> committed,
      long now) {
    return heartbeat(groupName, instance, runtime, runningToken, fencedToken, RuntimeReport.NONE, committed, now);
  }

  /** As above, with what the runtime reported about its group data (kept for readiness). */
  public synchronized Grant heartbeat(
      String groupName,
      String instance,
      RuntimeState runtime,
      long runningToken,
      long fencedToken,
      RuntimeReport report,
      Optional<Group> committed,
      long now) {
    if (!leader) {
      return Grant.NONE;
    }
    Map<String, Liveness> byInstance = liveness.computeIfAbsent(groupName, g -> new HashMap<>());
    Liveness prev = byInstance.get(instance);
    Liveness live =
        prev == null
            ? Liveness.first(runtime, now, runningToken, fencedToken, report)
            : prev.heard(runtime, now, runningToken, fencedToken, report);
    byInstance.put(instance, live);
    if (committed.isEmpty()) {
      return Grant.NONE;
    }
    Group g = committed.get();
    if (!g.getActive().equals(instance) || live.fencedToken() >= g.getToken()) {
      return Grant.NONE;
    }
    LeaseRecord current = leases.get(groupName);
    if (current != null && current.token() == g.getToken() && now - current.expiresAtNanos() >= 0) {
      // Expired on this leader's clock: never renewed, a failover may already be in flight.
      return Grant.NONE;
    }
    leases.put(groupName, new LeaseRecord(instance, g.getToken(), now + leaseNanos));
    ReleaseRequest r = releases.get(groupName);
    boolean release = r != null && r.from().equals(instance) && r.token() == g.getToken();
    return new Grant(leaseMillis(), release);
  }

  /** The agent stopped or killed its flows for {@code token}: no lease wait is needed. */
  public synchronized void fenced(
      String groupName, String instance, long token, FenceReason reason, long now) {
    if (!leader) {
      return;
    }
    Map<String, Liveness> byInstance = liveness.computeIfAbsent(groupName, g -> new HashMap<>());
    Liveness prev = byInstance.get(instance);
    Liveness base =
        prev == null ? Liveness.first(RuntimeState.RUNTIME_STATE_UNSPECIFIED, now, 0, 0, RuntimeReport.NONE) : prev;
    byInstance.put(instance, base.fenced(token, reason, now));
  }

  /** Starts a planned switchover; the caller notifies {@code from} and waits on {@code done}. */
  public synchronized void requestRelease(ReleaseRequest request) {
    ReleaseRequest old = releases.put(request.group(), request);
    if (old != null) {
      old.done().completeExceptionally(new IllegalStateException("superseded by a newer switchover"));
    }
  }

  public synchronized Optional<ReleaseRequest> release(String group) {
    return Optional.ofNullable(releases.get(group));
  }

  /** A proposal for {@code group} finished (committed, refused or failed). */
  public synchronized void proposalDone(String group) {
    inFlight.remove(group);
  }

  /** True while a proposal for {@code group} decided here has not been reported done. */
  public synchronized boolean inFlight(String group) {
    return inFlight.containsKey(group);
  }

  /** The proposals to make now. Groups with a proposal in flight are skipped. */
  public synchronized List<Decision> decide(TandemState state, long now) {
    List<Decision> out = new ArrayList<>();
    if (!leader) {
      return out;
    }
    leases.keySet().retainAll(state.getGroupsMap().keySet());
    liveness.keySet().retainAll(state.getGroupsMap().keySet());
    inFlight.keySet().retainAll(state.getGroupsMap().keySet());
    withoutStandbySince.keySet().retainAll(state.getGroupsMap().keySet());
    currentRevisions.clear();
    state.getGroupDataMap().keySet().forEach(
        name -> Groups.currentRevision(state, name).ifPresent(r -> currentRevisions.put(name, r)));
    boolean warm = now - takeoverNanos >= freshNanos; // every live instance has heartbeated
    for (Group g : state.getGroupsMap().values()) {
      forgetRemovedInstances(g);
      if (!warm || best(g, now, g.getActive()).isPresent()) {
        withoutStandbySince.remove(g.getName());
      } else {
        withoutStandbySince.putIfAbsent(g.getName(), now);
      }
      Long since = inFlight.get(g.getName());
      if (since != null && now - since < IN_FLIGHT_LIMIT_NANOS) {
        continue;
      }
      inFlight.remove(g.getName());
      expireRelease(g, now);
      Optional<Decision> d = decideGroup(g, now);
      d.ifPresent(
          decision -> {
            inFlight.put(g.getName(), now);
            out.add(decision);
          });
    }
    return out;
  }

  private void forgetRemovedInstances(Group g) {
    Map<String, Liveness> byInstance = liveness.get(g.getName());
    if (byInstance != null) {
      byInstance.keySet().removeIf(id -> g.getInstancesList().stream().noneMatch(i -> i.getId().equals(id)));
    }
  }

  private void expireRelease(Group g, long now) {
    ReleaseRequest r = releases.get(g.getName());
    if (r == null) {
      return;
    }
    if (r.token() != g.getToken()) {
      releases.remove(g.getName());
      if (g.getActive().equals(r.to())) {
        // Done. The proposer normally completed `done` with the activation's own result
        // already; if not (it was lost), this completes it: the token is that entry's index.
        r.done().complete(Decisions.committedActivation(g));
        return;
      }
      r.done().completeExceptionally(new IllegalStateException(
          "the assignment moved to \"" + g.getActive() + "\" (token " + g.getToken() + ") during the switchover"));
    } else if (now - r.deadlineNanos() > 0) {
      releases.remove(g.getName());
      r.done().completeExceptionally(new TimeoutException(
          "\"" + r.from() + "\" did not confirm that its flows stopped in time"));
    }
  }

  private Optional<Decision> decideGroup(Group g, long now) {
    String holder = g.getActive();
    if (holder.isEmpty()) {
      if (g.getMaintenance()) {
        return Optional.empty();
      }
      return best(g, now, null)
          .map(c -> Decisions.activate(g, c, "no active instance; \"" + c + "\" is ready", "no_active"));
    }
    LeaseRecord lease = leases.get(g.getName());
    if (lease == null || lease.token() != g.getToken()) {
      long start = Math.max(now, takeoverNanos);
      lease = new LeaseRecord(holder, g.getToken(), start + leaseNanos);
      leases.put(g.getName(), lease);
    }
    Liveness live = liveness.getOrDefault(g.getName(), Map.of()).get(holder);
    boolean fenced = live != null && live.fencedToken() >= g.getToken();
    ReleaseRequest release = releases.get(g.getName());
    if (fenced && release != null && release.token() == g.getToken()) {
      // A planned switchover (allowed in maintenance too): the holder confirmed its stop.
      String to = isReady(g, release.to(), now, true) ? release.to() : best(g, now, holder).orElse(null);
      if (to != null) {
        return Optional.of(Decisions.activate(g, to,
            "planned switchover from \"" + holder + "\" to \"" + to + "\"", "switchover"));
      }
    }
    boolean expired = now - lease.expiresAtNanos() >= 0;
    if (!fenced && !expired) {
      return Optional.empty(); // the holder's lease is live (also while a release is pending)
    }
    String why =
        fenced
            ? "\"" + holder + "\" fenced itself (" + Decisions.reasonText(live.fenceReason()) + ")"
            : "the lease of \"" + holder + "\" expired";
    String cause = fenced ? Decisions.causeTag(live.fenceReason()) : "lease_expired";
    if (g.getMaintenance()) {
      // No failover in maintenance; but the holder's flows are stopped, so say so in the state.
      return Optional.of(Decisions.deactivate(g, why + "; maintenance is on, no failover", "maintenance_" + cause));
    }
    // A holder that fenced itself may be ready again (restarted as a spare): prefer the others.
    Optional<String> candidate = best(g, now, holder).or(() -> best(g, now, null));
    if (candidate.isPresent()) {
      return Optional.of(Decisions.activate(g, candidate.get(), why + "; \"" + candidate.get() + "\" takes over", cause));
    }
    return Optional.of(Decisions.deactivate(g, why + "; no ready standby" + whyNotReady(g, holder, now), cause));
  }

  /** " (b: standby b has loaded revision 41, current is 57)" for the history; "" if none to say. */
  private String whyNotReady(Group g, String holder, long now) {
    List<String> reasons = new ArrayList<>();
    for (InstanceSpec i : g.getInstancesList()) {
      if (!i.getId().equals(holder)) {
        notReadyReason(g, currentRevisions.get(g.getName()), i.getId(), now, false)
            .ifPresent(r -> reasons.add(i.getId() + ": " + r));
      }
    }
    return reasons.isEmpty() ? "" : " (" + String.join("; ", reasons) + ")";
  }

  /** Best ready instance: highest priority, then smallest id; {@code exclude} is skipped. */
  private Optional<String> best(Group g, long now, String exclude) {
    return g.getInstancesList().stream()
        .filter(i -> !i.getId().equals(exclude))
        .filter(i -> isReady(g, i.getId(), now, false))
        .sorted(Comparator.comparingInt(InstanceSpec::getPriority).reversed()
            .thenComparing(InstanceSpec::getId))
        .map(InstanceSpec::getId)
        .findFirst();
  }

  /**
   * On the leader: for how long (nanoseconds, as of the last {@link #decide}) {@code group} has
   * had no ready standby, i.e. no instance other than the active that automatic failover could
   * activate; 0 when it has one. Counted from this leader's first standbyFreshness after its
   * takeover (it cannot know what was ready before). Empty on a non-leader.
   */
  public synchronized java.util.OptionalLong withoutReadyStandbyNanos(String group, long now) {
    if (!leader) {
      return java.util.OptionalLong.empty();
    }
    Long since = withoutStandbySince.get(group);
    return java.util.OptionalLong.of(since == null ? 0 : Math.max(1, now - since));
  }

  /** Best ready instance other than the current active (for a switchover without a target). */
  public synchronized Optional<String> bestStandby(Group g, long now) {
    return best(g, now, g.getActive());
  }

  /**
   * Ready: a member whose last heartbeat, at most standbyFreshness old, says its runtime is
   * loaded with flows stopped, and whose group data allows it to take over ({@link Readiness}:
   * the current revision loaded, its modules present, the same credentialSecret). {@code manual}
   * (an operator's switchover target) also allows instances flagged no_failover. The current
   * revision's record is the one seen by the last {@link #decide}.
   */
  public synchronized boolean isReady(Group g, String instance, long now, boolean manual) {
    return notReadyReason(g, currentRevisions.get(g.getName()), instance, now, manual).isEmpty();
  }

  /**
   * Why {@code instance} is not ready, as a sentence for operators; empty when it is ready.
   * {@code current} is the record of {@code g}'s current revision (null if none or unknown).
   */
  public synchronized Optional<String> notReadyReason(
      Group g, FlowsRevision current, String instance, long now, boolean manual) {
    Optional<InstanceSpec> spec =
        g.getInstancesList().stream().filter(i -> i.getId().equals(instance)).findFirst();
    if (spec.isEmpty()) {
      return Optional.of(instance + " is not a member of the group");
    }
    if (!manual && spec.get().getNoFailover()) {
      return Optional.of(instance + " is flagged no_failover (only a switchover --to may choose it)");
    }
    Liveness l = liveness.getOrDefault(g.getName(), Map.of()).get(instance);
    if (l == null) {
      return Optional.of(leader ? "no heartbeat from " + instance + " since this coordinator became the leader"
          : "readiness is known on the leader only");
    }
    if (l.ageNanos(now) > freshNanos) {
      return Optional.of("last heartbeat from " + instance + " is " + l.ageNanos(now) / 1_000_000 + " ms old");
    }
    if (l.runtime() != RuntimeState.RUNTIME_STANDBY) {
      return Optional.of(instance + "'s runtime is " + l.runtime().name().replace("RUNTIME_", "").toLowerCase()
          + ", not a loaded standby with flows stopped");
    }
    return Readiness.problem(instance, g.getCurrentRevision(), current, l.report());
  }

  public synchronized Optional<Liveness> liveness(String group, String instance) {
    return Optional.ofNullable(liveness.getOrDefault(group, Map.of()).get(instance));
  }

  /** Lease left of the group's active on this leader's clock; empty if unknown. */
  public synchronized Optional<Long> leaseLeftMillis(Group g, long now) {
    if (!leader || g.getActive().isEmpty()) {
      return Optional.empty();
    }
    LeaseRecord r = leases.get(g.getName());
    long expires =
        r != null && r.token() == g.getToken() ? r.expiresAtNanos() : Math.max(now, takeoverNanos) + leaseNanos;
    return Optional.of(Math.max(0, (expires - now) / 1_000_000));
  }

  public synchronized int activeLeases(TandemState state, long now) {
    int n = 0;
    for (Group g : state.getGroupsMap().values()) {
      LeaseRecord r = leases.get(g.getName());
      if (r != null && r.token() == g.getToken() && r.expiresAtNanos() - now > 0) {
        n++;
      }
    }
    return n;
  }
}
