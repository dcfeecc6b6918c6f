package io.tandem.coordinator.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.TandemState;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Whether a group has a ready standby, and for how long it has had none (fake clock). */
class LeaseKeeperStandbyTest {
  private static final long MS = 1_000_000L;
  private static final LeaseSettings SETTINGS =
      new LeaseSettings(Duration.ofMillis(2000), Duration.ofMillis(250), Duration.ofMillis(1000), Duration.ofMillis(20));
  private static final long T0 = -5_000;

  private final LeaseKeeper keeper = new LeaseKeeper(SETTINGS);
  private final Group g = Group.newBuilder().setName("g").setActive("a").setToken(7)
      .addInstances(InstanceSpec.newBuilder().setId("a").setPriority(10))
      .addInstances(InstanceSpec.newBuilder().setId("b")).build();

  private void heartbeat(String id, RuntimeState runtime, long atMs) {
    long running = runtime == RuntimeState.RUNTIME_RUNNING ? g.getToken() : 0;
    keeper.heartbeat("g", id, runtime, running, 0, Optional.of(g), (T0 + atMs) * MS);
  }

  /** Decides at {@code atMs}; how long the group has had no ready standby then, in ns. */
  private long without(long atMs) {
    keeper.decide(TandemState.newBuilder().putGroups("g", g).build(), (T0 + atMs) * MS);
    return keeper.withoutReadyStandbyNanos("g", (T0 + atMs) * MS).orElseThrow();
  }

  @Test
  void aMissingStandbyIsCountedUntilOneIsReadyAgain() {
    keeper.becomeLeader(T0 * MS);
    assertThat(without(500)).as("before every instance could heartbeat: not counted").isZero();
    heartbeat("a", RuntimeState.RUNTIME_RUNNING, 900);
    heartbeat("b", RuntimeState.RUNTIME_STANDBY, 900);
    assertThat(without(1100)).as("b is a ready standby").isZero();
    heartbeat("a", RuntimeState.RUNTIME_RUNNING, 1800);
    assertThat(without(2000)).as("b's heartbeat is 1100 ms old: not fresh").isPositive();
    heartbeat("a", RuntimeState.RUNTIME_RUNNING, 2400);
    assertThat(without(2500)).isEqualTo(500 * MS);
    heartbeat("b", RuntimeState.RUNTIME_STARTING, 2600);
    assertThat(without(2700)).as("starting is not ready").isEqualTo(700 * MS);
    heartbeat("b", RuntimeState.RUNTIME_STANDBY, 2800);
    assertThat(without(2800)).isZero();
    keeper.stepDown();
    assertThat(keeper.withoutReadyStandbyNanos("g", (T0 + 2900) * MS)).as("leader only").isEmpty();
  }
}
