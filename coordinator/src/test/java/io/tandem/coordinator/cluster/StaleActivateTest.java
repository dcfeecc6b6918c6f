package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tandem.coordinator.grpc.Errors;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StaleActivateTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  @Test
  void anActivateWithAnOldTokenIsRefusedAndChangesNothing() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      cluster.waitForLeader(LONG);
      client.createGroup("stale", "a", "b");
      long t1 = ClusterFixtures.activateOk(cluster.leader(), "stale", "a", 0);
      long t2 = ClusterFixtures.activateOk(cluster.leader(), "stale", "b", t1);
      assertThat(t2).isGreaterThan(t1);
      cluster.awaitCaughtUp(LONG);
      Group before = cluster.leader().raft().stateMachine().state().getGroupsOrThrow("stale");

      CommandResult stale = ClusterFixtures.activate(cluster.leader(), "stale", "a", t1);

      assertThat(stale.getOutcome()).isEqualTo(Outcome.STALE_TOKEN);
      assertThat(Errors.outcome(stale).getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
      cluster.awaitCaughtUp(LONG);
      for (int i = 0; i < cluster.size(); i++) {
        Group g = cluster.server(i).raft().stateMachine().state().getGroupsOrThrow("stale");
        assertThat(g.getActive()).isEqualTo("b");
        assertThat(g.getToken()).isEqualTo(t2);
        assertThat(g.getHistoryList()).isEqualTo(before.getHistoryList());
      }
    }
  }
}
