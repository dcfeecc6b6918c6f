package io.tandem.coordinator.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.coordinator.testing.FakeAgent;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.admin.SwitchoverResponse;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.WatchGroupRequest;
import java.time.Duration;
import java.util.Iterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SwitchoverTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static MiniCluster cluster;
  private static TestClient client;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = MiniCluster.start(3);
    cluster.waitForLeader(LONG);
    client = new TestClient(cluster.grpcAddresses(), LONG, 20_000);
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

  private static SwitchoverRequest switchover(String group, String to) {
    return SwitchoverRequest.newBuilder().setGroup(group).setToInstance(to).build();
  }

  @Test
  void plannedSwitchoverMovesTheActiveBothWaysAndWatchersSeeIt() {
    client.createGroup("sw", "a", "b");
    try (FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "sw", "a").start(50);
        FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "sw", "b").start(50)) {
      Waits.until("one running, one ready", LONG, () ->
          (a.runningToken() > 0 || b.runningToken() > 0) && client.group("sw").getStandbysReady() == 1);
      String from = client.group("sw").getActive();
      String to = from.equals("a") ? "b" : "a";
      long token = client.group("sw").getToken();

      ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.grpcAddress(cluster.waitForLeader(LONG)))
          .usePlaintext().build();
      try {
        Iterator<GroupUpdate> updates = AgentServiceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(Duration.ofSeconds(30))
            .watchGroup(WatchGroupRequest.newBuilder().setGroup("sw").setInstance(to).build());
        GroupUpdate first = updates.next();
        assertThat(first.getAssignment().getActive()).isEqualTo(from);
        assertThat(first.getAssignment().getToken()).isEqualTo(token);

        SwitchoverResponse r = client.admin(s -> s.switchover(switchover("sw", "")));
        System.out.printf("switchover %s -> %s: %d ms%n", r.getFromInstance(), r.getToInstance(), r.getElapsedMillis());
        assertThat(r.getFromInstance()).isEqualTo(from);
        assertThat(r.getToInstance()).isEqualTo(to);
        assertThat(r.getToken()).isGreaterThan(token);
        assertThat(client.group("sw").getActive()).isEqualTo(to);

        GroupUpdate u = updates.next();
        while (u.getAssignment().getToken() != r.getToken()) {
          u = updates.next(); // the release request comes first
        }
        assertThat(u.getAssignment().getActive()).isEqualTo(to);
      } finally {
        ch.shutdownNow();
      }

      FakeAgent toAgent = to.equals("a") ? a : b;
      Waits.until("new active runs", LONG, () -> toAgent.runningToken() > token);
      Waits.until("old active ready again", LONG, () -> client.group("sw").getStandbysReady() == 1);
      SwitchoverResponse back = client.admin(s -> s.switchover(switchover("sw", from)));
      assertThat(back.getToInstance()).isEqualTo(from);
      assertThat(client.group("sw").getActive()).isEqualTo(from);
    }
  }

  @Test
  void aSwitchoverTheActiveNeverConfirmsEndsWithDeadlineExceeded() {
    client.createGroup("silent", "a", "b");
    FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "silent", "a").start(50);
    FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "silent", "b").start(50);
    try {
      Waits.until("one running, one ready", LONG, () ->
          (a.runningToken() > 0 || b.runningToken() > 0) && client.group("silent").getStandbysReady() == 1);
      FakeAgent active = a.runningToken() > 0 ? a : b;
      String standby = active == a ? "b" : "a";
      long token = client.group("silent").getToken();
      active.close(); // its agent vanishes: nobody will confirm the release
      // One call, not retried: a client must not repeat a switchover that timed out.
      ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.grpcAddress(cluster.waitForLeader(LONG)))
          .usePlaintext().build();
      try {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
            () -> AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(Duration.ofSeconds(20))
                .switchover(SwitchoverRequest.newBuilder().setGroup("silent").setTimeoutMillis(800).build()));
        assertThat(e).isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(e.getStatus().getDescription())
            .contains("did not finish within 800 ms", "\"" + active.instance() + "\"");
      } finally {
        ch.shutdownNow();
      }
      // Afterwards the lease of the silent active still expires and the standby takes over.
      Waits.until("standby takes over after the lease", LONG,
          () -> client.group("silent").getActive().equals(standby));
      assertThat(client.group("silent").getToken()).isGreaterThan(token);
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void switchoverWithoutAReadyStandbyIsAPreconditionFailure() {
    client.createGroup("lonely", "a", "b");
    try (FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "lonely", "a").start(50)) {
      Waits.until("a running", LONG, () -> a.runningToken() > 0);
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> client.admin(s -> s.switchover(switchover("lonely", ""))));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      assertThat(e.getStatus().getDescription()).contains("no ready standby");
      assertThat(catchThrowableOfType(StatusRuntimeException.class,
          () -> client.admin(s -> s.switchover(switchover("lonely", "nobody")))).getStatus().getCode())
          .isEqualTo(Status.Code.NOT_FOUND);
      assertThat(catchThrowableOfType(StatusRuntimeException.class,
          () -> client.admin(s -> s.switchover(switchover("no-such-group", "")))).getStatus().getCode())
          .isEqualTo(Status.Code.NOT_FOUND);
    }
  }
}
