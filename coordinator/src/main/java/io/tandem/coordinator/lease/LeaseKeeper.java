package io.tandem.coordinator.lease;

import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.coordinator.state.Groups;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupData;
import io.tandem.proto.state.GroupMode;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.TandemState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
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
 *   <li>Expiry-driven decisions pass the {@link ExpiryGuard} (docs/design.md, "Overload never
 *       causes a failover"): held while the leader is degraded or too many expire at once. A held
 *       lease may be renewed by its holder, as long as no decision was made for its token.
 *   <li>{@link #decide} looks only at changed, marked or due groups (a deadline index).
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
  private final AllActiveKeeper allActive;
  /** Proposals in flight per group (all-active groups decide several lock moves at once). */
  private final Map<String, Integer> pending = new HashMap<>();
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
   * Groups whose active's lease expired but whose failover the guard held, with that token. Only
   * such a lease may be renewed after it expired: no decision was ever made for it.
   */
  private final Map<String, Long> held = new HashMap<>();
  /** The highest token per group that a decision was proposed for: never renewed after expiry. */
  private final Map<String, Long> decided = new HashMap<>();
  private final LeaderHealth health;
  private final ActivationLeases activationLeases = new ActivationLeases();
  private String lastHoldReason = "";

  /** A group to look at again at {@code at} (a lease's end, a timeout, a held expiry's retry). */
  private record Due(long at, String group) {}

  /** Held expiries are looked at again after this long. */
  static final long HELD_RETRY_NANOS = 250_000_000L;

  /**
   * The deadline index: {@link #decide} looks only at groups that changed in the state, were
   * marked dirty by a heartbeat, a fenced report or a finished proposal, or are due here. It
   * may hold stale entries (a lease renewed since); looking at a group too often is harmless.
   */
  private final PriorityQueue<Due> due = new PriorityQueue<>((x, y) -> Long.signum(x.at() - y.at()));
  private final Set<String> dirty = new HashSet<>();
  /** The state of the last decide, and each group and group data object seen in it. */
  private TandemState lastState;
  private final Map<String, Group> seen = new HashMap<>();
  private final Map<String, GroupData> seenData = new HashMap<>();
  /** Groups with an active in {@link #lastState} (the denominator of the guard's share). */
  private int withActive;
  private final ExpiryGuard guard;
  /** Bounds groups' first activations while the leader is degraded; the groups it held back. */
  private final FirstActivations firstActivations;
  private final Set<String> firstHeld = new HashSet<>();
  /**
   * Groups that had no ready standby (an instance automatic failover could activate) at the last
   * redundancy sweep, and since when on this leader's clock; a group with one is absent.
   */
  private final Map<String, Long> withoutStandbySince = new HashMap<>();
  /** When the redundancy of every group was last looked at (a sweep of all groups, once a second). */
  private long redundancySweptAt;
  private boolean redundancySwept;
  static final long REDUNDANCY_SWEEP_NANOS = 1_000_000_000L;

  public LeaseKeeper(LeaseSettings settings) {
    this(settings, new LeaderHealth(LeaderHealth.Limits.DEFAULTS), ExpiryGuard.Limits.DEFAULTS);
  }

  public LeaseKeeper(LeaseSettings settings, LeaderHealth health, ExpiryGuard.Limits expiryLimits) {
    this.leaseNanos = settings.lease().toNanos();
    this.freshNanos = settings.standbyFreshness().toNanos();
    this.allActive = new AllActiveKeeper(leaseNanos, settings.lockSettle().toNanos());
    this.health = health;
    this.guard = new ExpiryGuard(expiryLimits, health);
    this.firstActivations = new FirstActivations(FirstActivations.Limits.DEFAULTS, health);
  }

  /** This leader's own health; fed by the ticker and the heartbeat path. */
  public LeaderHealth health() {
    return health;
  }

  /** Why the last held expiry was held ("" if none yet). */
  public synchronized String lastHoldReason() {
    return lastHoldReason;
  }

  /** Groups never active yet whose first activation waits while the leader is degraded. */
  public synchronized int heldFirstActivations() {
    return firstHeld.size();
  }

  /** Groups whose lease expired but whose failover is held by the overload guard. */
  public synchronized int heldExpiries() {
    return held.size();
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
    guard.reset(now);
    firstActivations.reset(now);
  }

  public synchronized void stepDown() {
    clear();
    leader = false;
  }

  private void clear() {
    liveness.clear();
    leases.clear();
    allActive.clear();
    pending.clear();
    inFlight.clear();
    held.clear();
    firstHeld.clear();
    decided.clear();
    due.clear();
    dirty.clear();
    seen.clear();
    seenData.clear();
    currentRevisions.clear();
    lastState = null;
    withoutStandbySince.clear();
    activationLeases.clear();
    redundancySwept = false;
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
  public Grant heartbeat(
      String groupName,
      String instance,
      RuntimeState runtime,
      long runningToken,
      long fencedToken,
      RuntimeReport report,
      Optional<Group> committed,
      long now) {
    return heartbeat(groupName, instance, runtime, runningToken, fencedToken, report, committed, 0, now);
  }

  /**
   * As above, for the heartbeat numbered {@code seq} by its agent (0: not numbered); a numbered
   * heartbeat can carry the lease of a later activation ({@link #leaseWithActivation}).
   */
  public synchronized Grant heartbeat(
      String groupName,
      String instance,
      RuntimeState runtime,
      long runningToken,
      long fencedToken,
      RuntimeReport report,
      Optional<Group> committed,
      long seq,
      long now) {
    if (!leader) {
      return Grant.NONE;
    }
    Map<String, Liveness> byInstance = liveness.computeIfAbsent(groupName, g -> new HashMap<>());
    Liveness prev = byInstance.get(instance);
    Liveness live =
        prev == null
            ? Liveness.first(runtime, now, runningToken, fencedToken, report, seq)
            : prev.heard(runtime, now, runningToken, fencedToken, report, seq);
    byInstance.put(instance, live);
    if (prev == null || prev.runtime() != live.runtime() || prev.fencedToken() != live.fencedToken()
        || !prev.report().equals(live.report()) || prev.ageNanos(now) > freshNanos) {
      dirty.add(groupName); // something a decision depends on changed (readiness, a fence)
    }
    if (committed.isEmpty()) {
      return Grant.NONE;
    }
    Group g = committed.get();
    if (g.getMode() == GroupMode.ALL_ACTIVE) {
      boolean[] fresh = {false};
      boolean granted = allActive.heartbeat(g, instance, prev, live, currentRevisions.get(groupName), now,
          takeoverNanos, fresh);
      if (fresh[0]) {
        dirty.add(groupName); // a new lease: free keys it wants may go to it
      }
      return granted ? new Grant(leaseMillis(), false) : Grant.NONE;
    }
    if (!g.getActive().equals(instance) || live.fencedToken() >= g.getToken()) {
      return Grant.NONE;
    }
    LeaseRecord current = leases.get(groupName);
    if (current != null && current.token() == g.getToken() && now - current.expiresAtNanos() >= 0
        && !heldFor(groupName, g.getToken())) {
      // Expired on this leader's clock: never renewed, a failover may already be in flight.
      // (A lease whose failover the overload guard held is renewed: no decision was made for it.)
      return Grant.NONE;
    }
    held.remove(groupName);
    leases.put(groupName, new LeaseRecord(instance, g.getToken(), now + leaseNanos));
    ReleaseRequest r = releases.get(groupName);
    boolean release = r != null && r.from().equals(instance) && r.token() == g.getToken();
    return new Grant(leaseMillis(), release);
  }

  /**
   * The lease to push with the committed activation of {@code instance} in {@code group} under
   * {@code token} (docs/design.md, "The lease with the decision"): counted from that instance's
   * last numbered heartbeat heard before this leader decided the activation, as if that heartbeat
   * had been answered with it. Empty if this server is not the leader, did not decide that
   * activation, a later decision moved on from the token, the instance fenced it, the lease would
   * already be over, or it expired here. At most once per decision.
   */
  public synchronized Optional<ActivationGrant> leaseWithActivation(String group, String instance, long token,
      long now) {
    if (!leader) {
      return Optional.empty();
    }
    Optional<ActivationLeases.Beat> beat = activationLeases.take(group, instance);
    if (beat.isEmpty() || decided.getOrDefault(group, 0L) >= token) {
      return Optional.empty();
    }
    Liveness live = liveness.getOrDefault(group, Map.of()).get(instance);
    if (live != null && live.fencedToken() >= token) {
      return Optional.empty();
    }
    long expires = beat.get().heardAtNanos() + leaseNanos;
    if (expires - now <= 0) {
      return Optional.empty();
    }
    LeaseRecord current = leases.get(group);
    if (current != null && current.token() > token) {
      return Optional.empty();
    }
    if (current != null && current.token() == token) {
      if (now - current.expiresAtNanos() >= 0 && !heldFor(group, token)) {
        return Optional.empty(); // expired on this leader's clock: never renewed
      }
      if (current.expiresAtNanos() - expires > 0) {
        expires = current.expiresAtNanos(); // the leader waiting longer than the agent counts is safe
      }
    }
    leases.put(group, new LeaseRecord(instance, token, expires));
    due.add(new Due(expires, group));
    return Optional.of(new ActivationGrant(leaseMillis(), beat.get().seq()));
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
        prev == null ? Liveness.first(RuntimeState.RUNTIME_STATE_UNSPECIFIED, now, 0, 0, RuntimeReport.NONE, 0) : prev;
    byInstance.put(instance, base.fenced(token, reason, now));
    Group g = lastState == null ? null : lastState.getGroupsMap().get(groupName);
    if (g != null && g.getMode() == GroupMode.ALL_ACTIVE && token == g.getToken()) {
      allActive.fenced(groupName, instance, now); // its lease ends now; its locks are handed on
    }
    dirty.add(groupName);
  }

  /** Starts a planned switchover; the caller notifies {@code from} and waits on {@code done}. */
  public synchronized void requestRelease(ReleaseRequest request) {
    ReleaseRequest old = releases.put(request.group(), request);
    dirty.add(request.group());
    if (old != null) {
      old.done().completeExceptionally(new IllegalStateException("superseded by a newer switchover"));
    }
  }

  public synchronized Optional<ReleaseRequest> release(String group) {
    return Optional.ofNullable(releases.get(group));
  }

  /** True if {@code group}'s expired lease for {@code token} was held and never decided. */
  private boolean heldFor(String group, long token) {
    Long h = held.get(group);
    return h != null && h == token && decided.getOrDefault(group, 0L) < token;
  }

  /** A proposal for {@code group} finished (committed, refused or failed). */
  public synchronized void proposalDone(String group) {
    int left = pending.getOrDefault(group, 1) - 1;
    if (left <= 0) {
      pending.remove(group);
      inFlight.remove(group);
    } else {
      pending.put(group, left);
    }
    dirty.add(group);
  }

  /** True while a proposal for {@code group} decided here has not been reported done. */
  public synchronized boolean inFlight(String group) {
    return inFlight.containsKey(group);
  }

  /**
   * The proposals to make now. Groups with a proposal in flight are skipped. Looks only at the
   * groups that changed since the last call (by identity of their Group and GroupData messages,
   * which the state machine keeps for unchanged groups), that were marked dirty, or that are due
   * in the deadline index: a call with nothing due costs little whatever the number of groups.
   */
  public synchronized List<Decision> decide(TandemState state, long now) {
    List<Decision> out = new ArrayList<>();
    if (!leader) {
      return out;
    }
    if (state != lastState) {
      diff(state);
      lastState = state;
    }
    sweepRedundancy(state, now);
    while (!due.isEmpty() && now - due.peek().at() >= 0) {
      dirty.add(due.poll().group());
    }
    if (dirty.isEmpty()) {
      return out;
    }
    List<String> look = new ArrayList<>(dirty);
    dirty.clear();
    for (String name : look) {
      Group g = state.getGroupsMap().get(name);
      if (g == null) {
        continue;
      }
      Long since = inFlight.get(name);
      if (since != null && now - since < IN_FLIGHT_LIMIT_NANOS) {
        due.add(new Due(since + IN_FLIGHT_LIMIT_NANOS, name));
        continue;
      }
      inFlight.remove(name);
      pending.remove(name);
      if (g.getMode() == GroupMode.ALL_ACTIVE) {
        long[] next = {Long.MAX_VALUE};
        List<Decision> ds = allActive.decide(g, liveness.getOrDefault(name, Map.of()), now, takeoverNanos,
            t -> guard.admit(t, withActive + 1), next);
        if (!ds.isEmpty()) {
          inFlight.put(name, now);
          pending.put(name, ds.size());
          out.addAll(ds);
          due.add(new Due(now + IN_FLIGHT_LIMIT_NANOS, name));
        } else if (next[0] != Long.MAX_VALUE) {
          due.add(new Due(next[0], name));
        }
        continue;
      }
      expireRelease(g, now);
      Optional<Decision> d = decideGroup(g, now, withActive);
      if (d.isPresent()) {
        if (d.get().command().hasActivate()) {
          String chosen = d.get().command().getActivate().getInstance();
          activationLeases.decided(name, chosen, liveness.getOrDefault(name, Map.of()).get(chosen));
        }
        inFlight.put(name, now);
        held.remove(name);
        decided.merge(name, g.getToken(), Math::max);
        out.add(d.get());
        due.add(new Due(now + IN_FLIGHT_LIMIT_NANOS, name));
      } else {
        scheduleNext(g, now);
      }
    }
    return out;
  }

  /**
   * Once a second, whether each group has a ready standby (an instance automatic failover could
   * activate) and since when it has none, for status and /metrics. A standby's readiness also
   * ages on the clock (a heartbeat that stops), which no state change marks, so this looks at
   * every group; once a second keeps it cheap next to the heartbeats, whatever the number of groups.
   */
  private void sweepRedundancy(TandemState state, long now) {
    if (redundancySwept && now - redundancySweptAt < REDUNDANCY_SWEEP_NANOS) {
      return;
    }
    redundancySwept = true;
    redundancySweptAt = now;
    withoutStandbySince.keySet().retainAll(state.getGroupsMap().keySet());
    for (Group g : state.getGroupsMap().values()) {
      noteRedundancy(g, now);
    }
  }

  private void noteRedundancy(Group g, long now) {
    boolean warm = now - takeoverNanos >= freshNanos; // every live instance has heartbeated
    if (!warm || g.getMode() == GroupMode.ALL_ACTIVE || best(g, now, g.getActive()).isPresent()) {
      withoutStandbySince.remove(g.getName());
    } else {
      withoutStandbySince.putIfAbsent(g.getName(), now);
    }
  }

  /** Marks the groups whose message changed as dirty; forgets removed groups and members. */
  private void diff(TandemState state) {
    Map<String, Group> groups = state.getGroupsMap();
    withActive = 0;
    for (Map.Entry<String, Group> e : groups.entrySet()) {
      withActive += e.getValue().getActive().isEmpty() ? 0 : 1;
      Group before = seen.put(e.getKey(), e.getValue());
      if (before != e.getValue()) {
        dirty.add(e.getKey());
        if (before != null && !before.getInstancesList().equals(e.getValue().getInstancesList())) {
          forgetRemovedInstances(e.getValue()); // only on membership-changing entries
        }
      }
    }
    if (seen.size() > groups.size()) {
      seen.keySet().retainAll(groups.keySet());
      leases.keySet().retainAll(groups.keySet());
      liveness.keySet().retainAll(groups.keySet());
      inFlight.keySet().retainAll(groups.keySet());
      pending.keySet().retainAll(groups.keySet());
      allActive.retainGroups(groups.keySet());
      held.keySet().retainAll(groups.keySet());
      firstHeld.retainAll(groups.keySet());
      decided.keySet().retainAll(groups.keySet());
      activationLeases.retainGroups(groups.keySet());
    }
    Map<String, GroupData> data = state.getGroupDataMap();
    for (Map.Entry<String, GroupData> e : data.entrySet()) {
      if (seenData.put(e.getKey(), e.getValue()) != e.getValue()) {
        dirty.add(e.getKey());
        currentRevisions.remove(e.getKey());
        Groups.currentRevision(state, e.getKey()).ifPresent(r -> currentRevisions.put(e.getKey(), r));
      }
    }
    if (seenData.size() > data.size()) {
      seenData.keySet().retainAll(data.keySet());
      currentRevisions.keySet().retainAll(data.keySet());
    }
  }

  /** When to look at {@code g} again without a change: its lease's end, a held retry, a release's deadline. */
  private void scheduleNext(Group g, long now) {
    String name = g.getName();
    if (held.containsKey(name) || firstHeld.contains(name)) {
      due.add(new Due(now + HELD_RETRY_NANOS, name));
    } else if (!g.getActive().isEmpty()) {
      LeaseRecord r = leases.get(name);
      if (r != null && r.token() == g.getToken()) {
        due.add(new Due(r.expiresAtNanos(), name));
      }
    }
    ReleaseRequest r = releases.get(name);
    if (r != null) {
      due.add(new Due(r.deadlineNanos(), name));
    }
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

  private Optional<Decision> decideGroup(Group g, long now, int withActive) {
    String holder = g.getActive();
    if (holder.isEmpty()) {
      if (g.getMaintenance()) {
        return Optional.empty();
      }
      Optional<String> ready = best(g, now, null);
      if (ready.isPresent() && g.getToken() == 0 && !firstActivations.admit(now)) {
        firstHeld.add(g.getName()); // never active yet: the renewals of existing actives come first
        return Optional.empty();
      }
      firstHeld.remove(g.getName());
      return ready.map(c -> Decisions.activate(g, c, "no active instance; \"" + c + "\" is ready", "no_active"));
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
    if (!fenced) {
      // Expiry-driven: held while the leader is degraded or too many expire at once.
      String holdReason = guard.admit(now, withActive);
      if (holdReason != null) {
        held.put(g.getName(), g.getToken());
        lastHoldReason = holdReason;
        return Optional.empty();
      }
    }
    held.remove(g.getName());
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
    Group g = lastState == null ? null : lastState.getGroupsMap().get(group);
    if (g != null) {
      noteRedundancy(g, now); // exact when asked; the sweep keeps "since" within a second otherwise
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
    if (l.runtime() == RuntimeState.RUNTIME_STATE_UNSPECIFIED) { // known from a fence report only
      return Optional.of("no heartbeat from " + instance + " since this coordinator became the leader"
          + " (only its report of a fenced token)");
    }
    if (l.runtime() != RuntimeState.RUNTIME_STANDBY) {
      return Optional.of(instance + "'s runtime is " + l.runtime().name().replace("RUNTIME_", "").toLowerCase()
          + ", not a loaded standby with flows stopped");
    }
    return Readiness.problem(instance, g.getCurrentRevision(), current, l.report());
  }

  /** All-active: lease left of member {@code instance} on this leader's clock; empty on a non-leader. */
  public synchronized Optional<Long> memberLeaseLeftMillis(String group, String instance, long now) {
    return leader ? Optional.of(allActive.leaseLeftMillis(group, instance, now, takeoverNanos)) : Optional.empty();
  }

  /** All-active: the members with a live lease on this leader (empty on a non-leader). */
  public synchronized List<String> leasedMembers(Group g, long now) {
    return leader ? allActive.leased(g, now, takeoverNanos) : List.of();
  }

  /** All-active: the instances whose last heartbeat wants {@code key}, sorted (leader only). */
  public synchronized List<String> wantedBy(String group, String key) {
    return AllActiveKeeper.wantedBy(liveness.getOrDefault(group, Map.of()), key);
  }

  /** The keys any instance's last heartbeat wants in {@code group} (leader only), sorted. */
  public synchronized java.util.SortedSet<String> wantedKeys(String group) {
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    liveness.getOrDefault(group, Map.of()).values().forEach(l -> out.addAll(l.report().wantedLocks()));
    return out;
  }

  /** The editor URL {@code instance} last reported ("" unknown). */
  public synchronized String editorUrl(String group, String instance) {
    Liveness l = liveness.getOrDefault(group, Map.of()).get(instance);
    return l == null ? "" : l.report().editorUrl();
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
