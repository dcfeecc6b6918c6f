package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.server.CoordinatorServer;
import io.tandem.coordinator.testing.JoiningCoordinator;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.admin.RemoveMemberRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A coordinator added while the leader holds a snapshot (any leader that was stopped once has
 * one) is sent that snapshot first, as a bootstrapping peer. Before TandemStateMachine could be
 * paused, reloading it failed Ratis' PAUSED check and closed the new member's Raft server.
 */
class NewMemberFromSnapshotTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void aCoordinatorAddedWhileTheLeaderHoldsASnapshotInstallsItAndKeepsFollowing() throws Exception {
    try (JoiningCoordinator c4 = JoiningCoordinator.prepare("c4");
        MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      cluster.waitForLeader(WAIT);
      client.createGroup("line1", "a", "b");
      cluster.awaitCaughtUp(WAIT);
      int dead = (cluster.leaderIndex() + 1) % 3;
      String deadId = cluster.config(dead).nodeId();
      cluster.kill(dead);
      client.admin(s -> s.withDeadlineAfter(30, TimeUnit.SECONDS)
          .removeMember(RemoveMemberRequest.newBuilder().setId(deadId).build()));
      int leader = cluster.waitForLeader(WAIT);
      assertThat(cluster.server(leader).raft().takeSnapshot(10_000)).isPositive();

      CoordinatorServer added = c4.start(cluster, leader, deadId);
      client.admin(s -> s.withDeadlineAfter(30, TimeUnit.SECONDS).addMember(c4.addRequest()));

      Waits.until("c4 applied the snapshot's group", WAIT,
          () -> added.raft().stateMachine().state().getGroupsMap().containsKey("line1"));
      client.createGroup("after", "p", "q");
      Waits.until("c4 applies what follows the snapshot", WAIT,
          () -> added.raft().stateMachine().state().getGroupsMap().containsKey("after"));
      assertThat(added.raft().stateMachine().state().getGroupsMap())
          .isEqualTo(cluster.leader().raft().stateMachine().state().getGroupsMap());
    }
  }
}
