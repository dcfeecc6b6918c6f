package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.ratis.RaftNode;
import io.tandem.coordinator.testing.JoiningCoordinator;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.admin.AddMemberRequest;
import io.tandem.proto.admin.MembersResponse;
import io.tandem.proto.admin.PeerInfo;
import io.tandem.proto.admin.RemoveMemberRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The quick operator (issue 13): a follower dies and its replacement is added at once, while the
 * leader's last answer from it is still recent. The add must not count the dead follower (the
 * four would need the new c4 for their majority): it is refused, naming the dead one, when it was
 * last heard and what to do; removing it and then adding c4 right away work, all under the same
 * leader in the same term.
 */
class QuickReplacementTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void anAddRightAfterAFollowerDiedIsRefusedAndRemoveThenAddKeepTheLeader() throws Exception {
    try (JoiningCoordinator c4 = JoiningCoordinator.prepare("c4");
        MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      cluster.waitForLeader(WAIT);
      client.createGroup("line1", "a", "b");
      cluster.awaitCaughtUp(WAIT);
      int leader = cluster.leaderIndex();
      String leaderId = cluster.config(leader).nodeId();
      long term = cluster.server(leader).raft().term();
      int dead = (leader + 1) % 3;
      String deadId = cluster.config(dead).nodeId();

      // the replacement runs (as a listener, join: true) before the follower dies
      c4.start(cluster, leader, deadId);
      AddMemberRequest addC4 = c4.addRequest();

      // the kill (a crash: no leadership transfer) takes a while in-process; the add goes once the
      // dead one has not answered for as long as the leader counts a follower for its majority
      RaftNode leaderRaft = cluster.server(leader).raft();
      Thread killer = new Thread(() -> cluster.kill(dead), "kill-" + deadId);
      killer.start();
      Waits.until(deadId + " stopped answering the leader", WAIT, () -> leaderRaft.followerAnsweredRequestAgeNanos()
          .getOrDefault(deadId, 0L) > TimeUnit.MILLISECONDS.toNanos(RaftNode.LEADER_COUNTS_ANSWERS_WITHIN_MS));
      long heardMillis = leaderRaft.followerLastContactMillis().getOrDefault(deadId, -1L);
      // the case of the issue: the leader heard from the dead one within the 1 s window it used
      assertThat(heardMillis).as("last answer of " + deadId + " when the add is sent").isBetween(0L, 1000L);
      assertThatThrownBy(() -> client.admin(s -> s.addMember(addC4)))
          .as("adding right after " + deadId + " died (last heard " + heardMillis + " ms before)")
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).contains(
                "remove the unreachable [" + deadId + "] first (tandemctl members remove " + deadId + ")",
                "retry when it is back", deadId + " last answered the leader ");
            System.out.println("add sent " + heardMillis + " ms after the leader last heard from " + deadId
                + ", refused: " + e.getStatus().getDescription());
          });
      killer.join();
      assertThat(cluster.server(leader).raft().members()).extracting(PeerConfig::id)
          .as("nothing was proposed").containsExactly("c1", "c2", "c3");

      // the operator goes on at once: remove, then add
      MembersResponse removed = client.admin(s -> s.withDeadlineAfter(30, TimeUnit.SECONDS)
          .removeMember(RemoveMemberRequest.newBuilder().setId(deadId).build()));
      assertThat(removed.getMembersList()).extracting(PeerInfo::getId).doesNotContain(deadId).hasSize(2);
      MembersResponse added = client.admin(s -> s.withDeadlineAfter(30, TimeUnit.SECONDS).addMember(addC4));
      assertThat(added.getMembersList()).extracting(PeerInfo::getId).contains("c4").doesNotContain(deadId)
          .hasSize(3);

      assertThat(cluster.leaderIndex()).as("the leader").isEqualTo(leader);
      assertThat(cluster.server(leader).raft().term()).as("no election: the term of " + leaderId).isEqualTo(term);
      client.createGroup("after", "a"); // and it commits
    }
  }
}
