package io.tandem.coordinator.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.coordinator.state.Applier;
import io.tandem.coordinator.state.Groups;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.CreateGroup;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupMode;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.Lock;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.TandemState;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lock decisions of the lease keeper for all-active groups, on a fake monotonic clock; every
 * decision is applied by the real state machine, so compare-and-set refusals count.
 */
class LockKeeperTest {
  private static final long MS = 1_000_000L;
  private static final LeaseSettings SETTINGS =
      new LeaseSettings(Duration.ofMillis(2000), Duration.ofMillis(250), Duration.ofMillis(1000), Duration.ofMillis(20));
  private static final long T0 = -5_000;

  private LeaseKeeper keeper;
  private TandemState state = TandemState.getDefaultInstance();
  private long index;

  @BeforeEach
  void setUp() {
    keeper = new LeaseKeeper(SETTINGS);
    keeper.becomeLeader(T0 * MS);
    CreateGroup.Builder c = CreateGroup.newBuilder().setGroup("g").setMode(GroupMode.ALL_ACTIVE);
    for (String id : List.of("a", "b", "c")) {
      c.addInstances(InstanceSpec.newBuilder().setId(id));
    }
    apply(Command.newBuilder().setCreateGroup(c).build());
  }

  private void apply(Command c) {
    var applied = Applier.apply(state, c, ++index);
    assertThat(applied.result().getOutcome()).as("%s", applied.result()).isEqualTo(Outcome.OK);
    state = applied.state();
  }

  private Group g() {
    return state.getGroupsOrThrow("g");
  }

  private Grant beat(String id, long atMs, String... wanted) {
    RuntimeReport r = new RuntimeReport(0, List.of(), "", "", Set.of(wanted), "http://" + id + ":1880/");
    return keeper.heartbeat("g", id, RuntimeState.RUNTIME_RUNNING, g().getToken(), 0, r, Optional.of(g()),
        (T0 + atMs) * MS);
  }

  /** Decides at {@code atMs} and commits every decision. */
  private List<Decision> decide(long atMs) {
    List<Decision> ds = keeper.decide(state, (T0 + atMs) * MS);
    for (Decision d : ds) {
      apply(d.command());
      keeper.proposalDone("g");
    }
    return ds;
  }

  private Lock lock(String key) {
    return Groups.lock(g(), key).orElseThrow();
  }

  private Map<String, Integer> heldCounts() {
    Map<String, Integer> n = new HashMap<>();
    g().getLocksList().forEach(l -> n.merge(l.getHolder(), 1, Integer::sum));
    return n;
  }

  @Test
  void aReadyMemberGetsALeaseAndAFreeKeyWaitsForSettle() {
    assertThat(beat("a", 0, "k").leaseMillis()).isEqualTo(2000);
    assertThat(beat("b", 10, "k").leaseMillis()).isEqualTo(2000);
    assertThat(decide(100)).isEmpty();
    List<Decision> ds = decide(260);
    assertThat(ds).singleElement().satisfies(d -> {
      assertThat(d.command().getAcquireLock().getKey()).isEqualTo("k");
      assertThat(d.command().getAcquireLock().getExpectedToken()).isZero();
      assertThat(d.cause()).isEqualTo("free");
    });
    assertThat(lock("k").getHolder()).isIn("a", "b");
    assertThat(keeper.wantedBy("g", "k")).containsExactly("a", "b");
    assertThat(keeper.editorUrl("g", "b")).isEqualTo("http://b:1880/");
  }

  @Test
  void fiveKeysSpreadOverThreeInstances() {
    String[] keys = {"k1", "k2", "k3", "k4", "k5"};
    for (String id : List.of("a", "b", "c")) {
      beat(id, 0, keys);
    }
    assertThat(decide(300)).hasSize(5);
    assertThat(heldCounts().values()).containsExactlyInAnyOrder(2, 2, 1);
    // nothing moves while every holder renews
    for (long t = 250; t <= 5000; t += 250) {
      for (String id : List.of("a", "b", "c")) {
        beat(id, t, keys);
      }
      assertThat(decide(t + 1)).isEmpty();
    }
  }

  @Test
  void handoverAfterTheHoldersLeaseExpiredAndNotBefore() {
    beat("a", 0, "k");
    decide(300);
    assertThat(lock("k").getHolder()).isEqualTo("a");
    long first = lock("k").getToken();
    // b wants it too; a stops heartbeating at t=0 (lease to 2000)
    for (long t = 250; t < 2000; t += 250) {
      beat("b", t, "k");
      assertThat(decide(t + 1)).isEmpty();
    }
    beat("b", 1999, "k");
    assertThat(decide(1999)).isEmpty();
    List<Decision> ds = decide(2000);
    assertThat(ds).singleElement().satisfies(d -> {
      assertThat(d.command().getAcquireLock().getInstance()).isEqualTo("b");
      assertThat(d.command().getAcquireLock().getExpectedToken()).isEqualTo(first);
      assertThat(d.cause()).isEqualTo("lease_expired");
    });
    assertThat(lock("k").getHolder()).isEqualTo("b");
    assertThat(lock("k").getToken()).isGreaterThan(first);
  }

  @Test
  void anExpiredHolderIsNotRenewedWhileItStillHoldsTheLock() {
    beat("a", 0, "k");
    decide(300);
    beat("b", 1900, "k");
    // a's late heartbeat after its lease ended on the leader: no renewal, the lock may be moving
    assertThat(beat("a", 2100, "k").leaseMillis()).isZero();
    decide(2101);
    assertThat(lock("k").getHolder()).isEqualTo("b");
    // once the move is committed, a gets a fresh lease (its flows run) but not the lock back
    assertThat(beat("a", 2200, "k").leaseMillis()).isEqualTo(2000);
    beat("b", 2200, "k");
    assertThat(decide(2300)).isEmpty();
    assertThat(lock("k").getHolder()).isEqualTo("b");
  }

  @Test
  void aFencedHolderHandsItsLocksOnAtOnce() {
    beat("a", 0, "k");
    decide(300);
    beat("b", 400, "k");
    long first = lock("k").getToken();
    keeper.fenced("g", "a", g().getToken(), FenceReason.CRASHED, (T0 + 500) * MS);
    // its heartbeat in flight does not renew a fenced lease before the decide looked at it
    assertThat(beat("a", 501, "k").leaseMillis()).isZero();
    List<Decision> ds = decide(502);
    assertThat(ds).singleElement().satisfies(d -> {
      assertThat(d.command().getAcquireLock().getInstance()).isEqualTo("b");
      assertThat(d.cause()).isEqualTo("crashed");
    });
    assertThat(lock("k").getToken()).isGreaterThan(first);
  }

  @Test
  void aReturningInstanceDoesNotStealBack() {
    beat("a", 0, "k1", "k2");
    beat("b", 0, "k1", "k2");
    decide(300);
    assertThat(heldCounts().values()).containsExactly(1, 1);
    String holderOfK1 = lock("k1").getHolder();
    String other = holderOfK1.equals("a") ? "b" : "a";
    keeper.fenced("g", holderOfK1, g().getToken(), FenceReason.HUNG, (T0 + 400) * MS);
    beat(other, 400, "k1", "k2");
    decide(401);
    assertThat(heldCounts()).containsEntry(other, 2);
    // the fenced instance comes back, ready, wanting both keys: it holds the fewest, but takes nothing
    for (long t = 500; t < 6000; t += 250) {
      assertThat(beat(holderOfK1, t, "k1", "k2").leaseMillis()).isEqualTo(2000);
      beat(other, t, "k1", "k2");
      assertThat(decide(t + 1)).isEmpty();
    }
    assertThat(heldCounts()).containsEntry(other, 2);
  }

  @Test
  void aKeyTheHolderNoLongerWantsIsReleasedThenGoesToAnotherWanter() {
    beat("a", 0, "k");
    decide(300);
    long first = lock("k").getToken();
    beat("b", 350, "k");
    beat("a", 400);
    List<Decision> ds = decide(401);
    assertThat(ds).singleElement().satisfies(d -> assertThat(d.command().hasReleaseLock()).isTrue());
    assertThat(lock("k").getHolder()).isEmpty();
    // b has wanted it for longer than settle: it gets it at the next look, on the last token
    ds = decide(402);
    assertThat(ds).singleElement().satisfies(d -> {
      assertThat(d.command().getAcquireLock().getInstance()).isEqualTo("b");
      assertThat(d.command().getAcquireLock().getExpectedToken()).isEqualTo(first);
    });
  }

  @Test
  void anExpiredHolderNobodyElseWantsIsReleased() {
    beat("a", 0, "k");
    decide(300);
    List<Decision> ds = decide(2000);
    assertThat(ds).singleElement().satisfies(d -> {
      assertThat(d.command().hasReleaseLock()).isTrue();
      assertThat(d.cause()).isEqualTo("lease_expired");
    });
    assertThat(lock("k").getHolder()).isEmpty();
  }

  @Test
  void aMemberThatIsNotReadyGetsNoFreshLease() {
    RuntimeReport r = new RuntimeReport(0, List.of(), "", "", Set.of("k"), "");
    Grant grant = keeper.heartbeat("g", "a", RuntimeState.RUNTIME_STARTING, 0, 0, r, Optional.of(g()), T0 * MS);
    assertThat(grant.leaseMillis()).isZero();
    assertThat(decide(300)).isEmpty();
  }

  @Test
  void activeStandbyHeartbeatsAreUnchanged() {
    Group as = Group.newBuilder().setName("h").setMode(GroupMode.ACTIVE_STANDBY).setActive("")
        .addInstances(InstanceSpec.newBuilder().setId("a")).build();
    Grant grant = keeper.heartbeat("h", "a", RuntimeState.RUNTIME_RUNNING, 0, 0, RuntimeReport.NONE,
        Optional.of(as), T0 * MS);
    assertThat(grant.leaseMillis()).isZero();
  }
}
