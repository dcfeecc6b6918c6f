package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.server.CoordinatorServer;
import io.tandem.coordinator.testing.FreePorts;
import io.tandem.coordinator.testing.JoiningCoordinator;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.admin.AddMemberRequest;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.MembersResponse;
import io.tandem.proto.admin.PeerInfo;
import io.tandem.proto.admin.RemoveMemberRequest;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.RuntimeState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replacing a dead coordinator on real Ratis servers: c3 dies for good; adding c4 first is
 * refused (the four would need c4 for a majority), so c3 is removed and then c4 joins with an
 * empty data dir and catches up; the group survives, every coordinator names c4's gRPC
 * address, and a removal that would leave no reachable majority is refused.
 */
class MembershipChangeTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void aDeadCoordinatorIsReplacedAndAChangeWithoutMajorityIsRefused() throws Exception {
    try (JoiningCoordinator c4 = JoiningCoordinator.prepare("c4");
        MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      cluster.waitForLeader(WAIT);
      client.createGroup("line1", "a", "b");
      cluster.awaitCaughtUp(WAIT);
      int dead = (cluster.leaderIndex() + 1) % 3;
      String deadId = cluster.config(dead).nodeId();
      cluster.kill(dead);

      PeerConfig newPeer = c4.peer();
      c4.start(cluster, cluster.leaderIndex(), deadId);
      // past its first election timeout (1-1.3 s): a node in its own initial group would have
      // campaigned by now, been told to shut down by the voters, and never caught up
      Thread.sleep(2500);

      assertThatThrownBy(() -> client.admin(s -> s.addMember(c4.addRequest())))
          .as("adding while " + deadId + " is dead would make the cluster depend on c4")
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).contains("remove the unreachable [" + deadId + "] first");
          });

      MembersResponse removed = client.admin(s -> s.withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
          .removeMember(RemoveMemberRequest.newBuilder().setId(deadId).build()));
      assertThat(removed.getMembersList()).extracting(PeerInfo::getId).doesNotContain(deadId).hasSize(2);

      MembersResponse added = client.admin(s -> s.withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
          .addMember(c4.addRequest()));
      assertThat(added.getMembersList()).extracting(PeerInfo::getId).contains("c4").doesNotContain(deadId)
          .hasSize(3);
      assertThat(added.getMembersList()).filteredOn(p -> p.getId().equals("c4"))
          .extracting(PeerInfo::getGrpcAddress).containsExactly(newPeer.grpc().toString());
      CoordinatorServer c4Server = c4.server();
      Waits.until("c4 applied the group", WAIT,
          () -> c4Server.raft().stateMachine().state().getGroupsMap().containsKey("line1"));

      // every coordinator, the new one included, names the members' gRPC addresses to agents
      try (TestClient atC4 = new TestClient(newPeer.grpc().toString())) {
        var status = atC4.admin(s -> s.clusterStatus(ClusterStatusRequest.getDefaultInstance()));
        assertThat(status.getPeersList()).extracting(PeerInfo::getId).doesNotContain(deadId).contains("c4");
      }
      HeartbeatResponse hb = client.agent(s -> s.heartbeat(HeartbeatRequest.newBuilder().setGroup("line1")
          .setInstance("a").setRuntime(RuntimeState.RUNTIME_STANDBY).build()));
      assertThat(hb.getCoordinatorsList()).contains(newPeer.grpc().toString())
          .doesNotContain(cluster.grpcAddress(dead)).hasSize(3);
      assertThat(hb.getAssignment().getExists()).isTrue();

      // with one more member down, removing a live one would leave a set without a majority
      int leader = cluster.leaderIndex();
      int other = -1;
      for (int i = 0; i < 3; i++) {
        if (i != dead && i != leader) {
          other = i;
        }
      }
      String otherId = cluster.config(other).nodeId();
      String leaderId = cluster.config(leader).nodeId();
      cluster.kill(other);
      Waits.until("the leader sees " + otherId + " as unreachable", WAIT, () -> cluster.leader() != null
          && cluster.leader().raft().followerLastContactMillis().getOrDefault(otherId, 0L) > 1000);
      assertThatThrownBy(() -> client.admin(s -> s.removeMember(
          RemoveMemberRequest.newBuilder().setId(leaderId).build())))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).contains("would lose the majority");
          });
      assertThat(cluster.leader().raft().members()).extracting(PeerConfig::id)
          .containsExactlyInAnyOrder(leaderId, otherId, "c4");
    }
  }

  @Test
  void aCoordinatorThatNeverCatchesUpFailsTheAddAndTheMembersStayAsTheyWere() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      cluster.waitForLeader(WAIT);
      cluster.awaitCaughtUp(WAIT);
      List<Integer> ports = FreePorts.pick(2); // nothing listens there
      assertThatThrownBy(() -> client.admin(s -> s.withDeadlineAfter(40, java.util.concurrent.TimeUnit.SECONDS)
          .addMember(AddMemberRequest.newBuilder().setId("c9").setRaftAddress("127.0.0.1:" + ports.get(0))
              .setGrpcAddress("127.0.0.1:" + ports.get(1)).build())))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).contains("did not catch up", "members are unchanged");
          });
      Waits.until("no change in progress", WAIT, () -> !cluster.leader().raft().membersChanging());
      assertThat(cluster.leader().raft().members()).extracting(PeerConfig::id).containsExactly("c1", "c2", "c3");
      client.createGroup("after", "a"); // the cluster still commits
    }
  }
}
