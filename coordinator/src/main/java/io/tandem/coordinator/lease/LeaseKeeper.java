package io.tandem.coordinator.lease;

import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.Activate;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.Deactivate;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.TandemState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The leader-only lease keeper (DESIGN.md, "Liveness and leases"). Everything here is in memory
 * and measured on the monotonic clock passed in as {@code now} (nanoseconds); nothing is written
 * to the log per heartbeat. Only decisions (activations, deactivations) are proposed, always as
 * compare-and-set on the group's token.
 *
 * <p>Thread-safe; every method is cheap.
 */
public final class LeaseKeeper {
  private record LeaseRecord(String holder, long token, long expiresAtNanos) {}

  private final long leaseNanos;
  private final long freshNanos;
  private boolean leader;
  private long takeoverNanos;
  private final Map<String, Map<String, Liveness>> liveness = new HashMap<>();
  private final Map<String, LeaseRecord> leases = new HashMap<>();
  private final Map<String, ReleaseRequest> releases = new HashMap<>();
  private final Set<String> inFlight = new HashSet<>();

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
    releases.values().forEach(
        r -> r.done().completeExceptionally(new IllegalStateException("leadership lost during switchover")));
    releases.clear();
  }

  public synchronized boolean isLeader() {
    return leader;
  }

  /**
   * Records a heartbeat and renews the sender's lease if it is the committed active of {@code
   * group} and has not fenced itself for the current token. {@code now} must be taken after this
   * server's leadership was confirmed for the heartbeat.
   */
  public synchronized Grant heartbeat(
      String groupName,
      String instance,
      RuntimeState runtime,
      long runningToken,
      long fencedToken,
      Optional<Group> committed,
      long now) {
    if (!leader) {
      return Grant.NONE;
    }
    Map<String, Liveness> byInstance = liveness.computeIfAbsent(groupName, g -> new HashMap<>());
    Liveness prev = byInstance.get(instance);
    Liveness live =
        prev == null
            ? Liveness.first(runtime, now, runningToken, fencedToken)
            : prev.heard(runtime, now, runningToken, fencedToken);
    byInstance.put(instance, live);
    if (committed.isEmpty()) {
      return Grant.NONE;
    }
    Group g = committed.get();
    if (!g.getActive().equals(instance) || live.fencedToken() >= g.getToken()) {
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
        prev == null ? Liveness.first(RuntimeState.RUNTIME_STATE_UNSPECIFIED, now, 0, 0) : prev;
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

  /** The proposals to make now. Groups with a proposal in flight are skipped. */
  public synchronized List<Decision> decide(TandemState state, long now) {
    List<Decision> out = new ArrayList<>();
    if (!leader) {
      return out;
    }
    leases.keySet().retainAll(state.getGroupsMap().keySet());
    liveness.keySet().retainAll(state.getGroupsMap().keySet());
    for (Group g : state.getGroupsMap().values()) {
      if (inFlight.contains(g.getName())) {
        continue;
      }
      expireRelease(g, now);
      Optional<Decision> d = decideGroup(g, now);
      d.ifPresent(
          decision -> {
            inFlight.add(g.getName());
            out.add(decision);
          });
    }
    return out;
  }

  private void expireRelease(Group g, long now) {
    ReleaseRequest r = releases.get(g.getName());
    if (r == null) {
      return;
    }
    if (r.token() != g.getToken()) {
      releases.remove(g.getName());
      if (g.getActive().equals(r.to())) {
        // completed by the activation; the watcher of the log completes `done`.
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
          .map(c -> activate(g, c, "no active instance; \"" + c + "\" is ready", "no_active"));
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
    if (release != null && release.token() == g.getToken()) {
      if (!fenced) {
        return Optional.empty(); // waiting for the holder to confirm its stop
      }
      String to = isReady(g, release.to(), now, true) ? release.to() : best(g, now, holder).orElse(null);
      if (to != null) {
        return Optional.of(activate(g, to,
            "planned switchover from \"" + holder + "\" to \"" + to + "\"", "switchover"));
      }
    }
    if (g.getMaintenance()) {
      return Optional.empty();
    }
    boolean expired = now - lease.expiresAtNanos() >= 0;
    if (!fenced && !expired) {
      return Optional.empty();
    }
    String why =
        fenced
            ? "\"" + holder + "\" fenced itself (" + reasonText(live.fenceReason()) + ")"
            : "the lease of \"" + holder + "\" expired";
    String cause = fenced ? causeTag(live.fenceReason()) : "lease_expired";
    Optional<String> candidate = best(g, now, null);
    if (candidate.isPresent()) {
      return Optional.of(activate(g, candidate.get(), why + "; \"" + candidate.get() + "\" takes over", cause));
    }
    Command c =
        Command.newBuilder()
            .setDeactivate(
                Deactivate.newBuilder()
                    .setGroup(g.getName())
                    .setExpectedToken(g.getToken())
                    .setReason(why + "; no ready standby"))
            .build();
    return Optional.of(new Decision(g.getName(), c, cause));
  }

  private static String reasonText(FenceReason r) {
    return r == null || r == FenceReason.FENCE_REASON_UNSPECIFIED ? "reported in heartbeat" : r.name().toLowerCase().replace('_', ' ');
  }

  private static String causeTag(FenceReason r) {
    return r == null || r == FenceReason.FENCE_REASON_UNSPECIFIED ? "fenced" : r.name().toLowerCase();
  }

  private Decision activate(Group g, String instance, String reason, String cause) {
    Command c =
        Command.newBuilder()
            .setActivate(
                Activate.newBuilder()
                    .setGroup(g.getName())
                    .setInstance(instance)
                    .setExpectedToken(g.getToken())
                    .setReason(reason))
            .build();
    return new Decision(g.getName(), c, cause);
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

  /** Best ready instance other than the current active (for a switchover without a target). */
  public synchronized Optional<String> bestStandby(Group g, long now) {
    return best(g, now, g.getActive());
  }

  /**
   * Ready: a fresh heartbeat says its runtime is loaded with flows stopped, and it is not
   * fenced for the current token. {@code manual} allows instances flagged no_failover.
   */
  public synchronized boolean isReady(Group g, String instance, long now, boolean manual) {
    Optional<InstanceSpec> spec =
        g.getInstancesList().stream().filter(i -> i.getId().equals(instance)).findFirst();
    if (spec.isEmpty() || (!manual && spec.get().getNoFailover())) {
      return false;
    }
    Liveness l = liveness.getOrDefault(g.getName(), Map.of()).get(instance);
    return l != null
        && l.runtime() == RuntimeState.RUNTIME_STANDBY
        && l.ageNanos(now) <= freshNanos;
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
