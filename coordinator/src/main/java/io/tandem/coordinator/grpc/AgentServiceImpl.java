package io.tandem.coordinator.grpc;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tandem.coordinator.lease.Grant;
import io.tandem.coordinator.lease.RuntimeReport;
import io.tandem.coordinator.ratis.NotLeader;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.DeployRequest;
import io.tandem.proto.agent.DeployResponse;
import io.tandem.proto.agent.GetGroupDataRequest;
import io.tandem.proto.agent.GroupDataResponse;
import io.tandem.proto.agent.PutEditorDataRequest;
import io.tandem.proto.agent.PutEditorDataResponse;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.FencedAck;
import io.tandem.proto.agent.FencedReport;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.ReleaseLockRequest;
import io.tandem.proto.agent.ReleaseLockResponse;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.agent.WatchGroupRequest;
import io.tandem.proto.agent.GetContextRequest;
import io.tandem.proto.agent.WriteContextRequest;
import io.tandem.proto.agent.WriteContextResponse;
import io.tandem.proto.state.ContextSnapshot;
import io.tandem.proto.state.Group;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The agents' API. Served by the ready leader only; a follower fails every call with UNAVAILABLE
 * and the leader's address (see {@link Errors}). A lease is granted only after a linearizable
 * read of the group confirmed this server's leadership, and measured from a clock reading taken
 * after that read.
 */
public final class AgentServiceImpl extends AgentServiceGrpc.AgentServiceImplBase {
  private final ServiceContext ctx;

  private final GroupDataCalls groupData;
  private final ContextCalls context;
  private final LockCalls locks;

  private final HeartbeatShedder shedder;

  /** Heartbeats in handling at once before the leader sheds load (docs/coordinator.md). */
  public static final int DEFAULT_MAX_PENDING_HEARTBEATS = HeartbeatShedder.DEFAULT_MAX_PENDING;

  public AgentServiceImpl(ServiceContext ctx) {
    this(ctx, HeartbeatShedder.DEFAULT_MAX_PENDING, Duration.ofMillis(250));
  }

  /**
   * @param maxPendingHeartbeats heartbeats in handling at once before load is shed
   * @param renewInterval the agents' heartbeat interval (the retry-after hint when shedding)
   */
  public AgentServiceImpl(ServiceContext ctx, int maxPendingHeartbeats, Duration renewInterval) {
    this.ctx = ctx;
    this.shedder = new HeartbeatShedder(ctx.keeper().health(), maxPendingHeartbeats, renewInterval);
    this.groupData = new GroupDataCalls(ctx, this::checkLeader);
    this.context = new ContextCalls(ctx, this::checkLeader, groupData);
    this.locks = new LockCalls(ctx, this::checkLeader);
  }

  @Override
  public void writeContext(WriteContextRequest req, StreamObserver<WriteContextResponse> out) {
    context.write(req, out);
  }

  @Override
  public void getContext(GetContextRequest req, StreamObserver<ContextSnapshot> out) {
    context.get(req, out);
  }

  @Override
  public void deploy(DeployRequest req, StreamObserver<DeployResponse> out) {
    groupData.deploy(req, out);
  }

  @Override
  public void getGroupData(GetGroupDataRequest req, StreamObserver<GroupDataResponse> out) {
    groupData.getGroupData(req, out);
  }

  @Override
  public void putEditorData(PutEditorDataRequest req, StreamObserver<PutEditorDataResponse> out) {
    groupData.putEditorData(req, out);
  }

  @Override
  public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> out) {
    long arrived = ctx.nanos().getAsLong();
    java.util.concurrent.Executor lane = CallerLane.current();
    try {
      Requests.name("group", req.getGroup());
      Requests.name("instance", req.getInstance());
      Requests.token("running_token", req.getRunningToken());
      Requests.token("fenced_token", req.getFencedToken());
      FlowsRequests.revision("loaded_revision", req.getLoadedRevision());
      FlowsRequests.details("not_ready_detail", req.getNotReadyDetail(), req.getModulesList(), req.getCredentialKeyDigest());
      Requests.lockKeys("wanted_locks", req.getWantedLocksList());
      Requests.editorUrl(req.getEditorUrl());
      if (req.getRuntime() == RuntimeState.RUNTIME_STATE_UNSPECIFIED
          || req.getRuntime() == RuntimeState.UNRECOGNIZED) {
        throw Errors.invalid("runtime is required (DOWN, STARTING, STANDBY, RUNNING or HUNG)");
      }
      checkLeader();
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    StatusRuntimeException shed = shedder.admit(req.getGroup(), req.getInstance(),
        io.tandem.client.CoordinatorEndpoints.runsFlows(req.getRuntime(), req.getRunningToken()), arrived);
    if (shed != null) {
      out.onError(shed); // at once, not after the agent's deadline
      return;
    }
    // after the shared read, go on in this call's lane: the batch's actives are handled first
    ctx.raft().readGroupShared(req.getGroup()).whenCompleteAsync((group, err) -> {
      shedder.done();
      if (err != null) {
        out.onError(ctx.errors().of(err));
        return;
      }
      long now = ctx.nanos().getAsLong(); // after the read confirmed leadership
      ctx.keeper().health().heartbeatDelay(now - arrived, now);
      RuntimeReport report = new RuntimeReport(req.getLoadedRevision(), req.getModulesList(),
          req.getCredentialKeyDigest(), req.getNotReadyDetail(), java.util.Set.copyOf(req.getWantedLocksList()),
          req.getEditorUrl(), req.getNodeRedVersion(), req.getRuntimePid());
      Grant grant = ctx.keeper().heartbeat(req.getGroup(), req.getInstance(), req.getRuntime(),
          req.getRunningToken(), req.getFencedToken(), report, group, req.getHeartbeatSeq(), now);
      ctx.onHeartbeat().run();
      var restart = ctx.restarts().onHeartbeat(req, group, () -> io.tandem.coordinator.state.Groups
          .currentRevision(ctx.raft().stateMachine().state(), req.getGroup()).orElse(null), ctx.keeper(), now);
      HeartbeatResponse.Builder answer = HeartbeatResponse.newBuilder();
      restart.ifPresent(answer::setRestart);
      out.onNext(answer
          .setAssignment(Assignments.of(req.getGroup(), group,
              Assignments.activeEditorUrl(ctx.keeper(), req.getGroup(), group)))
          .setLeaseMillis(grant.leaseMillis())
          .setReleaseRequested(grant.releaseRequested())
          .setCommitIndex(ctx.raft().commitIndex())
          .setLeaderId(ctx.raft().selfId())
          .setRefusal(grant.leaseMillis() > 0 ? "" : refusal(req, group))
          .addAllCoordinators(coordinators())
          .build());
      out.onCompleted();
    }, lane);
  }

  /** The gRPC addresses of the running Raft configuration's coordinators (agents learn them). */
  private List<String> coordinators() {
    try {
      return ctx.raft().members().stream().map(m -> m.grpc().toString()).toList();
    } catch (RuntimeException e) {
      return List.of(); // Raft closing: the agent keeps the addresses it has
    }
  }

  /**
   * Why {@code req}'s sender got no lease, when that is not simply because it is a standby: the
   * agent logs each new reason once and shows it in /status, so a misconfigured or removed
   * instance does not go unnoticed.
   */
  static String refusal(HeartbeatRequest req, Optional<Group> group) {
    String g = req.getGroup();
    String i = req.getInstance();
    if (group.isEmpty()) {
      return "group \"" + g + "\" does not exist: create it (tandemctl group create " + g
          + " --instance " + i + ") or fix group: in the agent's configuration";
    }
    Group x = group.get();
    if (x.getInstancesList().stream().noneMatch(s -> s.getId().equals(i))) {
      String members = x.getInstancesList().stream().map(s -> s.getId())
          .collect(Collectors.joining(", "));
      return "instance \"" + i + "\" is not a member of group \"" + g + "\" (members: "
          + (members.isEmpty() ? "none" : members) + "): add it (tandemctl instance add " + g + " " + i
          + ") or fix instance: in the agent's configuration";
    }
    if (x.getMode() == io.tandem.proto.state.GroupMode.ALL_ACTIVE) {
      return "no lease in the all-active group \"" + g + "\": the runtime must be loaded (standby or running) with"
          + " the group's current revision " + x.getCurrentRevision() + " (it reports revision "
          + req.getLoadedRevision() + ", runtime " + req.getRuntime().name().replace("RUNTIME_", "").toLowerCase()
          + (req.getNotReadyDetail().isEmpty() ? "" : ", " + req.getNotReadyDetail())
          + "), or its lease ran out on the leader or it fenced itself and still holds a lock being handed on";
    }
    if (!x.getActive().equals(i) || req.getFencedToken() >= x.getToken()) {
      // a standby holds no lease by design; an active that fenced itself (a switchover, a crash)
      // knows why, and the assignment moves on
      return "";
    }
    return "the lease for token " + x.getToken() + " is not renewed (it ran out on the leader, "
        + "or this coordinator only just became the leader); a failover may be under way";
  }

  @Override
  public void reportFenced(FencedReport req, StreamObserver<FencedAck> out) {
    try {
      Requests.name("group", req.getGroup());
      Requests.name("instance", req.getInstance());
      Requests.token("token", req.getToken());
      if (req.getReason() == FenceReason.UNRECOGNIZED) {
        throw Errors.invalid("reason is not a known FenceReason");
      }
      checkLeader();
      ctx.keeper().fenced(req.getGroup(), req.getInstance(), req.getToken(), req.getReason(),
          ctx.nanos().getAsLong());
      ctx.kickTicker().run();
      out.onNext(FencedAck.newBuilder().setCommitIndex(ctx.raft().commitIndex()).build());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
    }
  }

  @Override
  public void releaseLock(ReleaseLockRequest req, StreamObserver<ReleaseLockResponse> out) {
    locks.release(req, out);
  }

  @Override
  public void watchGroup(WatchGroupRequest req, StreamObserver<GroupUpdate> out) {
    try {
      Requests.name("group", req.getGroup());
      if (!req.getInstance().isEmpty()) {
        Requests.name("instance", req.getInstance());
      }
      checkLeader();
      ctx.watch().watchGroup(req.getGroup(), req.getInstance(), (ServerCallStreamObserver<GroupUpdate>) out);
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
    }
  }

  private void checkLeader() {
    if (!ctx.raft().isLeaderReady() || !ctx.keeper().isLeader()) {
      throw new NotLeader(ctx.raft().leaderId().filter(id -> !id.equals(ctx.raft().selfId())));
    }
  }
}
