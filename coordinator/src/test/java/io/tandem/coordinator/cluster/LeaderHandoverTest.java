package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.WatchGroupRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeaderHandoverTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  @Test
  void aPlannedStopHandsLeadershipOverAndSendsWatchersToTheNewLeader() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      int leader = cluster.waitForLeader(LONG);
      client.createGroup("w", "a", "b");
      long token = ClusterFixtures.activateOk(cluster.leader(), "w", "a", 0);

      List<GroupUpdate> updates = new CopyOnWriteArrayList<>();
      CompletableFuture<Throwable> ended = new CompletableFuture<>();
      ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.grpcAddress(leader)).usePlaintext().build();
      try {
        AgentServiceGrpc.newStub(ch).watchGroup(
            WatchGroupRequest.newBuilder().setGroup("w").setInstance("b").build(),
            new StreamObserver<>() {
              @Override public void onNext(GroupUpdate u) {
                updates.add(u);
              }

              @Override public void onError(Throwable t) {
                ended.complete(t);
              }

              @Override public void onCompleted() {
                ended.complete(null);
              }
            });
        Waits.until("first update", LONG, () -> !updates.isEmpty());
        assertThat(updates.get(0).getAssignment().getActive()).isEqualTo("a");
        assertThat(updates.get(0).getAssignment().getToken()).isEqualTo(token);

        long t0 = System.nanoTime();
        cluster.stop(leader); // planned: transfers leadership before closing
        int next = cluster.waitForLeader(LONG);
        System.out.printf("planned stop -> new leader ready: %d ms%n", (System.nanoTime() - t0) / 1_000_000);

        Throwable t = ended.get(30, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(StatusRuntimeException.class);
        assertThat(Status.fromThrowable(t).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(CoordinatorEndpoints.leaderHint(t)).contains(cluster.grpcAddress(next));
        assertThat(client.group("w").getToken()).isEqualTo(token);
      } finally {
        ch.shutdownNow();
      }
    }
  }
}
