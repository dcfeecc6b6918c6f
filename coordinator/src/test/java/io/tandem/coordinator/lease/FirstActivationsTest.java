package io.tandem.coordinator.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.TandemState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Groups' first activations on a fake monotonic clock: a degraded leader admits them at a bounded
 * rate and decides the others on later ticks; a healthy leader admits all at once; a group that was
 * active before (a dark group) is never held back.
 */
class FirstActivationsTest {
  private static final long MS = 1_000_000L;
  private static final LeaseSettings SETTINGS =
      new LeaseSettings(Duration.ofMillis(2000), Duration.ofMillis(250), Duration.ofMillis(1000), Duration.ofMillis(20));
  private static final int GROUPS = 100;

  private LeaderHealth health;
  private LeaseKeeper keeper;

  @BeforeEach
  void becomeLeader() {
    health = new LeaderHealth(LeaderHealth.Limits.DEFAULTS);
    keeper = new LeaseKeeper(SETTINGS, health, ExpiryGuard.Limits.DEFAULTS);
    keeper.becomeLeader(0);
  }

  private static Group fresh(String name, long token) {
    return Group.newBuilder().setName(name).setToken(token)
        .addInstances(InstanceSpec.newBuilder().setId("a"))
        .addInstances(InstanceSpec.newBuilder().setId("b")).build();
  }

  /** GROUPS groups without an active, each with a ready standby "a" heard at {@code ms}. */
  private TandemState groups(long token, long ms) {
    TandemState.Builder b = TandemState.newBuilder();
    for (int i = 0; i < GROUPS; i++) {
      Group g = fresh("g" + i, token);
      b.putGroups(g.getName(), g);
      keeper.heartbeat(g.getName(), "a", RuntimeState.RUNTIME_STANDBY, 0, 0, Optional.of(g), ms * MS);
    }
    return b.build();
  }

  private void standbysHeard(long ms) {
    for (int i = 0; i < GROUPS; i++) {
      keeper.heartbeat("g" + i, "a", RuntimeState.RUNTIME_STANDBY, 0, 0, Optional.of(fresh("g" + i, 0)), ms * MS);
    }
  }

  /** {@code state} with the activations of {@code groups} committed (token 1000 + i). */
  private static TandemState committed(TandemState state, List<String> groups) {
    TandemState.Builder b = state.toBuilder();
    for (String name : groups) {
      Group g = state.getGroupsMap().get(name);
      b.putGroups(name, g.toBuilder().setActive("a").setToken(1000 + Long.parseLong(name.substring(1))).build());
    }
    return b.build();
  }

  private List<String> activated(List<Decision> ds) {
    List<String> out = new ArrayList<>();
    for (Decision d : ds) {
      assertThat(d.command().hasActivate()).isTrue();
      out.add(d.command().getActivate().getGroup());
      keeper.proposalDone(d.command().getActivate().getGroup());
    }
    return out;
  }

  @Test
  void aDegradedLeaderAdmitsFirstActivationsAtABoundedRate() {
    TandemState state = groups(0, 10);
    health.bad(20 * MS, "test: a heartbeat waited 400 ms before it was handled");

    List<String> first = activated(keeper.decide(state, 30 * MS));
    assertThat(first).hasSize(FirstActivations.Limits.DEFAULTS.burst());
    assertThat(keeper.heldFirstActivations()).isEqualTo(GROUPS - first.size());

    // Half a second later, still degraded: about perSecond / 2 more, on the held groups' retry.
    standbysHeard(500);
    health.bad(500 * MS, "test: still degraded");
    List<String> second = activated(keeper.decide(committed(state, first), 530 * MS));
    assertThat(second).hasSizeBetween(9, 11).doesNotContainAnyElementsOf(first);
  }

  @Test
  void aHealthyLeaderAdmitsEveryFirstActivationAtOnce() {
    TandemState state = groups(0, 10);
    assertThat(activated(keeper.decide(state, 30 * MS))).hasSize(GROUPS);
    assertThat(keeper.heldFirstActivations()).isZero();
  }

  @Test
  void aGroupThatWasActiveBeforeIsNeverHeldBack() {
    TandemState state = groups(42, 10); // deactivated earlier (token 42): dark, not new
    health.bad(20 * MS, "test: degraded");
    assertThat(activated(keeper.decide(state, 30 * MS))).hasSize(GROUPS);
    assertThat(keeper.heldFirstActivations()).isZero();
  }

  @Test
  void theHeldGroupsAreActivatedOnceTheLeaderIsHealthyAgain() {
    TandemState state = groups(0, 10);
    health.bad(20 * MS, "test: degraded");
    List<String> admitted = activated(keeper.decide(state, 30 * MS));
    // Healthy 2 s after the last bad signal; the standbys heard again.
    standbysHeard(2100);
    List<String> rest = activated(keeper.decide(committed(state, admitted), 2100 * MS));
    assertThat(rest).hasSize(GROUPS - admitted.size()).doesNotContainAnyElementsOf(admitted);
    assertThat(keeper.heldFirstActivations()).isZero();
  }
}
