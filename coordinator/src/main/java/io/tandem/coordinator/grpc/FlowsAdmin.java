package io.tandem.coordinator.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tandem.coordinator.state.Groups;
import io.tandem.proto.admin.ExportFlowsRequest;
import io.tandem.proto.admin.FlowsHistoryRequest;
import io.tandem.proto.admin.FlowsHistoryResponse;
import io.tandem.proto.admin.ImportFlowsRequest;
import io.tandem.proto.admin.RollbackFlowsRequest;
import io.tandem.proto.admin.WriteResponse;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupData;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.SetFlows;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The operators' flows calls: history and export are read from this server's applied state;
 * import and rollback are SetFlows from_admin (no token, compare-and-set on the revision).
 */
final class FlowsAdmin {
  private final ServiceContext ctx;

  FlowsAdmin(ServiceContext ctx) {
    this.ctx = ctx;
  }

  FlowsHistoryResponse history(FlowsHistoryRequest req) {
    Group g = existing(req.getGroup());
    FlowsHistoryResponse.Builder b = FlowsHistoryResponse.newBuilder().setCurrentRevision(g.getCurrentRevision());
    for (FlowsRevision r : data(g.getName()).getRevisionsList()) {
      b.addRevisions(r.toBuilder().clearFlows().clearCredentials());
    }
    return b.build();
  }

  FlowsRevision export(ExportFlowsRequest req) {
    Group g = existing(req.getGroup());
    FlowsRequests.revision("revision", req.getRevision());
    if (g.getCurrentRevision() == 0) {
      throw Errors.notFound("group \"" + g.getName() + "\" has no flows revision yet (import one with"
          + " tandemctl flows import)");
    }
    long rev = req.getRevision() == 0 ? g.getCurrentRevision() : req.getRevision();
    return GroupDataCalls.kept(g.getName(), data(g.getName()), rev);
  }

  void importFlows(ImportFlowsRequest req, StreamObserver<WriteResponse> out) {
    Command c;
    long expected;
    try {
      Requests.requestId(req.getRequestId());
      Group g = existing(req.getGroup());
      if (req.getExpectedRevision() < -1) {
        throw Errors.invalid("expected_revision must be -1 (whatever is current) or a revision (0: none yet)");
      }
      FlowsRequests.details("deployed_by", req.getDeployedBy(), List.of(), "");
      FlowsRequests.flows(req.getFlows(), req.getCredentials());
      expected = req.getExpectedRevision() == -1 ? g.getCurrentRevision() : req.getExpectedRevision();
      c = command(req.getRequestId(), SetFlows.newBuilder()
          .setGroup(g.getName())
          .setExpectedRevision(expected)
          .setFlows(req.getFlows())
          .setCredentials(req.getCredentials())
          .setDeployedBy(req.getDeployedBy().isEmpty() ? "tandemctl import" : req.getDeployedBy()));
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    submit(c, expected, out);
  }

  void rollback(RollbackFlowsRequest req, StreamObserver<WriteResponse> out) {
    Command c;
    long expected;
    try {
      Requests.requestId(req.getRequestId());
      Group g = existing(req.getGroup());
      if (req.getToRevision() <= 0) {
        throw Errors.invalid("to_revision must be a revision number (see tandemctl flows history)");
      }
      GroupDataCalls.kept(g.getName(), data(g.getName()), req.getToRevision());
      expected = g.getCurrentRevision();
      c = command(req.getRequestId(), SetFlows.newBuilder()
          .setGroup(g.getName())
          .setExpectedRevision(expected)
          .setRollbackOf(req.getToRevision())
          .setDeployedBy("tandemctl rollback"));
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    submit(c, expected, out);
  }

  private Command command(String requestId, SetFlows.Builder body) {
    return Command.newBuilder()
        .setRequestId(requestId)
        .setStampedUnixMillis(ctx.wallMillis().getAsLong())
        .setSetFlows(body.setFromAdmin(true).setKeepRevisions(ctx.raft().config().flows().keepRevisions()))
        .build();
  }

  private void submit(Command c, long expected, StreamObserver<WriteResponse> out) {
    ctx.raft().submit(c).whenComplete((r, err) -> {
      if (err != null) {
        out.onError(ctx.errors().of(err));
      } else if (r.getOutcome() == Outcome.STALE_TOKEN) {
        out.onError(Status.ABORTED.withDescription(conflict(r, expected)).asRuntimeException());
      } else if (r.getOutcome() != Outcome.OK) {
        out.onError(Errors.outcome(r));
      } else {
        out.onNext(WriteResponse.newBuilder().setIndex(r.getIndex()).setMessage(r.getMessage())
            .setActive(r.getActive()).setToken(r.getToken()).build());
        out.onCompleted();
      }
    });
  }

  /** "revision conflict: group g is at revision M (deployed by X at T), not at N". */
  private String conflict(CommandResult r, long expected) {
    Optional<FlowsRevision> now = Groups.currentRevision(ctx.raft().stateMachine().state(), r.getGroup())
        .filter(x -> x.getRevision() == r.getRevision());
    String at = now.map(x -> " (deployed by " + (x.getDeployedBy().isEmpty() ? "unknown" : x.getDeployedBy())
        + " at " + Instant.ofEpochMilli(x.getAtUnixMillis()).truncatedTo(ChronoUnit.SECONDS) + ")").orElse("");
    if (expected == 0) {
      return "group \"" + r.getGroup() + "\" already has flows revision " + r.getRevision() + at
          + "; nothing was changed (--force commits the file on top of it as a new revision)";
    }
    return "revision conflict: group \"" + r.getGroup() + "\" is at revision " + r.getRevision() + at
        + ", not at revision " + expected + "; nothing was changed";
  }

  private Group existing(String name) {
    Requests.name("group", name);
    Group g = ctx.raft().stateMachine().state().getGroupsMap().get(name);
    if (g == null) {
      throw Errors.notFound("group \"" + name + "\" does not exist");
    }
    return g;
  }

  private GroupData data(String name) {
    return ctx.raft().stateMachine().state().getGroupDataMap().getOrDefault(name, GroupData.getDefaultInstance());
  }
}
