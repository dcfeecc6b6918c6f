package io.tandem.coordinator.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.TandemState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** decide looks only at groups that changed, were marked by a heartbeat, or are due. */
class DecideIndexTest {
  private static final long MS = 1_000_000L;
  private static final LeaseSettings SETTINGS =
      new LeaseSettings(Duration.ofMillis(2000), Duration.ofMillis(250), Duration.ofMillis(1000), Duration.ofMillis(20));

  private static Group group(int i, String active) {
    return Group.newBuilder().setName("g" + i).setActive(active).setToken(active.isEmpty() ? 0 : 3)
        .addInstances(InstanceSpec.newBuilder().setId("a").setPriority(10))
        .addInstances(InstanceSpec.newBuilder().setId("b")).build();
  }

  @Test
  void aStandbyThatBecomesReadyLaterIsStillActivatedAndAnUnchangedStateCostsNothing() {
    LeaseKeeper keeper = new LeaseKeeper(SETTINGS);
    keeper.becomeLeader(0);
    List<Group> groups = IntStream.range(0, 1000).mapToObj(i -> group(i, "")).toList();
    TandemState.Builder b = TandemState.newBuilder();
    groups.forEach(g -> b.putGroups(g.getName(), g));
    TandemState state = b.build();
    assertThat(keeper.decide(state, 10 * MS)).isEmpty(); // nobody heard yet
    assertThat(keeper.decide(state, 20 * MS)).isEmpty();
    // One standby reports ready: only its group is decided.
    keeper.heartbeat("g7", "b", RuntimeState.RUNTIME_STANDBY, 0, 0, Optional.of(groups.get(7)), 30 * MS);
    assertThat(keeper.decide(state, 40 * MS)).singleElement()
        .satisfies(d -> assertThat(d.group()).isEqualTo("g7"));
  }

  @Test
  void aRenewedLeaseIsNotExpiredAndAnUnrenewedOneIsFoundWhenDue() {
    LeaseKeeper keeper = new LeaseKeeper(SETTINGS);
    keeper.becomeLeader(0);
    Group x = group(1, "a");
    Group y = group(2, "a");
    TandemState state = TandemState.newBuilder().putGroups("g1", x).putGroups("g2", y).build();
    assertThat(keeper.decide(state, 0)).isEmpty(); // leases counted from the takeover: end at 2000
    for (long t = 0; t <= 2400; t += 200) {
      keeper.heartbeat("g1", "a", RuntimeState.RUNTIME_RUNNING, 3, 0, Optional.of(x), t * MS);
      keeper.heartbeat("g1", "b", RuntimeState.RUNTIME_STANDBY, 0, 0, Optional.of(x), t * MS);
      keeper.heartbeat("g2", "b", RuntimeState.RUNTIME_STANDBY, 0, 0, Optional.of(y), t * MS);
      List<Decision> d = keeper.decide(state, t * MS);
      if (t < 2000) {
        assertThat(d).as("at %d ms", t).isEmpty();
      } else if (t == 2000) {
        assertThat(d).singleElement().satisfies(x2 -> {
          assertThat(x2.group()).isEqualTo("g2");
          assertThat(x2.cause()).isEqualTo("lease_expired");
        });
      } else {
        assertThat(d).as("at %d ms: g2 in flight, g1 renewed", t).isEmpty();
      }
    }
  }
}
