package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.coordinator.testing.FakeAgent;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The lease keeper runs on the injected monotonic clock: expiry happens when that clock says so. */
class LeaseExpiryTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static final LeaseSettings LEASE = new LeaseSettings(
      Duration.ofSeconds(30), Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofMillis(20));

  private static GroupView leaderView(MiniCluster cluster) {
    ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.grpcAddress(cluster.waitForLeader(LONG)))
        .usePlaintext().build();
    try {
      return AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(Duration.ofSeconds(3))
          .getGroup(GetGroupRequest.newBuilder().setGroup("exp").build());
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void aSilentActiveIsReplacedOnlyAfterItsLeaseRanOutOnTheLeadersClock() throws Exception {
    AtomicLong skew = new AtomicLong();
    try (MiniCluster cluster = MiniCluster.builder().lease(LEASE)
            .nanos(() -> System.nanoTime() + skew.get()).start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      cluster.waitForLeader(LONG);
      client.createGroup("exp", "a", "b");
      FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "exp", "a").start(50);
      FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "exp", "b").start(50);
      try {
        Waits.until("one running, one ready", LONG, () ->
            (a.runningToken() > 0 || b.runningToken() > 0) && client.group("exp").getStandbysReady() == 1);
        FakeAgent active = a.runningToken() > 0 ? a : b;
        String standby = active == a ? "b" : "a";
        long token = client.group("exp").getToken();
        active.close(); // silent: no more heartbeats, no fenced report

        Waits.sleep(1500); // real time passes, but far less than the 30 s lease
        assertThat(client.group("exp").getToken()).isEqualTo(token);
        Waits.until("the leader reports lease left", LONG, () -> {
          long left = leaderView(cluster).getLeaseLeftMillis();
          return left > 0 && left <= 30_000;
        });

        skew.addAndGet(Duration.ofSeconds(31).toNanos()); // the leader's clock jumps past the lease
        Waits.until("standby activated", LONG, () -> client.group("exp").getActive().equals(standby));
        assertThat(client.group("exp").getToken()).isGreaterThan(token);
        double expiries = 0;
        for (int i = 0; i < cluster.size(); i++) {
          expiries += cluster.server(i).metrics().failovers("lease_expired");
        }
        assertThat(expiries).isEqualTo(1.0);
      } finally {
        a.close();
        b.close();
      }
    }
  }
}
