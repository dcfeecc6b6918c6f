package io.tandem.coordinator.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.TandemState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The overload guard on a fake monotonic clock: a degraded leader and a mass expiry delay
 * expiry-driven failovers; fenced reports act at once; a held lease is renewed only while no
 * decision was made for its token.
 */
class OverloadGuardTest {
  private static final long MS = 1_000_000L;
  private static final LeaseSettings SETTINGS =
      new LeaseSettings(Duration.ofMillis(2000), Duration.ofMillis(250), Duration.ofMillis(1000), Duration.ofMillis(20));
  private static final long T0 = -5_000;

  private LeaderHealth health;
  private LeaseKeeper keeper;

  @BeforeEach
  void becomeLeader() {
    health = new LeaderHealth(LeaderHealth.Limits.DEFAULTS);
    keeper = new LeaseKeeper(SETTINGS, health, ExpiryGuard.Limits.DEFAULTS);
    keeper.becomeLeader(T0 * MS);
  }

  private static long at(long ms) {
    return (T0 + ms) * MS;
  }

  private static Group group(String name, long token) {
    return Group.newBuilder().setName(name).setActive("a").setToken(token)
        .addInstances(InstanceSpec.newBuilder().setId("a").setPriority(10))
        .addInstances(InstanceSpec.newBuilder().setId("b")).build();
  }

  private Grant beat(Group g, String id, RuntimeState rt, long ms) {
    long running = rt == RuntimeState.RUNTIME_RUNNING ? g.getToken() : 0;
    return keeper.heartbeat(g.getName(), id, rt, running, 0, Optional.of(g), at(ms));
  }

  private static TandemState state(List<Group> groups) {
    TandemState.Builder b = TandemState.newBuilder();
    groups.forEach(g -> b.putGroups(g.getName(), g));
    return b.build();
  }

  @Test
  void aDegradedLeaderHoldsAnExpiryAndTheHolderRenewsItsLeaseAfterwards() {
    Group g = group("g", 7);
    assertThat(beat(g, "a", RuntimeState.RUNTIME_RUNNING, 0).leaseMillis()).isEqualTo(2000);
    beat(g, "b", RuntimeState.RUNTIME_STANDBY, 1900);
    health.tickLag(400 * MS, at(1950)); // the leader's own tick ran 400 ms late
    assertThat(health.degraded(at(2100))).isTrue();

    assertThat(keeper.decide(state(List.of(g)), at(2100))).isEmpty();
    assertThat(keeper.heldExpiries()).isEqualTo(1);
    assertThat(keeper.lastHoldReason()).contains("degraded").contains("tick 400 ms late");

    // The holder's delayed heartbeat renews the held lease: no failover was decided for it.
    assertThat(beat(g, "a", RuntimeState.RUNTIME_RUNNING, 2200).leaseMillis()).isEqualTo(2000);
    assertThat(keeper.heldExpiries()).isZero();
    beat(g, "b", RuntimeState.RUNTIME_STANDBY, 4000);
    assertThat(keeper.decide(state(List.of(g)), at(4100))).isEmpty(); // healthy, lease live to 4200
  }

  @Test
  void aFencedReportActsAtOnceEvenWhileDegraded() {
    Group g = group("g", 7);
    beat(g, "a", RuntimeState.RUNTIME_RUNNING, 0);
    beat(g, "b", RuntimeState.RUNTIME_STANDBY, 10);
    health.heartbeatDelay(900 * MS, at(20));
    keeper.fenced("g", "a", 7, FenceReason.CRASHED, at(30));
    assertThat(keeper.decide(state(List.of(g)), at(40))).singleElement()
        .satisfies(d -> {
          assertThat(d.command().getActivate().getInstance()).isEqualTo("b");
          assertThat(d.cause()).isEqualTo("crashed");
        });
  }

  @Test
  void anExpiryIsActedOnOnceTheLeaderRecovered() {
    Group g = group("g", 7);
    beat(g, "a", RuntimeState.RUNTIME_RUNNING, 0);
    health.tickLag(400 * MS, at(1000));
    beat(g, "b", RuntimeState.RUNTIME_STANDBY, 2900);
    assertThat(keeper.decide(state(List.of(g)), at(2900))).isEmpty(); // degraded until 3000
    // Healthy from 3000; a held expiry is looked at again every HELD_RETRY_NANOS (250 ms).
    beat(g, "b", RuntimeState.RUNTIME_STANDBY, 3100);
    assertThat(keeper.decide(state(List.of(g)), at(3150))).singleElement()
        .satisfies(d -> assertThat(d.cause()).isEqualTo("lease_expired"));
  }

  @Test
  void aLeaseOnceDecidedIsNeverRenewedAgainEvenIfItsProposalFailed() {
    Group g = group("g", 7);
    beat(g, "a", RuntimeState.RUNTIME_RUNNING, 0);
    beat(g, "b", RuntimeState.RUNTIME_STANDBY, 2000);
    assertThat(keeper.decide(state(List.of(g)), at(2000))).hasSize(1);
    keeper.proposalDone("g"); // failed: it may still commit
    health.tickLag(400 * MS, at(2010));
    beat(g, "b", RuntimeState.RUNTIME_STANDBY, 2020);
    assertThat(keeper.decide(state(List.of(g)), at(2030))).isEmpty(); // held now
    assertThat(beat(g, "a", RuntimeState.RUNTIME_RUNNING, 2040).leaseMillis()).isZero();
  }

  @Test
  void aMassExpiryFailsOverAtMostTheBoundAndHoldsTheRest() {
    List<Group> groups = java.util.stream.IntStream.range(0, 200).mapToObj(i -> group("g" + i, 7)).toList();
    for (Group g : groups) {
      beat(g, "a", RuntimeState.RUNTIME_RUNNING, 0);
    }
    for (Group g : groups) {
      beat(g, "b", RuntimeState.RUNTIME_STANDBY, 2000);
    }
    // 200 groups with an active: the window allows max(5, 10%) = 20; the bucket allows 10 now.
    List<Decision> first = keeper.decide(state(groups), at(2000));
    assertThat(first).hasSize(10);
    assertThat(keeper.heldExpiries()).isEqualTo(190);
    assertThat(keeper.lastHoldReason()).contains("10.0 a second");
    first.forEach(d -> keeper.proposalDone(d.group()));
    for (Group g : groups) {
      beat(g, "b", RuntimeState.RUNTIME_STANDBY, 2900);
    }
    // 0.9 s later: 9 more tokens, but the 10 s window caps the total at 20.
    assertThat(keeper.decide(state(groups), at(2900))).hasSize(9);
    for (Group g : groups) {
      beat(g, "b", RuntimeState.RUNTIME_STANDBY, 4000);
    }
    assertThat(keeper.decide(state(groups), at(4000))).hasSize(1);
    assertThat(keeper.lastHoldReason()).contains("limit 20");
  }

  @Test
  void aSmallClusterStillFailsOverEveryGroupOfALostHost() {
    List<Group> groups = List.of(group("x", 3), group("y", 4), group("z", 5));
    for (Group g : groups) {
      beat(g, "a", RuntimeState.RUNTIME_RUNNING, 0);
      beat(g, "b", RuntimeState.RUNTIME_STANDBY, 2000);
    }
    assertThat(keeper.decide(state(groups), at(2000))).hasSize(3);
  }

  @Test
  void gcBeansOfConcurrentCyclesAreNotCountedAsPauses() {
    health.sampleGc(at(0));
    assertThat(health.gcPauseTotalMillis()).isGreaterThanOrEqualTo(0);
    assertThat(java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
        .filter(b -> b.getName().contains("Concurrent")).noneMatch(LeaderHealth::countsPauses)).isTrue();
  }
}
