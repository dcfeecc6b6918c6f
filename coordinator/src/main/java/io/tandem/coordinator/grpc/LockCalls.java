package io.tandem.coordinator.grpc;

import io.grpc.stub.StreamObserver;
import io.tandem.proto.agent.ReleaseLockRequest;
import io.tandem.proto.agent.ReleaseLockResponse;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.ReleaseLock;

/**
 * The agents' ReleaseLock (all-active groups): the sender gives up a lock it holds. Validated
 * before the log; committed as ReleaseLock, compare-and-set on the key's token and on the holder
 * being the sender, so a stale or foreign release changes nothing (FAILED_PRECONDITION). The
 * AuthInterceptor lets an agent name only its own group and instance.
 */
final class LockCalls {
  private final ServiceContext ctx;
  private final Runnable checkLeader;

  LockCalls(ServiceContext ctx, Runnable checkLeader) {
    this.ctx = ctx;
    this.checkLeader = checkLeader;
  }

  void release(ReleaseLockRequest req, StreamObserver<ReleaseLockResponse> out) {
    Command c;
    try {
      Requests.name("group", req.getGroup());
      Requests.name("instance", req.getInstance());
      Requests.lockKey("key", req.getKey());
      if (req.getToken() <= 0) {
        throw Errors.invalid("token must be the lock's token as the sender holds it (positive, got "
            + req.getToken() + ")");
      }
      checkLeader.run();
      c = Command.newBuilder()
          .setStampedUnixMillis(ctx.wallMillis().getAsLong())
          .setReleaseLock(ReleaseLock.newBuilder().setGroup(req.getGroup()).setKey(req.getKey())
              .setToken(req.getToken()).setInstance(req.getInstance())
              .setReason("\"" + req.getInstance() + "\" released the lock (its last tandem leader node for it stopped)"))
          .build();
    } catch (RuntimeException e) {
      out.onError(ctx.errors().of(e));
      return;
    }
    ctx.raft().submit(c).whenComplete((r, err) -> {
      if (err != null) {
        out.onError(ctx.errors().of(err));
      } else if (r.getOutcome() == Outcome.STALE_TOKEN) {
        out.onError(Errors.precondition(r.getMessage() + "; nothing was changed"));
      } else if (r.getOutcome() != Outcome.OK) {
        out.onError(Errors.outcome(r));
      } else {
        if (ctx.metrics() != null) {
          ctx.metrics().lockHandover("released");
        }
        ctx.kickTicker().run(); // another instance may want the key: hand it on without waiting a tick
        out.onNext(ReleaseLockResponse.newBuilder().setIndex(r.getIndex()).build());
        out.onCompleted();
      }
    });
  }
}
