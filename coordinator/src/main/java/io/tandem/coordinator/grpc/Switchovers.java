package io.tandem.coordinator.grpc;

import io.tandem.coordinator.lease.ReleaseRequest;
import io.tandem.coordinator.ratis.NotLeader;
import io.tandem.coordinator.ratis.TandemStateMachine;
import io.tandem.coordinator.state.Applied;
import io.tandem.coordinator.state.Groups;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.admin.SwitchoverResponse;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.InstanceSpec;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Planned switchovers: ask the active's agent to release (heartbeat reply and WatchGroup), wait
 * until it reports its flows stopped, and complete when the ticker's Activate of the target has
 * committed. The keeper owns the decision; this class owns the caller's future.
 */
final class Switchovers implements TandemStateMachine.AppliedListener {
  private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

  private record Pending(ReleaseRequest request, boolean explicitTarget) {}

  private final ServiceContext ctx;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final SwitchoverRequests requests;

  Switchovers(ServiceContext ctx) {
    this.ctx = ctx;
    this.requests = new SwitchoverRequests(ctx.nanos());
  }

  /** The checks of a switchover's fields before anything else; failures are INVALID_ARGUMENT. */
  static void check(SwitchoverRequest req) {
    Requests.name("group", req.getGroup());
    if (!req.getToInstance().isEmpty()) {
      Requests.name("to_instance", req.getToInstance());
    }
    Requests.requestId(req.getRequestId());
    if (req.getTimeoutMillis() < 0 || req.getTimeoutMillis() > MAX_TIMEOUT.toMillis()) {
      throw Errors.invalid("timeout_millis must be between 0 (the server's default) and "
          + MAX_TIMEOUT.toMillis());
    }
  }

  /**
   * Starts a switchover, or joins the one started with the same request id: a retry while the
   * first is in progress, or after it finished (see {@link SwitchoverRequests}), gets the first
   * outcome instead of starting a second switchover.
   */
  CompletableFuture<SwitchoverResponse> start(SwitchoverRequest req) {
    check(req);
    Optional<CompletableFuture<SwitchoverResponse>> first = requests.find(req);
    if (first.isPresent()) {
      return first.get();
    }
    if (!ctx.raft().isLeaderReady() || !ctx.keeper().isLeader()) {
      throw new NotLeader(ctx.raft().leaderId().filter(id -> !id.equals(ctx.raft().selfId())));
    }
    Duration timeout = req.getTimeoutMillis() == 0
        ? ctx.switchoverTimeout() : Duration.ofMillis(req.getTimeoutMillis());
    SwitchoverRequests.Attempt attempt = requests.begin(req);
    if (!attempt.startedBy(req)) {
      return attempt.outcome().copy(); // a concurrent retry got in first
    }
    ctx.raft().readGroup(req.getGroup())
        .thenCompose(g -> begin(req, g, timeout, attempt))
        .whenComplete((r, err) -> requests.finish(attempt, r, err));
    return attempt.outcome().copy();
  }

  /** The switchover this leader started under {@code requestId}, if it is still remembered. */
  Optional<SwitchoverRequests.Attempt> attempt(String requestId) {
    return requests.byRequestId(requestId);
  }

  private CompletableFuture<SwitchoverResponse> begin(SwitchoverRequest req, Optional<Group> found,
      Duration timeout, SwitchoverRequests.Attempt attempt) {
    String name = req.getGroup();
    Group g = found.orElseThrow(() -> Errors.notFound("group \"" + name + "\" does not exist"));
    if (g.getMode() == io.tandem.proto.state.GroupMode.ALL_ACTIVE) {
      throw Errors.precondition("group \"" + name + "\" is an all-active group: every ready instance runs its"
          + " flows, so there is no active to switch over; to move a lock, stop the tandem leader node that"
          + " holds it (or the instance: tandemctl locks " + name + " shows the holders)");
    }
    if (g.getMaintenance()) {
      throw Errors.precondition("group \"" + name + "\" is in maintenance: failover is paused;"
          + " turn maintenance off first");
    }
    if (g.getActive().isEmpty()) {
      throw Errors.precondition("group \"" + name + "\" has no active instance to switch from;"
          + " the leader activates a ready standby by itself");
    }
    long start = ctx.nanos().getAsLong();
    String to = target(req, g, start);
    CompletableFuture<CommandResult> done = new CompletableFuture<>();
    ReleaseRequest r = new ReleaseRequest(name, g.getActive(), to, g.getToken(),
        start + timeout.toNanos(), done);
    pending.put(name, new Pending(r, !req.getToInstance().isEmpty()));
    attempt.released(g.getActive(), g.getToken());
    ctx.keeper().requestRelease(r);
    ctx.watch().releaseRequested(name);
    return done
        .orTimeout(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS)
        .handle((result, err) -> {
          pending.computeIfPresent(name, (k, v) -> v.request() == r ? null : v);
          if (err != null) {
            Throwable t = Errors.unwrap(err);
            if (t instanceof TimeoutException) {
              throw new CompletionException(new TimeoutException(
                  "switchover of \"" + name + "\" did not finish within " + timeout.toMillis()
                      + " ms: \"" + r.from() + "\" did not confirm that its flows stopped"
                      + " (is its agent running?)"));
            }
            throw new CompletionException(t);
          }
          return SwitchoverResponse.newBuilder()
              .setFromInstance(r.from())
              .setToInstance(result.getActive())
              .setToken(result.getToken())
              .setElapsedMillis((ctx.nanos().getAsLong() - start) / 1_000_000)
              .build();
        });
  }

  private String target(SwitchoverRequest req, Group g, long now) {
    String to = req.getToInstance();
    if (to.isEmpty()) {
      return ctx.keeper().bestStandby(g, now).orElseThrow(() -> Errors.precondition(
          "group \"" + g.getName() + "\" has no ready standby (a standby is ready when its agent"
              + " heartbeats with its runtime loaded and flows stopped)"));
    }
    if (g.getInstancesList().stream().map(InstanceSpec::getId).noneMatch(to::equals)) {
      throw Errors.notFound("instance \"" + to + "\" is not in group \"" + g.getName() + "\"");
    }
    if (to.equals(g.getActive())) {
      throw Errors.precondition("\"" + to + "\" is already the active instance");
    }
    Optional<String> notReady = ctx.keeper().notReadyReason(g,
        Groups.currentRevision(ctx.raft().stateMachine().state(), g.getName()).orElse(null), to, now, true);
    if (notReady.isPresent()) {
      throw Errors.precondition("\"" + to + "\" is not ready: " + notReady.get());
    }
    return to;
  }

  /** Completes a waiting switchover once the assignment moved away from its source. */
  @Override
  public void onApplied(Command command, Applied applied, long index) {
    if (applied.transitions().isEmpty() || pending.isEmpty()) {
      return;
    }
    String name = Assignments.groupOf(command);
    Pending p = pending.get(name);
    if (p == null) {
      return;
    }
    ReleaseRequest r = p.request();
    Group g = applied.state().getGroupsMap().get(name);
    if (g == null) {
      r.done().completeExceptionally(new IllegalStateException(
          "group \"" + name + "\" was deleted during the switchover"));
    } else if (g.getToken() != r.token() && !g.getActive().equals(r.from())) {
      if (g.getActive().isEmpty()) {
        r.done().completeExceptionally(new IllegalStateException(
            "\"" + r.from() + "\" stopped but no standby was ready; the group has no active"));
      } else if (p.explicitTarget() && !g.getActive().equals(r.to())) {
        r.done().completeExceptionally(new IllegalStateException("the assignment moved to \""
            + g.getActive() + "\" (token " + g.getToken() + ") instead of \"" + r.to() + "\""));
      } else {
        r.done().complete(applied.result().toBuilder()
            .setActive(g.getActive()).setToken(g.getToken()).build());
      }
    }
  }
}
