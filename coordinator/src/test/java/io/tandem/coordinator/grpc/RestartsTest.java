package io.tandem.coordinator.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.coordinator.lease.LeaseKeeper;
import io.tandem.proto.admin.RestartInstanceRequest;
import io.tandem.proto.admin.RestartInstanceResponse;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.RestartRequest;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.InstanceSpec;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Restart requests on the leader: refusals, relay on heartbeat answers, completion on readiness. */
class RestartsTest {
  private static final long MS = 1_000_000L;
  private static final LeaseSettings SETTINGS =
      new LeaseSettings(Duration.ofMillis(2000), Duration.ofMillis(250), Duration.ofMillis(1000), Duration.ofMillis(20));
  private static final Group G = Group.newBuilder().setName("g").setActive("a").setToken(7)
      .addInstances(InstanceSpec.newBuilder().setId("a").setPriority(10))
      .addInstances(InstanceSpec.newBuilder().setId("b")).build();

  private LeaseKeeper keeper;
  private Restarts restarts;
  private long now;

  @BeforeEach
  void leader() {
    keeper = new LeaseKeeper(SETTINGS);
    keeper.becomeLeader(0);
    restarts = new Restarts();
    now = 10 * MS;
  }

  private static RestartInstanceRequest req(String id, String instance, String version) {
    return RestartInstanceRequest.newBuilder().setRequestId(id).setGroup("g").setInstance(instance)
        .setNodeRedVersion(version).setTimeoutMillis(5000).build();
  }

  private Optional<RestartRequest> beat(String instance, RuntimeState rt, HeartbeatRequest.Builder extra) {
    now += 100 * MS;
    HeartbeatRequest hb = extra.setGroup("g").setInstance(instance).setRuntime(rt).build();
    keeper.heartbeat("g", instance, rt, rt == RuntimeState.RUNTIME_RUNNING ? 7 : 0, 0, Optional.of(G), now);
    return restarts.onHeartbeat(hb, Optional.of(G), () -> null, keeper, now);
  }

  private void healthy() {
    beat("a", RuntimeState.RUNTIME_RUNNING, HeartbeatRequest.newBuilder());
    beat("b", RuntimeState.RUNTIME_STANDBY, HeartbeatRequest.newBuilder());
  }

  private static Status.Code code(CompletableFuture<?> f) {
    try {
      f.get();
      throw new AssertionError("completed");
    } catch (ExecutionException e) {
      return ((StatusRuntimeException) Errors.unwrap(e)).getStatus().getCode();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theActiveIsNeverRestarted() {
    healthy();
    assertThatThrownBy(() -> restarts.start(req("r1", "a", ""), G, null, keeper, now))
        .hasMessageContaining("is the active instance").hasMessageContaining("switch over first");
  }

  @Test
  void theOnlyReadyStandbyIsNotRestartedWhileTheActiveIsUnhealthy() {
    beat("a", RuntimeState.RUNTIME_DOWN, HeartbeatRequest.newBuilder());
    beat("b", RuntimeState.RUNTIME_STANDBY, HeartbeatRequest.newBuilder());
    assertThatThrownBy(() -> restarts.start(req("r1", "b", ""), G, null, keeper, now))
        .hasMessageContaining("only ready standby").hasMessageContaining("does not report its flows running");
  }

  @Test
  void relayedUntilHandledThenDoneOnceReady() throws Exception {
    healthy();
    CompletableFuture<RestartInstanceResponse> f = restarts.start(req("r1", "b", "4.1.8"), G, null, keeper, now);
    assertThat(beat("b", RuntimeState.RUNTIME_STANDBY, HeartbeatRequest.newBuilder()))
        .hasValueSatisfying(r -> assertThat(r.getId()).isEqualTo("r1"))
        .hasValueSatisfying(r -> assertThat(r.getNodeRedVersion()).isEqualTo("4.1.8"));
    // the agent restarts: its runtime is down, then starting; restart_id still the previous one
    assertThat(beat("b", RuntimeState.RUNTIME_DOWN, HeartbeatRequest.newBuilder())).isPresent();
    assertThat(beat("b", RuntimeState.RUNTIME_STARTING, HeartbeatRequest.newBuilder())).isPresent();
    assertThat(f).isNotDone();
    // the same id again joins the restart in progress; another id is refused meanwhile
    assertThat(restarts.start(req("r1", "b", "4.1.8"), G, null, keeper, now)).isNotDone();
    assertThatThrownBy(() -> restarts.start(req("r2", "b", ""), G, null, keeper, now))
        .hasMessageContaining("already in progress");
    assertThat(beat("b", RuntimeState.RUNTIME_STANDBY, HeartbeatRequest.newBuilder().setRestartId("r1")
        .setNodeRedVersion("4.1.8").setRuntimePid(4242))).isEmpty();
    RestartInstanceResponse r = f.get();
    assertThat(r.getInstance()).isEqualTo("b");
    assertThat(r.getNodeRedVersion()).isEqualTo("4.1.8");
    assertThat(r.getRuntimePid()).isEqualTo(4242);
    assertThat(beat("b", RuntimeState.RUNTIME_STANDBY, HeartbeatRequest.newBuilder())).isEmpty();
  }

  @Test
  void handledButNotReadyWaits() {
    healthy();
    CompletableFuture<RestartInstanceResponse> f = restarts.start(req("r1", "b", ""), G, null, keeper, now);
    beat("b", RuntimeState.RUNTIME_STARTING, HeartbeatRequest.newBuilder().setRestartId("r1"));
    assertThat(f).isNotDone();
  }

  @Test
  void theAgentsRefusalFailsTheRestart() {
    healthy();
    CompletableFuture<RestartInstanceResponse> f = restarts.start(req("r1", "b", "9.9.9"), G, null, keeper, now);
    beat("b", RuntimeState.RUNTIME_STANDBY, HeartbeatRequest.newBuilder().setRestartId("r1")
        .setRestartRefusal("this host has no Node-RED 9.9.9 install"));
    assertThat(code(f)).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThatThrownBy(f::get).hasMessageContaining("refused the restart: this host has no Node-RED 9.9.9 install");
  }

  @Test
  void aStepDownFailsPendingRestartsAsUnavailable() {
    healthy();
    CompletableFuture<RestartInstanceResponse> f = restarts.start(req("r1", "b", ""), G, null, keeper, now);
    restarts.stepDown();
    assertThat(code(f)).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void requestsNeedAnIdAndAVersionThatLooksLikeOne() {
    assertThatThrownBy(() -> Restarts.check(req("", "b", ""))).hasMessageContaining("request_id is required");
    assertThatThrownBy(() -> Restarts.check(req("r1", "b", "4.1.8; rm -rf"))).hasMessageContaining("node_red_version");
  }
}
