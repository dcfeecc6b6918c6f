package io.tandem.coordinator.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.Group;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lease pushed with a committed activation ({@link LeaseKeeper#leaseWithActivation}): counted
 * from the new active's last numbered heartbeat heard before the decision, on a fake clock.
 */
class ActivationLeaseTest {
  private static final long MS = 1_000_000L;
  private static final LeaseSettings SETTINGS =
      new LeaseSettings(Duration.ofMillis(2000), Duration.ofMillis(250), Duration.ofMillis(1000), Duration.ofMillis(20));
  private static final long T0 = -5_000;
  private LeaseKeeper keeper;
  private final Group before = LeaseKeeperTest.twoInstances("a", 7);
  private final Group after = LeaseKeeperTest.twoInstances("b", 40);

  @BeforeEach
  void becomeLeader() {
    keeper = new LeaseKeeper(SETTINGS);
    keeper.becomeLeader(T0 * MS);
  }

  private Grant beat(Group g, String id, RuntimeState runtime, long seq, long atMs) {
    long running = runtime == RuntimeState.RUNTIME_RUNNING ? g.getToken() : 0;
    return keeper.heartbeat(g.getName(), id, runtime, running, 0, RuntimeReport.NONE, Optional.of(g), seq,
        (T0 + atMs) * MS);
  }

  private List<Decision> decide(Group g, long atMs) {
    return keeper.decide(LeaseKeeperTest.state(g), (T0 + atMs) * MS);
  }

  private Optional<ActivationGrant> push(String instance, long token, long atMs) {
    return keeper.leaseWithActivation("g", instance, token, (T0 + atMs) * MS);
  }

  /** a runs under 7, b (heartbeat number 41 heard at 10 ms) is a ready standby; a releases at 30 and b is decided. */
  private void switchoverDecidedAt31() {
    beat(before, "a", RuntimeState.RUNTIME_RUNNING, 900, 0);
    beat(before, "b", RuntimeState.RUNTIME_STANDBY, 41, 10);
    keeper.requestRelease(new ReleaseRequest("g", "a", "b", 7, (T0 + 5000) * MS, new CompletableFuture<CommandResult>()));
    keeper.fenced("g", "a", 7, FenceReason.RELEASED, (T0 + 30) * MS);
    assertThat(decide(before, 31)).singleElement()
        .satisfies(d -> assertThat(d.command().getActivate().getInstance()).isEqualTo("b"));
    keeper.proposalDone("g");
  }

  @Test
  void theNewActiveGetsALeaseCountedFromItsHeartbeatBeforeTheDecision() {
    switchoverDecidedAt31();
    assertThat(push("b", 40, 45)).contains(new ActivationGrant(2000, 41));
    assertThat(push("b", 40, 46)).as("once per decision").isEmpty();
    // the leader counts it from 10 ms (when it heard heartbeat 41), not from the push at 45 ms
    assertThat(decide(after, 2009)).isEmpty();
    assertThat(decide(after, 2010)).as("expired at 10 + 2000 ms").singleElement()
        .satisfies(d -> assertThat(d.cause()).isEqualTo("lease_expired"));
    assertThat(beat(after, "b", RuntimeState.RUNTIME_RUNNING, 42, 2011).leaseMillis())
        .as("an expired lease is never renewed").isZero();
  }

  @Test
  void aLeaseTheLeaderAlreadyCountsLongerIsKept() {
    switchoverDecidedAt31();
    assertThat(decide(after, 40)).as("the commit seen first: the leader counts the lease from 40 ms").isEmpty();
    assertThat(push("b", 40, 45)).contains(new ActivationGrant(2000, 41));
    assertThat(decide(after, 2039)).as("still counted from 40 ms on the leader").isEmpty();
    assertThat(decide(after, 2040)).singleElement().satisfies(d -> assertThat(d.cause()).isEqualTo("lease_expired"));
  }

  @Test
  void noLeaseWithoutADecisionHereANumberedHeartbeatOrALiveOne() {
    beat(before, "b", RuntimeState.RUNTIME_STANDBY, 41, 10);
    assertThat(push("b", 40, 45)).as("not decided by this leader").isEmpty();

    switchoverDecidedAt31();
    assertThat(push("a", 40, 45)).as("another instance").isEmpty();
    keeper.stepDown();
    keeper.becomeLeader((T0 + 50) * MS);
    assertThat(push("b", 40, 60)).as("decided under an earlier leadership").isEmpty();

    becomeLeader();
    beat(before, "a", RuntimeState.RUNTIME_RUNNING, 0, 0);
    beat(before, "b", RuntimeState.RUNTIME_STANDBY, 0, 10);
    keeper.requestRelease(new ReleaseRequest("g", "a", "b", 7, (T0 + 5000) * MS, new CompletableFuture<CommandResult>()));
    keeper.fenced("g", "a", 7, FenceReason.RELEASED, (T0 + 30) * MS);
    assertThat(decide(before, 31)).hasSize(1);
    assertThat(push("b", 40, 45)).as("its heartbeats are not numbered").isEmpty();

    becomeLeader();
    switchoverDecidedAt31();
    assertThat(push("b", 40, 2010)).as("over already (heard at 10 ms)").isEmpty();

    becomeLeader();
    switchoverDecidedAt31();
    keeper.fenced("g", "b", 40, FenceReason.CRASHED, (T0 + 40) * MS);
    assertThat(push("b", 40, 45)).as("fenced for the new token before the push").isEmpty();
  }
}
