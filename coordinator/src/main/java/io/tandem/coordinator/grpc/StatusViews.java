package io.tandem.coordinator.grpc;

import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.lease.LeaseKeeper;
import io.tandem.coordinator.lease.Liveness;
import io.tandem.coordinator.ratis.FollowerProgress;
import io.tandem.coordinator.ratis.RaftNode;
import io.tandem.coordinator.state.Groups;
import io.tandem.proto.admin.ClusterStatusResponse;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.InstanceView;
import io.tandem.proto.admin.PeerInfo;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupMode;
import io.tandem.proto.state.Lock;
import io.tandem.proto.admin.LockView;
import io.tandem.proto.state.InstanceSpec;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only views for operators, built from this server's applied state. Lease and liveness
 * figures exist only on the leader (the keeper is leader-only); elsewhere they read -1/unknown.
 */
final class StatusViews {
  /** Role of a follower the leader has had no successful Raft RPC with for a while. */
  static final String UNREACHABLE = "UNREACHABLE";
  /**
   * No successful RPC for this long makes a follower UNREACHABLE: the leader sends a heartbeat at
   * least every 75 ms (half the minimum election timeout), so a live follower answers far sooner.
   */
  static final long UNREACHABLE_AFTER_MILLIS = 1000;

  private final ServiceContext ctx;

  StatusViews(ServiceContext ctx) {
    this.ctx = ctx;
  }

  ClusterStatusResponse cluster() {
    RaftNode raft = ctx.raft();
    Optional<String> leader = raft.leaderId();
    long commit = raft.commitIndex();
    ClusterStatusResponse.Builder b = ClusterStatusResponse.newBuilder()
        .setLeaderId(leader.orElse(""))
        .setLeaderAddress(leader.flatMap(raft::member).map(p -> p.grpc().toString()).orElse(""))
        .setTerm(raft.term())
        .setCommitIndex(commit)
        .setAnsweredBy(raft.selfId())
        .setAnsweredByRole(raft.role().name())
        .setAppliedIndex(raft.lastAppliedIndex())
        .setBehindLeader(raft.appliedBehindLeader().orElse(-1))
        .setInsecure(raft.config().tls().insecure());
    b.addAllPeers(peers());
    b.addAllGroups(groups());
    return b.build();
  }

  /** Role of a coordinator being added: a Raft listener, catching up, not a member yet. */
  static final String LISTENER = "LISTENER";

  /**
   * The coordinators of the running Raft configuration, with what the leader knows of each: the
   * members, then any listener (a coordinator being added, which counts for no majority and is not
   * handed to agents).
   */
  List<PeerInfo> peers() {
    RaftNode raft = ctx.raft();
    Optional<String> leader = raft.leaderId();
    boolean leading = raft.isLeaderReady();
    long commit = raft.commitIndex();
    Map<String, FollowerProgress> followers = leading ? raft.followerProgress() : Map.of();
    Map<String, Long> lastContact = leading ? raft.followerLastContactMillis() : Map.of();
    List<PeerInfo> out = new java.util.ArrayList<>();
    List<PeerConfig> listeners = raft.listeners();
    List<PeerConfig> all = new java.util.ArrayList<>(raft.members());
    all.addAll(listeners);
    for (PeerConfig p : all) {
      long contact = lastContact.getOrDefault(p.id(), -1L);
      // Lag: what the follower itself reported committed, from the leader's live follower
      // record (an emptied follower reads -1 until it has been sent the log again).
      boolean self = p.id().equals(raft.selfId());
      Optional<FollowerProgress> f = Optional.ofNullable(followers.get(p.id()));
      long match = self && leading ? commit : f.map(FollowerProgress::matchIndex).orElse(-1L);
      long lag = self && leading ? 0 : f.map(x -> x.lag(commit)).orElse(-1L);
      out.add(PeerInfo.newBuilder()
          .setId(p.id())
          .setRaftAddress(p.raft().toString())
          .setGrpcAddress(p.grpc().toString())
          .setRole(listeners.contains(p) ? LISTENER : role(raft, leader, p.id(), contact))
          .setMatchIndex(match)
          .setLag(lag)
          .setLastContactMillis(contact)
          .build());
    }
    return out;
  }

  /**
   * A follower the leader has not heard from for {@link #UNREACHABLE_AFTER_MILLIS} is shown as
   * UNREACHABLE (crashed, stopped or cut off), not as a FOLLOWER that merely lags.
   */
  private static String role(RaftNode raft, Optional<String> leader, String id, long contactMillis) {
    if (leader.isPresent() && leader.get().equals(id)) {
      return "LEADER";
    }
    if (id.equals(raft.selfId())) {
      return raft.role().name();
    }
    if (contactMillis > UNREACHABLE_AFTER_MILLIS) {
      return UNREACHABLE;
    }
    return leader.isPresent() ? "FOLLOWER" : "UNKNOWN";
  }

  List<GroupView> groups() {
    return ctx.raft().stateMachine().state().getGroupsMap().values().stream()
        .sorted(Comparator.comparing(Group::getName))
        .map(this::group)
        .toList();
  }

  GroupView group(Group g) {
    LeaseKeeper keeper = ctx.keeper();
    long now = ctx.nanos().getAsLong();
    GroupView.Builder b = GroupView.newBuilder()
        .setName(g.getName())
        .setActive(g.getActive())
        .setToken(g.getToken())
        .setMaintenance(g.getMaintenance())
        .setCurrentRevision(g.getCurrentRevision())
        .setLeaseLeftMillis(keeper.leaseLeftMillis(g, now).orElse(-1L))
        .setWithoutReadyStandbyMillis(keeper.withoutReadyStandbyNanos(g.getName(), now).isPresent()
            ? keeper.withoutReadyStandbyNanos(g.getName(), now).getAsLong() / 1_000_000 : -1L);
    FlowsRevision current = Groups.currentRevision(ctx.raft().stateMachine().state(), g.getName()).orElse(null);
    if (g.getMode() == GroupMode.ALL_ACTIVE) {
      return allActive(g, b, current, now);
    }
    b.setMode("active-standby");
    int ready = 0;
    for (InstanceSpec i : g.getInstancesList()) {
      Optional<Liveness> live = keeper.liveness(g.getName(), i.getId());
      Optional<String> notReady = i.getId().equals(g.getActive()) ? Optional.empty()
          : keeper.notReadyReason(g, current, i.getId(), now, false);
      boolean isReady = !i.getId().equals(g.getActive()) && notReady.isEmpty();
      if (isReady) {
        ready++;
      }
      b.addInstances(InstanceView.newBuilder()
          .setId(i.getId())
          .setHost(i.getHost())
          .setPriority(i.getPriority())
          .setNoFailover(i.getNoFailover())
          .setRuntime(live.map(l -> runtimeName(l.runtime())).orElse("unknown"))
          .setReady(isReady)
          .setHeartbeatAgeMillis(live.map(l -> (now - l.lastHeardNanos()) / 1_000_000).orElse(-1L))
          .setFencedToken(live.map(Liveness::fencedToken).orElse(0L))
          .setLoadedRevision(live.map(l -> l.report().loadedRevision()).orElse(0L))
          .setNotReadyReason(notReady.orElse(""))
          .setNodeRedVersion(live.map(l -> l.report().nodeRedVersion()).orElse(""))
          .setRuntimePid(live.map(l -> l.report().runtimePid()).orElse(0L)));
    }
    return b.setStandbysReady(ready).build();
  }

  /** All-active: "ready" is a live member lease on the leader; every lock and every wanted key. */
  private GroupView allActive(Group g, GroupView.Builder b, FlowsRevision current, long now) {
    LeaseKeeper keeper = ctx.keeper();
    b.setMode("all-active").setLeaseLeftMillis(-1).setWithoutReadyStandbyMillis(-1);
    int leased = 0;
    for (InstanceSpec i : g.getInstancesList()) {
      Optional<Liveness> live = keeper.liveness(g.getName(), i.getId());
      long left = keeper.memberLeaseLeftMillis(g.getName(), i.getId(), now).orElse(-1L);
      if (left > 0) {
        leased++;
      }
      String why = !keeper.isLeader() ? "readiness is known on the leader only"
          : left > 0 ? "" : live.isEmpty() ? "no heartbeat from " + i.getId() + " since this coordinator became the leader"
              : "no live lease (" + live.get().runtime().name().replace("RUNTIME_", "").toLowerCase()
                  + ", loaded revision " + live.get().report().loadedRevision() + ")";
      b.addInstances(InstanceView.newBuilder()
          .setId(i.getId())
          .setHost(i.getHost())
          .setPriority(i.getPriority())
          .setNoFailover(i.getNoFailover())
          .setRuntime(live.map(l -> runtimeName(l.runtime())).orElse("unknown"))
          .setReady(left > 0)
          .setHeartbeatAgeMillis(live.map(l -> (now - l.lastHeardNanos()) / 1_000_000).orElse(-1L))
          .setFencedToken(live.map(Liveness::fencedToken).orElse(0L))
          .setLoadedRevision(live.map(l -> l.report().loadedRevision()).orElse(0L))
          .setNotReadyReason(why));
    }
    b.setStandbysReady(leased);
    long wall = ctx.wallMillis().getAsLong();
    java.util.SortedSet<String> keys = keeper.wantedKeys(g.getName());
    g.getLocksList().forEach(l -> keys.add(l.getKey()));
    for (String key : keys) {
      Optional<Lock> l = Groups.lock(g, key);
      boolean held = l.isPresent() && !l.get().getHolder().isEmpty();
      b.addLocks(LockView.newBuilder()
          .setKey(key)
          .setHolder(l.map(Lock::getHolder).orElse(""))
          .setToken(l.map(Lock::getToken).orElse(0L))
          .setHeldForMillis(held ? Math.max(0, wall - l.get().getAcquiredUnixMillis()) : -1)
          .addAllWantedBy(keeper.wantedBy(g.getName(), key)));
    }
    return b.build();
  }

  private static String runtimeName(RuntimeState s) {
    return switch (s) {
      case RUNTIME_DOWN -> "down";
      case RUNTIME_STARTING -> "starting";
      case RUNTIME_STANDBY -> "standby";
      case RUNTIME_RUNNING -> "running";
      case RUNTIME_HUNG -> "hung";
      default -> "unknown";
    };
  }
}
