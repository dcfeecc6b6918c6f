package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.ratis.RaftNode;
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
import io.tandem.proto.agent.RuntimeState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * members add goes through a Raft listener (issue 13): the new coordinator catches up without
 * counting for any majority, and becomes a member only after a liveness check made once it has
 * caught up. The states an add goes through (a listener while it catches up or after a leader
 * change interrupted the add, one that falls behind) are set up directly with
 * {@link RaftNode#changeConfiguration}, so that no test depends on how long Ratis takes to stage
 * a peer.
 */
class ListenerAddTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  /**
   * The check made once the new coordinator caught up as a listener. A member dies while c4 is a
   * listener (its add under way, or interrupted by a leader change); the add then refuses at that
   * second check, takes the listener out and leaves the members as they were.
   *
   * <p>The state is set up directly, with c4 running and caught up before the kill: a first
   * version started c4 only after the kill, so that the leader staged a peer that did not answer
   * yet; on a CI run on JDK 25 that staging did not end within the add's 40 s (Ratis kept it
   * PROGRESSING once c4 answered), the client retried, and the retry was refused by the first
   * check instead: a test of Ratis' staging timing, not of the second check.
   */
  @Test
  void aMemberDeadWhileTheNewCoordinatorIsAListenerFailsTheAddAndTheMembersStayAsTheyWere() throws Exception {
    try (JoiningCoordinator joining = JoiningCoordinator.prepare("c4");
        MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      cluster.waitForLeader(WAIT);
      client.createGroup("line1", "a", "b");
      cluster.awaitCaughtUp(WAIT);
      int leader = cluster.leaderIndex();
      RaftNode leaderRaft = cluster.server(leader).raft();
      long term = leaderRaft.term();
      int victim = (leader + 1) % 3;
      String victimId = cluster.config(victim).nodeId();
      PeerConfig newPeer = joining.peer();
      joining.start(cluster, leader);
      List<PeerConfig> three = leaderRaft.members();
      leaderRaft.changeConfiguration(three, List.of(), three, List.of(newPeer)).get(30, TimeUnit.SECONDS);
      long committed = leaderRaft.commitIndex();
      Waits.until("c4 holds every committed entry as a listener", WAIT,
          () -> leaderRaft.followerProgress().containsKey("c4")
              && leaderRaft.followerProgress().get("c4").matchIndex() >= committed);

      // a member dies while c4 is a listener; the leader stops counting it
      cluster.kill(victim);
      Waits.until(victimId + " stopped answering the leader", WAIT, () -> leaderRaft.followerAnsweredRequestAgeNanos()
          .getOrDefault(victimId, 0L) > TimeUnit.MILLISECONDS.toNanos(RaftNode.LEADER_COUNTS_ANSWERS_WITHIN_MS));

      assertThatThrownBy(() -> client.admin(s -> s.withDeadlineAfter(40, TimeUnit.SECONDS)
          .addMember(joining.addRequest())))
          .as("the add, with " + victimId + " dead while c4 is a listener")
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).contains("after it caught up as a Raft listener",
                "remove the unreachable [" + victimId + "] first", "c4 was removed again",
                "the members are unchanged");
            System.out.println("refused: " + e.getStatus().getDescription());
          });
      assertThat(leaderRaft.members()).extracting(PeerConfig::id).containsExactly("c1", "c2", "c3");
      assertThat(leaderRaft.listeners()).as("listeners left").isEmpty();
      assertThat(cluster.leaderIndex()).as("the leader").isEqualTo(leader);
      assertThat(leaderRaft.term()).as("no election").isEqualTo(term);
      client.createGroup("after", "a"); // the two live members still commit
    }
  }

  @Test
  void aListenerIsShownAsSuchIsNotHandedToAgentsAndTheAddPromotesIt() throws Exception {
    try (JoiningCoordinator joining = JoiningCoordinator.prepare("c4");
        MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      cluster.waitForLeader(WAIT);
      client.createGroup("line1", "a", "b");
      cluster.awaitCaughtUp(WAIT);
      int leader = cluster.leaderIndex();
      RaftNode leaderRaft = cluster.server(leader).raft();
      PeerConfig newPeer = joining.peer();
      CoordinatorServer c4 = joining.create(cluster, leader);
      c4.start();
      List<PeerConfig> three = leaderRaft.members();

      // the state an add is in while c4 catches up, or after a leader change interrupted it
      leaderRaft.changeConfiguration(three, List.of(), three, List.of(newPeer)).get(30, TimeUnit.SECONDS);
      assertThat(leaderRaft.listeners()).containsExactly(newPeer);
      assertThat(leaderRaft.members()).isEqualTo(three);
      List<PeerInfo> peers = client.admin(s -> s.clusterStatus(ClusterStatusRequest.getDefaultInstance()))
          .getPeersList();
      assertThat(peers).filteredOn(p -> p.getId().equals("c4")).extracting(PeerInfo::getRole)
          .containsExactly("LISTENER");
      assertThat(heartbeatCoordinators(client)).as("agents are handed members only")
          .hasSize(3).doesNotContain(newPeer.grpc().toString());
      assertThatThrownBy(() -> client.admin(s -> s.addMember(AddMemberRequest.newBuilder().setId("c5")
          .setRaftAddress("127.0.0.1:1").setGrpcAddress("127.0.0.1:2").build())))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
              .contains("coordinator c4 is a Raft listener", "tandemctl members remove c4"));

      // a remove takes the listener out; the members never changed
      MembersResponse removed = client.admin(s -> s.withDeadlineAfter(30, TimeUnit.SECONDS)
          .removeMember(RemoveMemberRequest.newBuilder().setId("c4").build()));
      assertThat(removed.getMembersList()).extracting(PeerInfo::getId).containsExactly("c1", "c2", "c3");
      assertThat(leaderRaft.listeners()).isEmpty();

      // listener again; the add goes on from the catch-up and promotes it without staging it again
      leaderRaft.changeConfiguration(three, List.of(), three, List.of(newPeer)).get(30, TimeUnit.SECONDS);
      long start = System.nanoTime();
      MembersResponse added = client.admin(s -> s.withDeadlineAfter(30, TimeUnit.SECONDS)
          .addMember(joining.addRequest()));
      long addMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(added.getMembersList()).extracting(PeerInfo::getId).containsExactly("c1", "c2", "c3", "c4");
      assertThat(added.getMembersList()).extracting(PeerInfo::getRole).doesNotContain("LISTENER");
      assertThat(leaderRaft.listeners()).isEmpty();
      CoordinatorServer c4Server = c4;
      Waits.until("c4 is a follower", WAIT, () -> c4Server.raft().role().name().equals("FOLLOWER"));
      assertThat(heartbeatCoordinators(client)).hasSize(4).contains(newPeer.grpc().toString());
      System.out.println("promoting the caught-up listener c4 took " + addMillis + " ms");

      // a later add that never catches up must not cost the promoted c4 its log appender (Ratis
      // stops every appender of a peer not marked caught up when a staging fails)
      List<Integer> nobody = FreePorts.pick(2);
      assertThatThrownBy(() -> client.admin(s -> s.withDeadlineAfter(40, TimeUnit.SECONDS)
          .addMember(AddMemberRequest.newBuilder().setId("c9").setRaftAddress("127.0.0.1:" + nobody.get(0))
              .setGrpcAddress("127.0.0.1:" + nobody.get(1)).build())))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
              .contains("did not catch up", "members are unchanged"));
      client.createGroup("after", "a");
      Waits.until("c4 applied a group created after the failed add", WAIT,
          () -> c4Server.raft().stateMachine().state().getGroupsMap().containsKey("after"));
      assertThat(leaderRaft.followerProgress()).as("the leader's appenders").containsKey("c4");
    }
  }

  @Test
  void aListenerThatFallsBehindIsRemovedAgainAfterTheBoundedWait() throws Exception {
    try (JoiningCoordinator joining = JoiningCoordinator.prepare("c4");
        MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      cluster.waitForLeader(WAIT);
      cluster.awaitCaughtUp(WAIT);
      int leader = cluster.leaderIndex();
      RaftNode leaderRaft = cluster.server(leader).raft();
      PeerConfig newPeer = joining.peer();
      CoordinatorServer c4 = joining.create(cluster, leader);
      c4.start();
      List<PeerConfig> three = leaderRaft.members();
      leaderRaft.changeConfiguration(three, List.of(), three, List.of(newPeer)).get(30, TimeUnit.SECONDS);
      // c4 stops, and the cluster commits on: c4 never holds what was committed before the wait
      c4.kill();
      client.createGroup("line1", "a", "b");

      long start = System.nanoTime();
      assertThatThrownBy(() -> client.admin(s -> s.withDeadlineAfter(30, TimeUnit.SECONDS)
          .addMember(joining.addRequest())))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).contains("c4 did not catch up within 5000 ms as a Raft"
                + " listener", "c4 was removed again", "the members are unchanged");
          });
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(millis).as("refused after the bounded wait").isGreaterThanOrEqualTo(5000);
      assertThat(leaderRaft.listeners()).isEmpty();
      assertThat(leaderRaft.members()).isEqualTo(three);
      client.createGroup("after", "a");
    }
  }

  /**
   * The coordinators a heartbeat's answer hands the agent. A leader whose tick runs late refuses
   * heartbeats with RESOURCE_EXHAUSTED and "retry in about 250 ms" (the overload guard; seen here
   * at a load average of 4 on 2 cores); the test does what an agent does: it sends the next one.
   */
  private static List<String> heartbeatCoordinators(TestClient client) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return client.agent(s -> s.heartbeat(HeartbeatRequest.newBuilder().setGroup("line1").setInstance("a")
            .setRuntime(RuntimeState.RUNTIME_STANDBY).build())).getCoordinatorsList();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.RESOURCE_EXHAUSTED || System.nanoTime() > deadline) {
          throw e;
        }
        Waits.sleep(250);
      }
    }
  }
}
