package io.tandem.coordinator.grpc;

import io.tandem.coordinator.lease.LeaseKeeper;
import io.tandem.coordinator.lease.Liveness;
import io.tandem.proto.admin.RestartInstanceRequest;
import io.tandem.proto.admin.RestartInstanceResponse;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.RestartRequest;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.InstanceSpec;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Restarts of an instance's Node-RED that an admin asked for (tandemctl restart), in the leader's
 * memory only, as the release request of a switchover: the request rides on the instance's
 * heartbeat answers until its agent reports it handled (restart_id in its heartbeat), and the
 * caller's future completes once that agent's runtime is a ready standby on the group's current
 * revision, or fails with the agent's refusal or the timeout. Nothing is committed: a restart
 * changes no replicated state, and a leader change simply loses it (the caller's call fails
 * UNAVAILABLE; a retry with the same request id on the new leader does not restart twice, since
 * the agent restarts once per id).
 *
 * <p>The Node-RED version and process id of an instance's last heartbeat are kept with the rest
 * of that heartbeat, in the lease keeper's {@code RuntimeReport} (status reads them there).
 */
public final class Restarts {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
  static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

  private record Key(String group, String instance) {}

  private record Pending(RestartInstanceRequest request, long startNanos, long deadlineNanos,
      CompletableFuture<RestartInstanceResponse> done) {}

  private final Map<Key, Pending> pending = new ConcurrentHashMap<>();

  public Restarts() {}

  /** The checks of a request's fields; failures are INVALID_ARGUMENT. */
  static void check(RestartInstanceRequest req) {
    Requests.name("group", req.getGroup());
    Requests.name("instance", req.getInstance());
    if (req.getRequestId().isEmpty()) {
      throw Errors.invalid("request_id is required: the agent restarts once per request id");
    }
    Requests.requestId(req.getRequestId());
    if (!req.getNodeRedVersion().isEmpty() && !req.getNodeRedVersion().matches("[A-Za-z0-9.+_-]{1,64}")) {
      throw Errors.invalid("node_red_version must be a version such as 4.1.8, got \""
          + req.getNodeRedVersion() + "\"");
    }
    if (req.getTimeoutMillis() < 0 || req.getTimeoutMillis() > MAX_TIMEOUT.toMillis()) {
      throw Errors.invalid("timeout_millis must be between 0 (" + DEFAULT_TIMEOUT.toSeconds()
          + " s) and " + MAX_TIMEOUT.toMillis());
    }
  }

  /**
   * Registers a restart of {@code req.instance} of {@code g} (read linearizably by the caller),
   * or joins the one in progress under the same request id. Refuses what could leave the group
   * without a ready instance: the active itself, and the only ready standby while the active
   * holds no live lease.
   */
  CompletableFuture<RestartInstanceResponse> start(RestartInstanceRequest req, Group g,
      FlowsRevision current, LeaseKeeper keeper, long now) {
    Key key = new Key(req.getGroup(), req.getInstance());
    Pending running = pending.get(key);
    if (running != null) {
      if (running.request().getRequestId().equals(req.getRequestId())) {
        return running.done().copy();
      }
      throw Errors.precondition("a restart of \"" + req.getInstance() + "\" is already in progress"
          + " (request id " + running.request().getRequestId() + ")");
    }
    String name = g.getName();
    String instance = req.getInstance();
    if (g.getInstancesList().stream().map(InstanceSpec::getId).noneMatch(instance::equals)) {
      throw Errors.notFound("instance \"" + instance + "\" is not in group \"" + name + "\"");
    }
    if (instance.equals(g.getActive())) {
      throw Errors.precondition("\"" + instance + "\" is the active instance of group \"" + name
          + "\" (token " + g.getToken() + "): switch over first (tandemctl switchover " + name
          + "; tandemctl restart does it for you), then restart it as a standby");
    }
    Optional<String> unhealthy = activeProblem(g, keeper, now);
    if (unhealthy.isPresent() && keeper.notReadyReason(g, current, instance, now, true).isEmpty()
        && readyStandbys(g, current, keeper, now) <= 1) {
      throw Errors.precondition("\"" + instance + "\" is the only ready standby of group \"" + name
          + "\" and " + unhealthy.get() + ": restarting it now could leave the group without a"
          + " ready instance; wait until the active is healthy");
    }
    long timeout = (req.getTimeoutMillis() == 0 ? DEFAULT_TIMEOUT : Duration.ofMillis(req.getTimeoutMillis()))
        .toNanos();
    Pending p = new Pending(req, now, now + timeout, new CompletableFuture<>());
    pending.put(key, p);
    // an agent that never answers again: the caller still gets an answer
    p.done().orTimeout(timeout / 1_000_000 + 1000, java.util.concurrent.TimeUnit.MILLISECONDS)
        .whenComplete((r, err) -> pending.remove(key, p));
    return p.done().copy().exceptionallyCompose(err -> CompletableFuture.failedFuture(
        Errors.unwrap(err) instanceof TimeoutException
            ? timeout(req, timeout / 1_000_000, keeper.liveness(name, instance)) : err));
  }

  /**
   * One heartbeat from an instance, after the keeper recorded it: completes or fails a pending
   * restart of it, and returns the request to relay in the answer while its agent has not yet
   * handled it.
   */
  Optional<RestartRequest> onHeartbeat(HeartbeatRequest req, Optional<Group> g,
      java.util.function.Supplier<FlowsRevision> currentRevision, LeaseKeeper keeper, long now) {
    Key key = new Key(req.getGroup(), req.getInstance());
    Pending p = pending.get(key);
    if (p == null) {
      return Optional.empty();
    }
    RestartInstanceRequest r = p.request();
    if (g.isEmpty()) {
      fail(key, p, Errors.notFound("group \"" + r.getGroup() + "\" was deleted during the restart"));
      return Optional.empty();
    }
    if (!req.getRestartId().equals(r.getRequestId())) {
      if (now - p.deadlineNanos() > 0) {
        fail(key, p, timeout(r, (p.deadlineNanos() - p.startNanos()) / 1_000_000, keeper.liveness(r.getGroup(),
            r.getInstance())));
        return Optional.empty();
      }
      return Optional.of(RestartRequest.newBuilder()
          .setId(r.getRequestId()).setNodeRedVersion(r.getNodeRedVersion()).build());
    }
    if (!req.getRestartRefusal().isEmpty()) {
      fail(key, p, Errors.precondition("the agent of \"" + r.getInstance() + "\" refused the restart: "
          + req.getRestartRefusal()));
      return Optional.empty();
    }
    Optional<String> notReady =
        keeper.notReadyReason(g.get(), currentRevision.get(), r.getInstance(), now, true);
    if (notReady.isEmpty()) {
      pending.remove(key, p);
      p.done().complete(RestartInstanceResponse.newBuilder()
          .setInstance(r.getInstance())
          .setElapsedMillis((now - p.startNanos()) / 1_000_000)
          .setNodeRedVersion(req.getNodeRedVersion())
          .setLoadedRevision(req.getLoadedRevision())
          .setRuntimePid(req.getRuntimePid())
          .build());
    } else if (now - p.deadlineNanos() > 0) {
      fail(key, p, gaveUp("\"" + r.getInstance() + "\" restarted but was not a ready standby within "
          + (p.deadlineNanos() - p.startNanos()) / 1_000_000 + " ms: " + notReady.get()));
    }
    return Optional.empty();
  }

  /** This server stopped leading: pending restarts fail (the caller retries on the new leader). */
  public void stepDown() {
    pending.forEach((k, p) -> fail(k, p, io.grpc.Status.UNAVAILABLE.withDescription(
        "the coordinator leading the restart of \"" + k.instance() + "\" stopped leading; retry (the agent"
            + " does not restart twice for one request id)").asRuntimeException()));
  }

  private void fail(Key key, Pending p, RuntimeException why) {
    pending.remove(key, p);
    p.done().completeExceptionally(why);
  }

  private static RuntimeException timeout(RestartInstanceRequest r, long millis, Optional<Liveness> l) {
    return gaveUp("\"" + r.getInstance() + "\" did not report the restart done within " + millis
        + " ms" + l.map(x -> " (its runtime was last " + x.runtime().name().replace("RUNTIME_", "").toLowerCase()
            + ")").orElse(" (no heartbeat from its agent on this leader: is it running?)"));
  }

  /**
   * ABORTED, not DEADLINE_EXCEEDED: the coordinator gave up waiting, which a client must not take
   * for its own deadline and send again.
   */
  private static RuntimeException gaveUp(String message) {
    return io.grpc.Status.ABORTED.withDescription(message).asRuntimeException();
  }

  /** Why the group's active is not healthy (no active, no live lease, not running), or empty. */
  static Optional<String> activeProblem(Group g, LeaseKeeper keeper, long now) {
    if (g.getActive().isEmpty()) {
      return Optional.of("the group has no active");
    }
    if (keeper.leaseLeftMillis(g, now).orElse(0L) <= 0) {
      return Optional.of("its active \"" + g.getActive() + "\" holds no live lease");
    }
    Optional<Liveness> l = keeper.liveness(g.getName(), g.getActive());
    if (l.isEmpty() || l.get().runtime() != RuntimeState.RUNTIME_RUNNING) {
      return Optional.of("its active \"" + g.getActive() + "\" does not report its flows running");
    }
    return Optional.empty();
  }

  private static int readyStandbys(Group g, FlowsRevision current, LeaseKeeper keeper, long now) {
    int n = 0;
    for (InstanceSpec i : g.getInstancesList()) {
      if (!i.getId().equals(g.getActive()) && keeper.notReadyReason(g, current, i.getId(), now, true).isEmpty()) {
        n++;
      }
    }
    return n;
  }
}
