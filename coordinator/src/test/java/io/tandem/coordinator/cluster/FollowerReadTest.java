package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.HistoryRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A follower answers admin reads with what the cluster committed before the read arrived, never
 * with the state it applied so far (it learns of a commit only with the leader's next append).
 * CoordinatorFaultsIT saw the difference: right after a failover to b, a follower still said "a".
 */
class FollowerReadTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static final int ROUNDS = 20;

  @Test
  void aFollowerReadRightAfterACommitShowsIt() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      int leader = cluster.waitForLeader(LONG);
      client.createGroup("reads", "a", "b");
      cluster.awaitCaughtUp(LONG);
      List<ManagedChannel> channels = new ArrayList<>();
      List<AdminServiceGrpc.AdminServiceBlockingStub> followers = new ArrayList<>();
      for (int i = 0; i < cluster.size(); i++) {
        if (i != leader) {
          ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.grpcAddress(i)).usePlaintext().build();
          channels.add(ch);
          followers.add(AdminServiceGrpc.newBlockingStub(ch));
        }
      }
      try {
        long token = 0;
        for (int round = 0; round < ROUNDS; round++) {
          String to = round % 2 == 0 ? "a" : "b";
          // applied on the leader when this returns; the followers may not know it is committed
          token = ClusterFixtures.activateOk(cluster.server(leader), "reads", to, token);
          for (AdminServiceGrpc.AdminServiceBlockingStub f : followers) {
            GroupView g = f.withDeadlineAfter(5, TimeUnit.SECONDS)
                .getGroup(GetGroupRequest.newBuilder().setGroup("reads").build());
            assertThat(g.getActive()).as("round %d: active as a follower answers", round).isEqualTo(to);
            assertThat(g.getToken()).as("round %d: token as a follower answers", round).isEqualTo(token);
            int leaderHas = cluster.server(leader).raft().stateMachine().state()
                .getGroupsOrThrow("reads").getHistoryCount();
            int transitions = f.withDeadlineAfter(5, TimeUnit.SECONDS)
                .history(HistoryRequest.newBuilder().setGroup("reads").build()).getTransitionsCount();
            assertThat(transitions).as("round %d: history as a follower answers", round).isEqualTo(leaderHas);
          }
        }
      } finally {
        channels.forEach(ManagedChannel::shutdownNow);
      }
    }
  }
}
