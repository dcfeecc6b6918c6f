package io.tandem.coordinator.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tandem.coordinator.ratis.NotLeader;
import io.tandem.coordinator.ratis.TandemStateMachine;
import io.tandem.proto.admin.AddInstanceRequest;
import io.tandem.proto.admin.AddMemberRequest;
import io.tandem.proto.admin.MembersResponse;
import io.tandem.proto.admin.RemoveMemberRequest;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.ClusterStatusResponse;
import io.tandem.proto.admin.CreateGroupRequest;
import io.tandem.proto.admin.DeleteGroupRequest;
import io.tandem.proto.admin.ExportFlowsRequest;
import io.tandem.proto.admin.FlowsHistoryRequest;
import io.tandem.proto.admin.FlowsHistoryResponse;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.HistoryRequest;
import io.tandem.proto.admin.HistoryResponse;
import io.tandem.proto.admin.ImportFlowsRequest;
import io.tandem.proto.admin.ListContextRequest;
import io.tandem.proto.admin.ListContextResponse;
import io.tandem.proto.admin.ListGroupsRequest;
import io.tandem.proto.admin.ListGroupsResponse;
import io.tandem.proto.admin.RemoveInstanceRequest;
import io.tandem.proto.admin.RequestOutcomeRequest;
import io.tandem.proto.admin.RequestOutcomeResponse;
import io.tandem.proto.admin.RollbackFlowsRequest;
import io.tandem.proto.admin.SetMaintenanceRequest;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.admin.SwitchoverResponse;
import io.tandem.proto.admin.TransitionEvent;
import io.tandem.proto.admin.WatchRequest;
import io.tandem.proto.admin.WriteResponse;
import io.tandem.proto.state.AddInstance;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.CreateGroup;
import io.tandem.proto.state.DeleteGroup;
import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.RemoveInstance;
import io.tandem.proto.state.SetMaintenance;
import io.tandem.proto.state.Transition;
import java.util.List;
import java.util.function.Supplier;

/**
 * The operators' API. Reads are answered by any coordinator from its applied state, once it holds
 * everything committed before the read arrived (lease figures come from the leader only). Writes
 * are validated here, before the log, then proposed on the leader; a follower answers
 * UNAVAILABLE with the leader's address.
 */
public final class AdminServiceImpl extends AdminServiceGrpc.AdminServiceImplBase {
  private final ServiceContext ctx;
  private final StatusViews views;
  private final Switchovers switchovers;
  private final RequestOutcomes outcomes;
  private final FlowsAdmin flows;
  private final MemberChanges members;

  public AdminServiceImpl(ServiceContext ctx) {
    this.ctx = ctx;
    this.views = new StatusViews(ctx);
    this.switchovers = new Switchovers(ctx);
    this.outcomes = new RequestOutcomes(ctx, switchovers);
    this.flows = new FlowsAdmin(ctx);
    this.members = new MemberChanges(ctx, views);
  }

  @Override
  public void addMember(AddMemberRequest req, StreamObserver<MembersResponse> out) {
    members.add(req, out);
  }

  @Override
  public void removeMember(RemoveMemberRequest req, StreamObserver<MembersResponse> out) {
    members.remove(req, out);
  }

  @Override
  public void flowsHistory(FlowsHistoryRequest req, StreamObserver<FlowsHistoryResponse> out) {
    read(out, () -> flows.history(req));
  }

  @Override
  public void exportFlows(ExportFlowsRequest req, StreamObserver<FlowsRevision> out) {
    read(out, () -> flows.export(req));
  }

  @Override
  public void importFlows(ImportFlowsRequest req, StreamObserver<WriteResponse> out) {
    flows.importFlows(req, out);
  }

  @Override
  public void rollbackFlows(RollbackFlowsRequest req, StreamObserver<WriteResponse> out) {
    flows.rollback(req, out);
  }

  /** Must be registered with the state machine so switchovers complete on their commit. */
  public TandemStateMachine.AppliedListener switchoverListener() {
    return switchovers;
  }

  @Override
  public void clusterStatus(ClusterStatusRequest req, StreamObserver<ClusterStatusResponse> out) {
    answer(out, views::cluster);
  }

  @Override
  public void listGroups(ListGroupsRequest req, StreamObserver<ListGroupsResponse> out) {
    read(out, () -> ListGroupsResponse.newBuilder().addAllGroups(views.groups()).build());
  }

  @Override
  public void getGroup(GetGroupRequest req, StreamObserver<GroupView> out) {
    read(out, () -> views.group(existing(req.getGroup())));
  }

  @Override
  public void history(HistoryRequest req, StreamObserver<HistoryResponse> out) {
    read(out, () -> {
      if (req.getLimit() < 0) {
        throw Errors.invalid("limit must not be negative");
      }
      List<Transition> all = existing(req.getGroup()).getHistoryList();
      int from = req.getLimit() == 0 ? 0 : Math.max(0, all.size() - req.getLimit());
      return HistoryResponse.newBuilder().addAllTransitions(all.subList(from, all.size())).build();
    });
  }

  @Override
  public void watch(WatchRequest req, StreamObserver<TransitionEvent> out) {
    try {
      if (!req.getGroup().isEmpty()) {
        Requests.name("group", req.getGroup());
      }
      ctx.watch().watchTransitions(req.getGroup(), (ServerCallStreamObserver<TransitionEvent>) out);
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
    }
  }

  @Override
  public void createGroup(CreateGroupRequest req, StreamObserver<WriteResponse> out) {
    write(out, req.getRequestId(), () -> {
      Requests.name("group", req.getGroup());
      Requests.instances(req.getInstancesList());
      if (req.getMode() == io.tandem.proto.state.GroupMode.UNRECOGNIZED) {
        throw Errors.invalid("mode is not a known group mode (ACTIVE_STANDBY or ALL_ACTIVE)");
      }
      return Command.newBuilder().setCreateGroup(
          CreateGroup.newBuilder().setGroup(req.getGroup()).addAllInstances(req.getInstancesList())
              .setMode(req.getMode()));
    });
  }

  @Override
  public void deleteGroup(DeleteGroupRequest req, StreamObserver<WriteResponse> out) {
    write(out, req.getRequestId(), () -> {
      Requests.name("group", req.getGroup());
      return Command.newBuilder().setDeleteGroup(DeleteGroup.newBuilder().setGroup(req.getGroup()));
    });
  }

  @Override
  public void addInstance(AddInstanceRequest req, StreamObserver<WriteResponse> out) {
    write(out, req.getRequestId(), () -> {
      Requests.name("group", req.getGroup());
      Requests.instance("instance", req.getInstance());
      return Command.newBuilder().setAddInstance(
          AddInstance.newBuilder().setGroup(req.getGroup()).setInstance(req.getInstance()));
    });
  }

  @Override
  public void removeInstance(RemoveInstanceRequest req, StreamObserver<WriteResponse> out) {
    write(out, req.getRequestId(), () -> {
      Requests.name("group", req.getGroup());
      Requests.name("instance", req.getInstance());
      return Command.newBuilder().setRemoveInstance(
          RemoveInstance.newBuilder().setGroup(req.getGroup()).setInstance(req.getInstance()));
    });
  }

  @Override
  public void setMaintenance(SetMaintenanceRequest req, StreamObserver<WriteResponse> out) {
    write(out, req.getRequestId(), () -> {
      Requests.name("group", req.getGroup());
      return Command.newBuilder().setSetMaintenance(SetMaintenance.newBuilder()
          .setGroup(req.getGroup()).setOn(req.getOn())
          .setReason(req.getOn() ? "maintenance on (operator)" : "maintenance off (operator)"));
    });
  }

  @Override
  public void switchover(SwitchoverRequest req, StreamObserver<SwitchoverResponse> out) {
    try {
      switchovers.start(req).whenComplete((r, err) -> {
        if (err != null) {
          out.onError(ctx.errors().of(err));
        } else {
          out.onNext(r);
          out.onCompleted();
        }
      });
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
    }
  }

  @Override
  public void restartInstance(io.tandem.proto.admin.RestartInstanceRequest req,
      StreamObserver<io.tandem.proto.admin.RestartInstanceResponse> out) {
    try {
      Restarts.check(req);
      if (!ctx.raft().isLeaderReady() || !ctx.keeper().isLeader()) {
        throw new NotLeader(ctx.raft().leaderId().filter(id -> !id.equals(ctx.raft().selfId())));
      }
      ctx.raft().readGroup(req.getGroup())
          .thenCompose(g -> ctx.restarts().start(req,
              g.orElseThrow(() -> Errors.notFound("group \"" + req.getGroup() + "\" does not exist")),
              io.tandem.coordinator.state.Groups.currentRevision(ctx.raft().stateMachine().state(),
                  req.getGroup()).orElse(null),
              ctx.keeper(), ctx.nanos().getAsLong()))
          .whenComplete((r, err) -> {
            if (err != null) {
              out.onError(ctx.errors().of(err));
            } else {
              out.onNext(r);
              out.onCompleted();
            }
          });
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
    }
  }

  @Override
  public void listContext(ListContextRequest req, StreamObserver<ListContextResponse> out) {
    read(out, () -> {
      Requests.name("group", req.getGroup());
      if (!req.getScope().isEmpty()) {
        ContextRequests.scope("scope", req.getScope());
      }
      return ContextCalls.list(ctx.raft().stateMachine().state(), req, ctx.raft().config().context());
    });
  }

  @Override
  public void requestOutcome(RequestOutcomeRequest req, StreamObserver<RequestOutcomeResponse> out) {
    answer(out, () -> outcomes.find(req));
  }

  /** How long a read waits for {@link RaftNode#confirmApplied} before it redirects to the leader. */
  private static final long READ_CONFIRM_MS = 3_000;

  /**
   * Answers a read from this server's applied state once that state holds every entry committed
   * before the request arrived ({@link RaftNode#confirmApplied}: on a follower, Ratis' ReadIndex
   * from the leader), so that no coordinator answers with an older state than one the cluster
   * already acknowledged; a follower learns of a commit only with the leader's next append, and
   * right after a failover it still named the old active. A follower that is catching up, or
   * knows no leader, redirects at once ({@link #upToDate}); one that cannot confirm within {@link #READ_CONFIRM_MS}
   * redirects then, saying why.
   */
  private <T> void read(StreamObserver<T> out, Supplier<T> body) {
    try {
      upToDate();
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    ctx.raft().confirmApplied()
        .orTimeout(READ_CONFIRM_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
        .whenCompleteAsync((v, err) -> {
          if (err != null) {
            out.onError(ctx.errors().of(notConfirmed(err)));
            return;
          }
          answer(out, body);
        }, CallerLane.current());
  }

  private Throwable notConfirmed(Throwable err) {
    Throwable t = Errors.unwrap(err);
    if (t instanceof NotLeader || ctx.raft().isLeaderReady()) {
      return t;
    }
    String what = t instanceof java.util.concurrent.TimeoutException
        ? "no answer within " + READ_CONFIRM_MS + " ms"
        : t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return new NotLeader(ctx.raft().leaderId(), "could not confirm with the leader that its state is current ("
        + what + ")");
  }

  /**
   * A follower behind the leader by more than this many entries is catching up (a replaced disk, a
   * restart) and redirects reads at once; a smaller gap (an entry committed a moment ago, not yet
   * applied here) is waited for by {@link #read}.
   */
  static final long CATCHING_UP_ENTRIES = 100;

  /**
   * A follower that knows no leader, or is catching up ({@link #CATCHING_UP_ENTRIES}), never answers
   * a read: it redirects to the leader instead, saying why, rather than make the caller wait.
   */
  private void upToDate() {
    if (ctx.raft().isLeaderReady()) {
      return;
    }
    var behind = ctx.raft().appliedBehindLeader();
    if (behind.isEmpty()) {
      throw new NotLeader(ctx.raft().leaderId(), "knows no leader, so its groups may be stale");
    }
    if (behind.getAsLong() > CATCHING_UP_ENTRIES) {
      throw new NotLeader(ctx.raft().leaderId(), "is " + behind.getAsLong()
          + " entries behind the leader (applied index " + ctx.raft().lastAppliedIndex() + ")");
    }
  }

  private Group existing(String name) {
    Requests.name("group", name);
    Group g = ctx.raft().stateMachine().state().getGroupsMap().get(name);
    if (g == null) {
      throw Errors.notFound("group \"" + name + "\" does not exist");
    }
    return g;
  }

  private void write(StreamObserver<WriteResponse> out, String requestId,
      Supplier<Command.Builder> validated) {
    Command command;
    try {
      Requests.requestId(requestId);
      command = validated.get()
          .setRequestId(requestId)
          .setStampedUnixMillis(ctx.wallMillis().getAsLong())
          .build();
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    ctx.raft().submit(command).whenComplete((result, err) -> {
      if (err != null) {
        out.onError(ctx.errors().of(err));
      } else if (result.getOutcome() != Outcome.OK) {
        out.onError(Errors.outcome(result));
      } else {
        out.onNext(WriteResponse.newBuilder()
            .setIndex(result.getIndex())
            .setMessage(result.getMessage())
            .setActive(result.getActive())
            .setToken(result.getToken())
            .build());
        out.onCompleted();
      }
    });
  }

  private <T> void answer(StreamObserver<T> out, Supplier<T> body) {
    T value;
    try {
      value = body.get();
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    out.onNext(value);
    out.onCompleted();
  }
}
