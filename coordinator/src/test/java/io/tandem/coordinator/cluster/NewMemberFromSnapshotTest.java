package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.common.config.HostPort;
import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.server.CoordinatorServer;
import io.tandem.coordinator.testing.FreePorts;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TempDirs;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.admin.AddMemberRequest;
import io.tandem.proto.admin.RemoveMemberRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    Path c4Dir = Files.createTempDirectory("tandem-c4-");
    CoordinatorServer c4 = null;
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start();
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

      List<Integer> ports = FreePorts.pick(2);
      PeerConfig newPeer = new PeerConfig("c4", new HostPort("127.0.0.1", ports.get(0)),
          new HostPort("127.0.0.1", ports.get(1)));
      CoordinatorConfig base = cluster.config(leader);
      List<PeerConfig> peers = new ArrayList<>(
          base.peers().stream().filter(p -> !p.id().equals(deadId)).toList());
      peers.add(newPeer);
      c4 = new CoordinatorServer(new CoordinatorConfig("c4", base.clusterId(), c4Dir.resolve("data"),
          peers, Optional.empty(), base.lease(), base.switchoverTimeout(), base.flows(), true));
      c4.start();
      client.admin(s -> s.withDeadlineAfter(30, TimeUnit.SECONDS)
          .addMember(AddMemberRequest.newBuilder().setId("c4").setRaftAddress(newPeer.raft().toString())
              .setGrpcAddress(newPeer.grpc().toString()).build()));

      CoordinatorServer added = c4;
      Waits.until("c4 applied the snapshot's group", WAIT,
          () -> added.raft().stateMachine().state().getGroupsMap().containsKey("line1"));
      client.createGroup("after", "p", "q");
      Waits.until("c4 applies what follows the snapshot", WAIT,
          () -> added.raft().stateMachine().state().getGroupsMap().containsKey("after"));
      assertThat(added.raft().stateMachine().state().getGroupsMap())
          .isEqualTo(cluster.leader().raft().stateMachine().state().getGroupsMap());
    } finally {
      if (c4 != null) {
        c4.kill();
      }
      TempDirs.delete(c4Dir);
    }
  }
}
