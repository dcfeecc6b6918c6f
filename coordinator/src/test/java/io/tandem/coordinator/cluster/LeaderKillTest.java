package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.ClusterStatusResponse;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.state.Activate;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaderKillTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  @Test
  void groupsAndTokensSurviveTheLeadersDeathAndANewLeaderAnswers() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      int first = cluster.waitForLeader(LONG);
      client.createGroup("line1", "a", "b");
      // Activate directly through Raft (no agents here) to give the group a token.
      CommandResult r = cluster.server(first).raft().submit(Command.newBuilder()
          .setActivate(Activate.newBuilder().setGroup("line1").setInstance("a")
              .setExpectedToken(0).setReason("test"))
          .build()).get();
      assertThat(r.getOutcome()).isEqualTo(Outcome.OK);
      long token = r.getToken();
      assertThat(token).isPositive();
      cluster.awaitCaughtUp(LONG);

      long killedAt = System.nanoTime();
      cluster.kill(first);
      int second = cluster.waitForLeader(LONG);
      ClusterStatusResponse status = client.admin(s -> s.clusterStatus(
          ClusterStatusRequest.getDefaultInstance()));
      System.out.printf("leader killed -> new leader answering: %d ms%n",
          (System.nanoTime() - killedAt) / 1_000_000);

      assertThat(second).isNotEqualTo(first);
      assertThat(status.getLeaderId()).isNotEqualTo("c" + (first + 1)).isNotEmpty();
      GroupView g = client.group("line1");
      assertThat(g.getActive()).isEqualTo("a");
      assertThat(g.getToken()).isEqualTo(token);
      assertThat(status.getGroupsList()).extracting(GroupView::getName).containsExactly("line1");
    }
  }
}
