package io.tandem.coordinator.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.coordinator.testing.FakeAgent;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.CreateGroupRequest;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.RuntimeState;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AgentServiceTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  /** A lease far longer than any wait below: a failover seen here came from the fenced path. */
  private static final LeaseSettings SLOW_LEASE = new LeaseSettings(
      Duration.ofSeconds(60), Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofMillis(20));

  private static MiniCluster cluster;
  private static TestClient client;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = MiniCluster.builder().size(3).lease(SLOW_LEASE).start();
    cluster.waitForLeader(LONG);
    client = new TestClient(cluster.grpcAddresses());
  }

  @AfterAll
  static void stopCluster() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static HeartbeatRequest beat(String group, String instance, RuntimeState rt, long running) {
    return HeartbeatRequest.newBuilder().setGroup(group).setInstance(instance).setRuntime(rt)
        .setRunningToken(running).build();
  }

  @Test
  void leaseIsGrantedOnlyToTheCommittedActive() {
    client.createGroup("lease", "a", "b");
    // b starts once a is active: started together, whichever first heartbeat reaches the leader
    // first is activated, and on a loaded machine a's (its channel connecting) often came second
    try (FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "lease", "a").start(100)) {
      Waits.until("a active with a lease", LONG, () -> a.runningToken() > 0);
      leaseOnlyForTheActive(a);
    }
  }

  private void leaseOnlyForTheActive(FakeAgent a) {
    try (FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "lease", "b").start(100)) {
      Waits.until("b heard", LONG, () -> b.last() != null);
      long token = client.group("lease").getToken();
      assertThat(client.group("lease").getActive()).isEqualTo("a");
      assertThat(a.last().getLeaseMillis()).isEqualTo(SLOW_LEASE.lease().toMillis());
      assertThat(a.last().getAssignment().getToken()).isEqualTo(token);

      HeartbeatResponse claim = client.agent(s -> s.heartbeat(
          beat("lease", "b", RuntimeState.RUNTIME_RUNNING, token)));
      assertThat(claim.getLeaseMillis()).isZero();
      assertThat(claim.getAssignment().getActive()).isEqualTo("a");
      assertThat(claim.getRefusal()).as("a standby is not refused, it holds no lease by design").isEmpty();
      assertThat(a.last().getRefusal()).isEmpty();
      HeartbeatResponse stranger = client.agent(s -> s.heartbeat(
          beat("lease", "zz", RuntimeState.RUNTIME_STANDBY, 0)));
      assertThat(stranger.getLeaseMillis()).isZero();
      assertThat(stranger.getRefusal())
          .startsWith("instance \"zz\" is not a member of group \"lease\" (members: a, b)");
      HeartbeatResponse unknown = client.agent(s -> s.heartbeat(
          beat("no-such-group", "a", RuntimeState.RUNTIME_STANDBY, 0)));
      assertThat(unknown.getAssignment().getExists()).isFalse();
      assertThat(unknown.getLeaseMillis()).isZero();
      assertThat(unknown.getRefusal()).startsWith("group \"no-such-group\" does not exist");
      assertThat(b.leasesGranted()).isZero();
    }
  }

  @Test
  void fencedReportActivatesTheStandbyWithoutWaitingForTheLease() throws Exception {
    client.createGroup("fenced", "a", "b");
    try (FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "fenced", "a").start(100);
        FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "fenced", "b").start(100)) {
      Waits.until("one of them running", LONG, () -> a.runningToken() > 0 || b.runningToken() > 0);
      FakeAgent active = a.runningToken() > 0 ? a : b;
      FakeAgent standby = active == a ? b : a;
      Waits.until("standby ready", LONG,
          () -> client.group("fenced").getStandbysReady() == 1);
      long before = client.group("fenced").getToken();
      double crashedBefore = cluster.leader().metrics().failovers("crashed");
      long t0 = System.nanoTime();
      active.crash();
      // The lease is 60 s: only the fenced fast path can move the assignment within 20 s.
      Waits.until("standby active", Duration.ofSeconds(20),
          () -> client.group("fenced").getActive().equals(standby.instance()));
      System.out.printf("fenced report -> standby committed: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
      assertThat(client.group("fenced").getToken()).isGreaterThan(before);
      Waits.until("standby running", LONG, () -> standby.runningToken() > before);
      assertThat(cluster.leader().metrics().failovers("crashed")).isGreaterThan(crashedBefore);
    }
  }

  @Test
  void aFollowerAnswersUnavailableWithTheLeadersAddress() {
    int leader = cluster.waitForLeader(LONG);
    int follower = (leader + 1) % cluster.size();
    ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.grpcAddress(follower)).usePlaintext().build();
    try {
      var agent = AgentServiceGrpc.newBlockingStub(ch).withDeadlineAfter(3, TimeUnit.SECONDS);
      StatusRuntimeException e = (StatusRuntimeException) org.assertj.core.api.Assertions.catchThrowable(
          () -> agent.heartbeat(beat("x", "a", RuntimeState.RUNTIME_STANDBY, 0)));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(CoordinatorEndpoints.leaderHint(e)).contains(cluster.grpcAddress(leader));

      var admin = AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(3, TimeUnit.SECONDS);
      StatusRuntimeException w = (StatusRuntimeException) org.assertj.core.api.Assertions.catchThrowable(
          () -> admin.createGroup(CreateGroupRequest.newBuilder().setGroup("via-follower").build()));
      assertThat(w.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(CoordinatorEndpoints.leaderHint(w)).contains(cluster.grpcAddress(leader));
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void badHeartbeatsAreRefusedAsInvalidArgument() {
    assertThatThrownBy(() -> client.agent(s -> s.heartbeat(beat("bad name!", "a", RuntimeState.RUNTIME_STANDBY, 0))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("bad name!");
        });
    assertThatThrownBy(() -> client.agent(s -> s.heartbeat(
            beat("g", "a", RuntimeState.RUNTIME_STATE_UNSPECIFIED, 0))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThatThrownBy(() -> client.agent(s -> s.heartbeat(beat("g", "a", RuntimeState.RUNTIME_STANDBY, -5))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
            assertThat(e.getStatus().getDescription()).contains("running_token"));
  }
}
