package io.tandem.coordinator.grpc;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tandem.coordinator.state.Groups;
import io.tandem.proto.agent.DeployRequest;
import io.tandem.proto.agent.DeployResponse;
import io.tandem.proto.agent.GetGroupDataRequest;
import io.tandem.proto.agent.GroupDataResponse;
import io.tandem.proto.agent.PutEditorDataRequest;
import io.tandem.proto.agent.PutEditorDataResponse;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.EditorDataKind;
import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupMode;
import io.tandem.proto.state.GroupData;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.PutEditorData;
import io.tandem.proto.state.SetFlows;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The agents' group-data calls (DESIGN.md, "The group's data"): Deploy, GetGroupData and
 * PutEditorData. Validated before the log; a deploy from an instance that is not the active
 * under the token it sent is refused before its (possibly 16 MB) flows are proposed. The state
 * machine checks token and revision again (compare-and-set), and its refusal is mapped by {@link
 * Errors#flowsRefused}.
 */
final class GroupDataCalls {
  private final ServiceContext ctx;
  private final Runnable checkLeader;

  GroupDataCalls(ServiceContext ctx, Runnable checkLeader) {
    this.ctx = ctx;
    this.checkLeader = checkLeader;
  }

  /** The checks of a deploy's fields before anything reaches the log; failures are INVALID_ARGUMENT. */
  static void check(DeployRequest req) {
    Requests.name("group", req.getGroup());
    Requests.name("instance", req.getInstance());
    Requests.token("token", req.getToken());
    Requests.requestId(req.getRequestId());
    FlowsRequests.revision("expected_revision", req.getExpectedRevision());
    FlowsRequests.details("deployed_by", req.getDeployedBy(), req.getModulesList(), req.getCredentialKeyDigest());
    FlowsRequests.flows(req.getFlows(), req.getCredentials());
  }

  void deploy(DeployRequest req, StreamObserver<DeployResponse> out) {
    try {
      check(req);
      checkLeader.run();
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    readMember(req.getGroup(), req.getInstance(), out, g -> {
      boolean allowed = g.getMode() == GroupMode.ALL_ACTIVE
          ? g.getToken() == req.getToken() && ctx.keeper().memberLeaseLeftMillis(g.getName(), req.getInstance(),
              ctx.nanos().getAsLong()).orElse(0L) > 0
          : g.getActive().equals(req.getInstance()) && g.getToken() == req.getToken();
      if (!allowed && g.getMode() == GroupMode.ALL_ACTIVE) {
        out.onError(Errors.precondition("this instance (" + req.getInstance() + ") may not deploy to the all-active group \""
            + g.getName() + "\" now: " + (g.getToken() != req.getToken() ? "it sent token " + req.getToken()
                + ", the group's token is " + g.getToken() : "it holds no live lease on the leader")
            + "; nothing was changed"));
        return;
      }
      if (!allowed) {
        // The fence, before 16 MB go to the log; the state checks it again.
        CommandResult view = CommandResult.newBuilder().setOutcome(Outcome.STALE_TOKEN).setGroup(g.getName())
            .setActive(g.getActive()).setToken(g.getToken()).setRevision(g.getCurrentRevision()).build();
        out.onError(refused(req.getInstance(), req.getToken(), req.getExpectedRevision(), view));
        return;
      }
      String by = req.getDeployedBy().isEmpty() ? req.getInstance() : req.getInstance() + "/" + req.getDeployedBy();
      Command c = Command.newBuilder()
          .setRequestId(req.getRequestId())
          .setStampedUnixMillis(ctx.wallMillis().getAsLong())
          .setSetFlows(SetFlows.newBuilder()
              .setGroup(req.getGroup())
              .setInstance(req.getInstance())
              .setExpectedRevision(req.getExpectedRevision())
              .setToken(req.getToken())
              .setFlows(req.getFlows())
              .setCredentials(req.getCredentials())
              .setDeployedBy(by)
              .addAllModules(req.getModulesList())
              .setCredentialKeyDigest(req.getCredentialKeyDigest())
              .setKeepRevisions(ctx.raft().config().flows().keepRevisions()))
          .build();
      ctx.raft().submit(c).whenComplete((r, err2) -> {
        if (err2 != null) {
          out.onError(ctx.errors().of(err2));
        } else if (r.getOutcome() != Outcome.OK) {
          out.onError(Errors.flowsRefused(req.getInstance(), req.getToken(), req.getExpectedRevision(), r,
              revision(r.getGroup(), r.getRevision()), g.getMode() == GroupMode.ALL_ACTIVE));
        } else {
          String digest = revision(req.getGroup(), r.getRevision()).map(FlowsRevision::getDigest).orElse("");
          out.onNext(DeployResponse.newBuilder().setRevision(r.getRevision()).setDigest(digest).build());
          out.onCompleted();
        }
      });
    });
  }

  void getGroupData(GetGroupDataRequest req, StreamObserver<GroupDataResponse> out) {
    try {
      Requests.name("group", req.getGroup());
      Requests.name("instance", req.getInstance());
      FlowsRequests.revision("revision", req.getRevision());
      checkLeader.run();
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    readMember(req.getGroup(), req.getInstance(), out, g -> {
      GroupDataResponse response;
      try {
        response = groupData(g, req.getRevision());
      } catch (RuntimeException e) {
        out.onError(ctx.errors().of(e));
        return;
      }
      out.onNext(response);
      out.onCompleted();
    });
  }

  void putEditorData(PutEditorDataRequest req, StreamObserver<PutEditorDataResponse> out) {
    Command c;
    try {
      Requests.name("group", req.getGroup());
      Requests.name("instance", req.getInstance());
      Requests.token("token", req.getToken());
      if (req.getKind() == EditorDataKind.EDITOR_DATA_KIND_UNSPECIFIED || req.getKind() == EditorDataKind.UNRECOGNIZED) {
        throw Errors.invalid("kind is required (SETTINGS, LIBRARY or SESSIONS)");
      }
      FlowsRequests.editorValue(req.getKey(), req.getValue());
      checkLeader.run();
      member(Optional.ofNullable(ctx.raft().stateMachine().state().getGroupsMap().get(req.getGroup())),
          req.getGroup(), req.getInstance());
      c = Command.newBuilder()
          .setStampedUnixMillis(ctx.wallMillis().getAsLong())
          .setPutEditorData(PutEditorData.newBuilder().setGroup(req.getGroup()).setInstance(req.getInstance())
              .setToken(req.getToken())
              .setKind(req.getKind()).setKey(req.getKey()).setValue(req.getValue()))
          .build();
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    ctx.raft().submit(c).whenComplete((r, err) -> {
      if (err != null) {
        out.onError(ctx.errors().of(err));
      } else if (r.getOutcome() != Outcome.OK) {
        out.onError(Errors.flowsRefused(req.getInstance(), req.getToken(), 0, r, Optional.empty()));
      } else {
        out.onNext(PutEditorDataResponse.newBuilder().setIndex(r.getIndex()).build());
        out.onCompleted();
      }
    });
  }

  /**
   * Reads {@code group} under a confirmed leadership and hands it to {@code then} if
   * {@code instance} is a member; otherwise answers {@code out} with the error.
   */
  void readMember(String group, String instance, StreamObserver<?> out, Consumer<Group> then) {
    ctx.raft().readGroup(group).whenComplete((found, err) -> {
      if (err != null) {
        out.onError(ctx.errors().of(err));
        return;
      }
      Group g;
      try {
        g = member(found, group, instance);
      } catch (RuntimeException e) {
        out.onError(ctx.errors().of(e));
        return;
      }
      then.accept(g);
    });
  }

  private StatusRuntimeException refused(String instance, long token, long expected, CommandResult r) {
    return Errors.flowsRefused(instance, token, expected, r, revision(r.getGroup(), r.getRevision()));
  }

  private GroupDataResponse groupData(Group g, long wanted) {
    GroupData data = ctx.raft().stateMachine().state().getGroupDataMap()
        .getOrDefault(g.getName(), GroupData.getDefaultInstance());
    GroupDataResponse.Builder b = GroupDataResponse.newBuilder()
        .setSettings(data.getSettings())
        .putAllLibrary(data.getLibraryMap())
        .setSessions(data.getSessions())
        .setCurrentRevision(g.getCurrentRevision());
    long rev = wanted == 0 ? g.getCurrentRevision() : wanted;
    if (rev > 0) {
      b.setRevision(kept(g.getName(), data, rev));
    }
    return b.build();
  }

  /** Revision {@code rev} of {@code group} if this server still keeps it. */
  private Optional<FlowsRevision> revision(String group, long rev) {
    GroupData data = ctx.raft().stateMachine().state().getGroupDataMap().get(group);
    if (data == null || rev <= 0) {
      return Optional.empty();
    }
    return data.getRevisionsList().stream().filter(r -> r.getRevision() == rev).findFirst();
  }

  /** The kept revision {@code rev}, or NOT_FOUND naming what is kept. */
  static FlowsRevision kept(String group, GroupData data, long rev) {
    return data.getRevisionsList().stream().filter(r -> r.getRevision() == rev).findFirst()
        .orElseThrow(() -> Errors.notFound("revision " + rev + " of group \"" + group + "\" is not kept ("
            + (data.getRevisionsCount() == 0 ? "it has no revisions"
                : "kept: " + data.getRevisions(0).getRevision() + " to "
                    + data.getRevisions(data.getRevisionsCount() - 1).getRevision()) + ")"));
  }

  private static Group member(Optional<Group> group, String name, String instance) {
    Group g = group.orElseThrow(() -> Errors.notFound("group \"" + name + "\" does not exist"));
    if (!Groups.isMember(g, instance)) {
      throw Errors.notFound("instance \"" + instance + "\" is not a member of group \"" + name + "\"");
    }
    return g;
  }
}
