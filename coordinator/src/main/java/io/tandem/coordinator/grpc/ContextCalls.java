package io.tandem.coordinator.grpc;

import io.tandem.coordinator.state.ContextOps;
import io.tandem.proto.admin.ContextKeyView;
import io.tandem.proto.admin.ListContextRequest;
import io.tandem.proto.admin.ListContextResponse;
import io.tandem.proto.agent.GetContextRequest;
import io.tandem.proto.agent.WriteContextRequest;
import io.tandem.proto.agent.WriteContextResponse;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.ContextSnapshot;
import io.tandem.proto.state.ContextWrite;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupData;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.TandemState;
import io.grpc.stub.StreamObserver;
import io.tandem.coordinator.config.ContextSettings;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The agents' context calls (DESIGN.md, "The group's data"), leader only. WriteContext commits
 * the active's batch as one ContextWrite under its token, stamped with this leader's limits; a
 * sender that is not the active under that token is refused (FAILED_PRECONDITION) before
 * anything reaches the log, and again by the state machine, which is what decides. GetContext
 * answers the committed context, read after a confirmed leadership.
 */
final class ContextCalls {
  private final ServiceContext ctx;
  private final Runnable checkLeader;
  private final GroupDataCalls groupData;

  ContextCalls(ServiceContext ctx, Runnable checkLeader, GroupDataCalls groupData) {
    this.ctx = ctx;
    this.checkLeader = checkLeader;
    this.groupData = groupData;
  }

  void write(WriteContextRequest req, StreamObserver<WriteContextResponse> out) {
    try {
      Requests.name("group", req.getGroup());
      Requests.name("instance", req.getInstance());
      Requests.token("token", req.getToken());
      Requests.requestId(req.getRequestId());
      ContextRequests.write(req);
    } catch (RuntimeException e) {
      ctx.metrics().contextWrite("invalid");
      out.onError(ctx.errors().of(e));
      return;
    }
    try {
      checkLeader.run();
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    groupData.readMember(req.getGroup(), req.getInstance(), out, g -> {
      Optional<CommandResult> retried = ContextOps.remembered(ctx.raft().stateMachine().state().getGroupDataMap()
          .getOrDefault(req.getGroup(), GroupData.getDefaultInstance()), req.getRequestId());
      if (retried.isPresent()) {
        // committed before (its answer was lost), perhaps before the token moved: the first result
        out.onNext(response(retried.get()));
        out.onCompleted();
        return;
      }
      if (!g.getActive().equals(req.getInstance()) || g.getToken() != req.getToken()) {
        ctx.metrics().contextWrite("refused");
        out.onError(Errors.contextRefused(req.getInstance(), req.getToken(), g.getName(), g.getActive(), g.getToken()));
        return;
      }
      ContextSettings limits = ctx.raft().config().context();
      // The request id goes into the write, remembered per group (not in the admin writes' FIFO).
      Command c = Command.newBuilder()
          .setStampedUnixMillis(ctx.wallMillis().getAsLong())
          .setContextWrite(ContextWrite.newBuilder()
              .setGroup(req.getGroup())
              .setInstance(req.getInstance())
              .setToken(req.getToken())
              .setRequestId(req.getRequestId())
              .addAllOps(req.getOpsList())
              .setMaxValueBytes(limits.maxValueBytes())
              .setMaxGroupBytes(limits.maxGroupBytes()))
          .build();
      ctx.raft().submit(c).whenComplete((r, err) -> {
        if (err != null) {
          out.onError(ctx.errors().of(err));
        } else if (r.getOutcome() == Outcome.STALE_TOKEN) {
          ctx.metrics().contextWrite("refused");
          out.onError(Errors.contextRefused(req.getInstance(), req.getToken(), r.getGroup(), r.getActive(), r.getToken()));
        } else if (r.getOutcome() != Outcome.OK) {
          out.onError(Errors.outcome(r));
        } else {
          count(r);
          out.onNext(response(r));
          out.onCompleted();
        }
      });
    });
  }

  private static WriteContextResponse response(CommandResult r) {
    return WriteContextResponse.newBuilder().setVersion(r.getIndex()).addAllResults(r.getContextResultsList()).build();
  }

  private void count(CommandResult r) {
    ctx.metrics().contextWrite("applied");
    r.getContextResultsList().forEach(x -> ctx.metrics().contextOp(x.getOutcome()));
  }

  void get(GetContextRequest req, StreamObserver<ContextSnapshot> out) {
    try {
      Requests.name("group", req.getGroup());
      Requests.name("instance", req.getInstance());
      checkLeader.run();
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    groupData.readMember(req.getGroup(), req.getInstance(), out, confirmed -> {
      // One state for version and scopes: at least as new as the confirmed read.
      TandemState s = ctx.raft().stateMachine().state();
      Group g = s.getGroupsMap().get(req.getGroup());
      if (g == null) {
        out.onError(Errors.notFound("group \"" + req.getGroup() + "\" does not exist"));
        return;
      }
      out.onNext(snapshot(s, g, ctx.raft().config().context()));
      out.onCompleted();
    });
  }

  /** Keys and sizes of a group's context in {@code s} (tandemctl context), sorted by scope, then key. */
  static ListContextResponse list(TandemState s, ListContextRequest req, ContextSettings limits) {
    Group g = s.getGroupsMap().get(req.getGroup());
    if (g == null) {
      throw Errors.notFound("group \"" + req.getGroup() + "\" does not exist");
    }
    GroupData data = s.getGroupDataMap().getOrDefault(g.getName(), GroupData.getDefaultInstance());
    ListContextResponse.Builder b = ListContextResponse.newBuilder()
        .setVersion(g.getContextVersion())
        .setTotalBytes(data.getContextBytes())
        .setMaxGroupBytes(limits.maxGroupBytes());
    new TreeMap<>(data.getContextMap()).forEach((scope, values) -> {
      if (req.getScope().isEmpty() || req.getScope().equals(scope)) {
        new TreeMap<>(values.getValuesMap()).forEach((key, value) -> b.addKeys(ContextKeyView.newBuilder()
            .setScope(scope).setKey(key).setSizeBytes(ContextOps.entryBytes(key, value))));
      }
    });
    return b.build();
  }

  static ContextSnapshot snapshot(TandemState s, Group g, ContextSettings limits) {
    GroupData data = s.getGroupDataMap().getOrDefault(g.getName(), GroupData.getDefaultInstance());
    return ContextSnapshot.newBuilder()
        .setVersion(g.getContextVersion())
        .putAllScopes(data.getContextMap())
        .setBytes(data.getContextBytes())
        .setMaxValueBytes(limits.maxValueBytes())
        .setMaxGroupBytes(limits.maxGroupBytes())
        .build();
  }
}
