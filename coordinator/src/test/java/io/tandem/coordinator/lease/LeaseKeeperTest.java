package io.tandem.coordinator.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupData;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.TandemState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lease keeper on a fake monotonic clock: every {@code now} is a value passed in. */
class LeaseKeeperTest {
  private static final long MS = 1_000_000L;
  private static final LeaseSettings SETTINGS =
      new LeaseSettings(Duration.ofMillis(2000), Duration.ofMillis(250), Duration.ofMillis(1000), Duration.ofMillis(20));

  /** Leader takeover time, in ms of the fake clock. Negative, as System.nanoTime may be. */
  private static final long T0 = -5_000;

  private LeaseKeeper keeper;

  @BeforeEach
  void becomeLeader() {
    keeper = new LeaseKeeper(SETTINGS);
    keeper.becomeLeader(T0 * MS);
  }

  static InstanceSpec spec(String id, int priority) {
    return InstanceSpec.newBuilder().setId(id).setPriority(priority).build();
  }

  static Group group(String active, long token, InstanceSpec... members) {
    return Group.newBuilder().setName("g").setActive(active).setToken(token).addAllInstances(List.of(members)).build();
  }

  static Group twoInstances(String active, long token) {
    return group(active, token, spec("a", 10), spec("b", 0));
  }

  static TandemState state(Group g) {
    return TandemState.newBuilder().putGroups(g.getName(), g).build();
  }

  private Grant heartbeat(Group g, String id, RuntimeState runtime, long fencedToken, long atMs) {
    long running = runtime == RuntimeState.RUNTIME_RUNNING ? g.getToken() : 0;
    return keeper.heartbeat(g.getName(), id, runtime, running, fencedToken, Optional.of(g), (T0 + atMs) * MS);
  }

  private Grant running(Group g, String id, long atMs) {
    return heartbeat(g, id, RuntimeState.RUNTIME_RUNNING, 0, atMs);
  }

  private void standby(Group g, String id, long atMs) {
    assertThat(heartbeat(g, id, RuntimeState.RUNTIME_STANDBY, 0, atMs).leaseMillis()).isZero();
  }

  private List<Decision> decide(Group g, long atMs) {
    return keeper.decide(state(g), (T0 + atMs) * MS);
  }

  private static void assertActivates(List<Decision> decisions, String instance, long expectedToken, String cause) {
    assertThat(decisions).singleElement().satisfies(d -> {
      Command c = d.command();
      assertThat(c.hasActivate()).as("an Activate: %s", c).isTrue();
      assertThat(c.getActivate().getInstance()).isEqualTo(instance);
      assertThat(c.getActivate().getExpectedToken()).isEqualTo(expectedToken);
      assertThat(d.cause()).isEqualTo(cause);
      assertThat(d.group()).isEqualTo("g");
    });
  }

  private static void assertDeactivates(List<Decision> decisions, long expectedToken) {
    assertThat(decisions).singleElement().satisfies(d -> {
      assertThat(d.command().hasDeactivate()).as("a Deactivate: %s", d.command()).isTrue();
      assertThat(d.command().getDeactivate().getExpectedToken()).isEqualTo(expectedToken);
    });
  }

  @Test
  void onlyTheCommittedActiveIsGrantedALease() {
    Group g = twoInstances("a", 7);
    assertThat(running(g, "a", 0)).isEqualTo(new Grant(2000, false));
    assertThat(running(g, "b", 0).leaseMillis()).isZero();
    assertThat(keeper.heartbeat("g", "a", RuntimeState.RUNTIME_RUNNING, 7, 0, Optional.empty(), T0 * MS).leaseMillis())
        .as("unknown group").isZero();
    assertThat(heartbeat(g, "a", RuntimeState.RUNTIME_RUNNING, 7, 10).leaseMillis())
        .as("fenced itself for the current token").isZero();
    keeper.stepDown();
    assertThat(running(twoInstances("b", 9), "b", 20).leaseMillis()).as("not leader").isZero();
  }

  @Test
  void heartbeatsKeepTheLeaseAliveWithoutAnyProposal() {
    Group g = twoInstances("a", 7);
    for (long t = 0; t <= 10_000; t += 250) {
      running(g, "a", t);
      standby(g, "b", t);
      assertThat(decide(g, t + 100)).as("at %d ms", t).isEmpty();
    }
    assertThat(keeper.activeLeases(state(g), (T0 + 10_100) * MS)).isEqualTo(1);
    assertThat(keeper.leaseLeftMillis(g, (T0 + 10_500) * MS)).contains(1500L);
  }

  @Test
  void expiryActivatesTheBestReadyStandbyByPriorityThenId() {
    Group g = group("a", 7, spec("a", 50), spec("z", 5), spec("c", 5), spec("b", 1));
    running(g, "a", 0);
    for (String s : List.of("z", "c", "b")) {
      standby(g, s, 1500);
    }
    assertThat(decide(g, 1999)).isEmpty();
    List<Decision> d = decide(g, 2000);
    assertActivates(d, "c", 7, "lease_expired");
    assertThat(d.get(0).command().getActivate().getReason()).contains("lease of \"a\" expired");
  }

  @Test
  void aNewLeaderCountsEveryLeaseAsRenewedAtTakeover() {
    Group g = twoInstances("a", 7);
    // The holder is silent; the standby is fresh. Nothing expires before one full lease.
    for (long t = 0; t < 2000; t += 100) {
      standby(g, "b", t);
      assertThat(decide(g, t)).as("at %d ms after takeover", t).isEmpty();
    }
    assertThat(keeper.leaseLeftMillis(g, (T0 + 500) * MS)).contains(1500L);
    standby(g, "b", 2000);
    assertActivates(decide(g, 2000), "b", 7, "lease_expired");
  }

  @Test
  void takeoverAgainResetsWhatThePreviousTermKnew() {
    Group g = twoInstances("a", 7);
    running(g, "a", 0);
    keeper.stepDown();
    assertThat(decide(g, 5000)).as("a follower decides nothing").isEmpty();
    keeper.becomeLeader((T0 + 6000) * MS);
    assertThat(decide(g, 6000)).isEmpty(); // the ticker starts with the leadership
    standby(g, "b", 7000);
    assertThat(decide(g, 7500)).isEmpty();
    standby(g, "b", 7900);
    assertActivates(decide(g, 8000), "b", 7, "lease_expired");
  }

  @Test
  void aFencedReportIsDecidedAtOnce() {
    Group g = twoInstances("a", 7);
    running(g, "a", 0);
    standby(g, "b", 0);
    keeper.fenced("g", "a", 7, FenceReason.CRASHED, (T0 + 5) * MS);
    List<Decision> d = decide(g, 6);
    assertActivates(d, "b", 7, "crashed");
    assertThat(d.get(0).command().getActivate().getReason()).contains("fenced itself (crashed)");
  }

  @Test
  void anAgentThatShutDownIsShownDownAndNotReady() {
    Group g = twoInstances("a", 7);
    running(g, "a", 0);
    standby(g, "b", 0);
    keeper.fenced("g", "a", 7, FenceReason.SHUTDOWN, (T0 + 5) * MS);
    assertThat(keeper.liveness("g", "a")).get().extracting(Liveness::runtime).isEqualTo(RuntimeState.RUNTIME_DOWN);
    assertActivates(decide(g, 6), "b", 7, "shutdown");
    // the standby's agent stops too: not a ready spare, though its report is fresh
    keeper.fenced("g", "b", 7, FenceReason.SHUTDOWN, (T0 + 7) * MS);
    assertThat(keeper.notReadyReason(g, null, "b", (T0 + 8) * MS, false)).get().asString().contains("runtime is down");
  }

  @Test
  void aFenceForAnOlderTokenIsIgnored() {
    Group g = twoInstances("a", 7);
    running(g, "a", 0);
    standby(g, "b", 0);
    keeper.fenced("g", "a", 6, FenceReason.CRASHED, (T0 + 5) * MS);
    assertThat(decide(g, 6)).isEmpty();
    assertThat(running(g, "a", 10).leaseMillis()).isEqualTo(2000);
  }

  @Test
  void aFencedTokenInAHeartbeatAlsoCounts() {
    Group g = twoInstances("a", 7);
    standby(g, "b", 0);
    assertThat(heartbeat(g, "a", RuntimeState.RUNTIME_DOWN, 7, 0).leaseMillis()).isZero();
    assertActivates(decide(g, 1), "b", 7, "fenced");
  }

  @Test
  void aHolderThatFencedItselfIsChosenAgainOnlyIfNoOtherIsReady() {
    Group g = twoInstances("a", 7); // a has the higher priority
    standby(g, "b", 0);
    heartbeat(g, "a", RuntimeState.RUNTIME_STANDBY, 7, 0); // restarted as a spare
    assertActivates(decide(g, 1), "b", 7, "fenced");
    keeper.proposalDone("g");
    heartbeat(g, "a", RuntimeState.RUNTIME_STANDBY, 7, 1500);
    assertActivates(decide(g, 1600), "a", 7, "fenced"); // b is no longer fresh
  }

  @Test
  void maintenanceMeansNoFailover() {
    Group g = twoInstances("a", 7).toBuilder().setMaintenance(true).build();
    running(g, "a", 0);
    standby(g, "b", 1900);
    assertThat(decide(g, 1000)).isEmpty();
    List<Decision> d = decide(g, 2000);
    assertDeactivates(d, 7);
    assertThat(d.get(0).cause()).isEqualTo("maintenance_lease_expired");
    keeper.proposalDone("g");
    Group none = twoInstances("", 9).toBuilder().setMaintenance(true).build();
    standby(none, "b", 2100);
    assertThat(decide(none, 2100)).as("no automatic activation in maintenance").isEmpty();
    Group off = none.toBuilder().setMaintenance(false).build();
    assertActivates(decide(off, 2100), "b", 9, "no_active");
  }

  @Test
  void aGroupWithAProposalInFlightIsSkippedUntilDone() {
    Group g = twoInstances("a", 7);
    standby(g, "b", 0);
    keeper.fenced("g", "a", 7, FenceReason.HUNG, (T0 + 1) * MS);
    assertActivates(decide(g, 2), "b", 7, "hung");
    assertThat(keeper.inFlight("g")).isTrue();
    for (long t = 3; t < 900; t += 20) {
      standby(g, "b", t);
      assertThat(decide(g, t)).as("no second activation while the first is in flight").isEmpty();
    }
    keeper.proposalDone("g");
    assertThat(keeper.inFlight("g")).isFalse();
    // Refused or failed: the state is unchanged, so the keeper decides again (CAS protects it).
    assertActivates(decide(g, 901), "b", 7, "hung");
  }

  @Test
  void aProposalNeverReportedDoneIsDecidedAgainAfterTheLimit() {
    Group g = twoInstances("", 3);
    long limitMs = LeaseKeeper.IN_FLIGHT_LIMIT_NANOS / MS;
    standby(g, "b", 0);
    assertActivates(decide(g, 0), "b", 3, "no_active");
    standby(g, "b", limitMs - 10);
    assertThat(decide(g, limitMs - 10)).isEmpty();
    assertActivates(decide(g, limitMs), "b", 3, "no_active");
  }

  @Test
  void noFailoverInstancesAreNeverChosenAutomatically() {
    Group g = group("a", 7, spec("a", 0), InstanceSpec.newBuilder().setId("b").setPriority(100).setNoFailover(true).build());
    running(g, "a", 0);
    standby(g, "b", 1999);
    assertDeactivates(decide(g, 2000), 7);
    assertThat(keeper.isReady(g, "b", (T0 + 2000) * MS, false)).isFalse();
    assertThat(keeper.isReady(g, "b", (T0 + 2000) * MS, true)).as("an operator may still choose it").isTrue();
  }

  @Test
  void aStaleStandbyHeartbeatIsNotReady() {
    Group g = twoInstances("a", 7);
    running(g, "a", 0);
    standby(g, "b", 900);
    assertThat(keeper.isReady(g, "b", (T0 + 1900) * MS, false)).isTrue();
    assertThat(keeper.isReady(g, "b", (T0 + 1901) * MS, false)).isFalse();
    assertDeactivates(decide(g, 2000), 7);
  }

  @Test
  void onlyAStandbyRuntimeIsReady() {
    Group g = twoInstances("a", 7);
    running(g, "a", 0);
    for (RuntimeState r : List.of(RuntimeState.RUNTIME_STARTING, RuntimeState.RUNTIME_HUNG, RuntimeState.RUNTIME_DOWN,
        RuntimeState.RUNTIME_RUNNING)) {
      heartbeat(g, "b", r, 0, 1990);
      assertThat(keeper.isReady(g, "b", (T0 + 2000) * MS, false)).as("%s", r).isFalse();
    }
    assertDeactivates(decide(g, 2000), 7);
  }

  @Test
  void noReadyStandbyDeactivatesAndAnyReadyOneIsThenActivated() {
    Group g = twoInstances("a", 7);
    running(g, "a", 0);
    List<Decision> d = decide(g, 2000);
    assertDeactivates(d, 7);
    assertThat(d.get(0).command().getDeactivate().getReason()).contains("no ready standby");
    keeper.proposalDone("g");
    Group none = twoInstances("", 12);
    assertThat(decide(none, 2100)).isEmpty();
    standby(none, "b", 2200);
    assertActivates(decide(none, 2200), "b", 12, "no_active");
  }

  @Test
  void anExpiredLeaseIsNeverRenewed() {
    Group g = twoInstances("a", 7);
    running(g, "a", 0);
    standby(g, "b", 1900);
    assertActivates(decide(g, 2000), "b", 7, "lease_expired");
    assertThat(running(g, "a", 2001).leaseMillis()).as("late heartbeat while the failover is in flight").isZero();
    assertThat(keeper.activeLeases(state(g), (T0 + 2001) * MS)).isZero();
  }

  @Test
  void aNewActivationStartsAFreshLease() {
    Group g = twoInstances("a", 7);
    running(g, "a", 0);
    standby(g, "b", 1990);
    assertActivates(decide(g, 2000), "b", 7, "lease_expired");
    keeper.proposalDone("g");
    Group moved = twoInstances("b", 20);
    assertThat(decide(moved, 2001)).isEmpty();
    assertThat(running(moved, "b", 3000).leaseMillis()).isEqualTo(2000);
    assertThat(running(moved, "a", 3000).leaseMillis()).as("the old holder").isZero();
    assertThat(decide(moved, 4999)).isEmpty();
  }

  @Test
  void switchoverReleaseFlow() throws Exception {
    Group g = twoInstances("a", 7);
    CompletableFuture<CommandResult> done = new CompletableFuture<>();
    running(g, "a", 0);
    standby(g, "b", 0);
    keeper.requestRelease(new ReleaseRequest("g", "a", "b", 7, (T0 + 5000) * MS, done));
    assertThat(running(g, "a", 10)).isEqualTo(new Grant(2000, true));
    assertThat(heartbeat(g, "b", RuntimeState.RUNTIME_STANDBY, 0, 10).releaseRequested()).isFalse();
    assertThat(decide(g, 20)).as("waiting for a to confirm its stop").isEmpty();
    keeper.fenced("g", "a", 7, FenceReason.RELEASED, (T0 + 30) * MS);
    assertActivates(decide(g, 31), "b", 7, "switchover");
    keeper.proposalDone("g");
    assertThat(done).isNotDone();
    Group moved = twoInstances("b", 40);
    assertThat(decide(moved, 40)).isEmpty();
    assertThat(done.get().getToken()).isEqualTo(40);
    assertThat(done.get().getActive()).isEqualTo("b");
    assertThat(keeper.release("g")).isEmpty();
  }

  @Test
  void switchoverWorksInMaintenanceAndTimesOutWithoutConfirmation() {
    Group g = twoInstances("a", 7).toBuilder().setMaintenance(true).build();
    CompletableFuture<CommandResult> done = new CompletableFuture<>();
    running(g, "a", 0);
    standby(g, "b", 0);
    keeper.requestRelease(new ReleaseRequest("g", "a", "b", 7, (T0 + 1000) * MS, done));
    running(g, "a", 500);
    standby(g, "b", 500);
    assertThat(decide(g, 1000)).isEmpty();
    assertThat(decide(g, 1001)).isEmpty();
    assertThat(done).isCompletedExceptionally();
    assertThat(catchCause(done)).isInstanceOf(TimeoutException.class).hasMessageContaining("did not confirm");

    CompletableFuture<CommandResult> second = new CompletableFuture<>();
    keeper.requestRelease(new ReleaseRequest("g", "a", "b", 7, (T0 + 9000) * MS, second));
    keeper.fenced("g", "a", 7, FenceReason.RELEASED, (T0 + 1100) * MS);
    standby(g, "b", 1100);
    assertActivates(decide(g, 1101), "b", 7, "switchover");
  }

  @Test
  void aSwitchoverOvertakenByAnotherDecisionFails() {
    Group g = twoInstances("a", 7);
    CompletableFuture<CommandResult> done = new CompletableFuture<>();
    keeper.requestRelease(new ReleaseRequest("g", "a", "b", 7, (T0 + 9000) * MS, done));
    assertThat(decide(twoInstances("", 11), 10)).isEmpty();
    assertThat(catchCause(done)).isInstanceOf(IllegalStateException.class).hasMessageContaining("moved");
    CompletableFuture<CommandResult> lost = new CompletableFuture<>();
    keeper.requestRelease(new ReleaseRequest("g", "a", "b", 11, (T0 + 9000) * MS, lost));
    keeper.stepDown();
    assertThat(catchCause(lost)).hasMessageContaining("leadership lost");
  }

  private static Throwable catchCause(CompletableFuture<?> f) {
    try {
      f.get();
      throw new AssertionError("expected the future to fail");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aStandbyIsActivatedOnlyOnTheCurrentRevisionAndTheActivationCarriesIt() {
    Group g = twoInstances("a", 7).toBuilder().setCurrentRevision(9).build();
    FlowsRevision rev9 = FlowsRevision.newBuilder().setRevision(9).addModules("m@1").setCredentialKeyDigest("k").build();
    TandemState state = state(g).toBuilder()
        .putGroupData("g", GroupData.newBuilder().addRevisions(rev9).build()).build();
    running(g, "a", 0);
    keeper.heartbeat("g", "b", RuntimeState.RUNTIME_STANDBY, 0, 0, new RuntimeReport(8, List.of("m@1"), "k", ""),
        Optional.of(g), (T0 + 1990) * MS);
    List<Decision> d = keeper.decide(state, (T0 + 2000) * MS);
    assertDeactivates(d, 7);
    assertThat(d.get(0).command().getDeactivate().getReason())
        .contains("no ready standby (b: standby b has loaded revision 8, current is 9)");
    keeper.proposalDone("g");

    Group none = g.toBuilder().setActive("").setToken(12).build();
    TandemState noneState = state.toBuilder().putGroups("g", none).build();
    keeper.heartbeat("g", "b", RuntimeState.RUNTIME_STANDBY, 0, 0, new RuntimeReport(9, List.of("m@1"), "k", ""),
        Optional.of(none), (T0 + 2100) * MS);
    List<Decision> activate = keeper.decide(noneState, (T0 + 2100) * MS);
    assertActivates(activate, "b", 12, "no_active");
    assertThat(activate.get(0).command().getActivate().getExpectedRevision()).isEqualTo(9);
    assertThat(keeper.notReadyReason(none, rev9, "b", (T0 + 2100) * MS, false)).isEmpty();
    assertThat(keeper.notReadyReason(none, rev9, "b", (T0 + 3200) * MS, false)).get().asString()
        .contains("last heartbeat from b is 1100 ms old");
  }

  @Test
  void anInstanceKnownOnlyFromAFenceReportIsNotReadyForWantOfAHeartbeatInPlainWords() {
    Group g = twoInstances("a", 7);
    keeper.fenced("g", "a", 7, FenceReason.HUNG, (T0 + 5) * MS);
    assertThat(keeper.notReadyReason(g, null, "a", (T0 + 6) * MS, false)).get().asString()
        .isEqualTo("no heartbeat from a since this coordinator became the leader (only its report of a fenced token)")
        .doesNotContain("unspecified");
  }
}
