package io.tandem.coordinator.grpc;

import io.grpc.StatusRuntimeException;
import io.tandem.coordinator.ratis.NotLeader;
import io.tandem.coordinator.state.RecentRequests;
import io.tandem.proto.admin.RequestOutcomeRequest;
import io.tandem.proto.admin.RequestOutcomeResponse;
import io.tandem.proto.admin.RequestOutcomeResponse.State;
import io.tandem.proto.admin.SwitchoverResponse;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.Outcome;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Answers "what became of request id X?" for a client whose answer was lost or came too late: a
 * switchover this leader started (in progress, or its outcome), else a write among the replicated
 * {@link RecentRequests}, else unknown.
 */
final class RequestOutcomes {
  private final ServiceContext ctx;
  private final Switchovers switchovers;

  RequestOutcomes(ServiceContext ctx, Switchovers switchovers) {
    this.ctx = ctx;
    this.switchovers = switchovers;
  }

  RequestOutcomeResponse find(RequestOutcomeRequest req) {
    if (req.getRequestId().isEmpty()) {
      throw Errors.invalid("request_id is required");
    }
    Requests.requestId(req.getRequestId());
    if (!ctx.raft().isLeaderReady() || !ctx.keeper().isLeader()) {
      // switchovers are remembered by the leader that ran them; its applied state is the freshest
      throw new NotLeader(ctx.raft().leaderId().filter(id -> !id.equals(ctx.raft().selfId())));
    }
    RequestOutcomeResponse.Builder out = RequestOutcomeResponse.newBuilder()
        .setAnsweredBy(ctx.raft().selfId());
    Optional<SwitchoverRequests.Attempt> attempt = switchovers.attempt(req.getRequestId());
    if (attempt.isPresent()) {
      return switchover(attempt.get(), out.setKind("switchover")
          .setGroup(attempt.get().request().getGroup()));
    }
    Optional<CommandResult> write =
        RecentRequests.find(ctx.raft().stateMachine().state(), req.getRequestId());
    if (write.isPresent()) {
      CommandResult r = write.get();
      return out.setKind("write")
          .setState(r.getOutcome() == Outcome.OK ? State.SUCCEEDED : State.FAILED)
          .setMessage(r.getMessage()).setGroup(r.getGroup()).setActive(r.getActive())
          .setToken(r.getToken()).setIndex(r.getIndex())
          .build();
    }
    return out.setState(State.STATE_UNKNOWN).build();
  }

  private RequestOutcomeResponse switchover(SwitchoverRequests.Attempt a,
      RequestOutcomeResponse.Builder out) {
    CompletableFuture<SwitchoverResponse> outcome = a.outcome();
    if (!outcome.isDone()) {
      return out.setState(State.IN_PROGRESS)
          .setMessage("waiting for the active instance to stop its flows").build();
    }
    try {
      SwitchoverResponse r = outcome.join();
      return out.setState(State.SUCCEEDED).setSwitchover(r).setActive(r.getToInstance())
          .setToken(r.getToken()).build();
    } catch (RuntimeException e) {
      Throwable t = Errors.unwrap(e);
      String why = t instanceof StatusRuntimeException sre && sre.getStatus().getDescription() != null
          ? sre.getStatus().getDescription() : String.valueOf(t.getMessage());
      return afterFailure(a, why, out);
    }
  }

  /**
   * A switchover that gave up (e.g. its wait ended) after it had asked the active to release may
   * still have moved the assignment: the active stops its flows when it gets the request, and the
   * leader then activates a ready standby. Report what the committed state says.
   */
  private RequestOutcomeResponse afterFailure(SwitchoverRequests.Attempt a, String why,
      RequestOutcomeResponse.Builder out) {
    Group g = ctx.raft().stateMachine().state().getGroupsMap().get(a.request().getGroup());
    if (g == null) {
      return out.setState(State.FAILED).setMessage(why + "; the group no longer exists").build();
    }
    out.setActive(g.getActive()).setToken(g.getToken());
    String from = a.releasedFrom();
    String target = a.request().getToInstance();
    boolean moved = a.releasedToken() > 0 && g.getToken() > a.releasedToken()
        && !g.getActive().isEmpty() && !g.getActive().equals(from);
    if (moved && (target.isEmpty() || target.equals(g.getActive()))) {
      return out.setState(State.SUCCEEDED)
          .setMessage(why + "; but \"" + from + "\" stopped its flows afterwards and the assignment"
              + " moved to \"" + g.getActive() + "\" (token " + g.getToken() + ")")
          .setSwitchover(SwitchoverResponse.newBuilder().setFromInstance(from)
              .setToInstance(g.getActive()).setToken(g.getToken()))
          .build();
    }
    String now = g.getActive().isEmpty() ? "no active instance"
        : "active \"" + g.getActive() + "\" (token " + g.getToken() + ")";
    String later = g.getActive().equals(from) && g.getToken() == a.releasedToken()
        ? "; if \"" + from + "\" got the release request before the wait ended it may still stop"
            + " its flows and a ready standby take over (see tandemctl history " + g.getName() + ")"
        : "";
    return out.setState(State.FAILED).setMessage(why + "; the group now has " + now + later).build();
  }
}
