package io.tandem.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.common.config.HostPort;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.testing.MiniCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.junit.jupiter.api.Test;

class PeerListCheckTest {
  private static PeerConfig peer(String id, int raft) {
    return new PeerConfig(id, new HostPort("127.0.0.1", raft), new HostPort("127.0.0.1", raft + 100));
  }

  private static final Map<String, String> RUNNING =
      Map.of("c1", "127.0.0.1:7201", "c2", "127.0.0.1:7202", "c3", "127.0.0.1:7203");

  @Test
  void matchingListsHaveNoDifference() {
    assertThat(PeerListCheck.differences(List.of(peer("c1", 7201), peer("c2", 7202), peer("c3", 7203)), RUNNING))
        .isEmpty();
  }

  @Test
  void aWrongAddressAnExtraPeerAndAMissingPeerAreEachSaid() {
    List<String> diff = PeerListCheck.differences(
        List.of(peer("c1", 7201), peer("c2", 7999), peer("c4", 7204)), RUNNING);
    assertThat(diff).containsExactly(
        "peer c2 has raft address 127.0.0.1:7999 in the config but 127.0.0.1:7202 in the cluster's"
            + " Raft configuration (which Raft uses)",
        "peer c4 (raft 127.0.0.1:7204) is in the config but not in the cluster's Raft configuration",
        "peer c3 (raft 127.0.0.1:7203) is in the cluster's Raft configuration but not in the config");
  }

  @Test
  void aNodeRestartedWithAWrongPeerAddressRunsWithTheStoredConfigurationWhichTheCheckReports()
      throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start()) {
      cluster.waitForLeader(Duration.ofSeconds(60));
      cluster.awaitCaughtUp(Duration.ofSeconds(60));
      int follower = (cluster.leaderIndex() + 1) % cluster.size();
      cluster.kill(follower);
      CoordinatorConfig right = cluster.config(follower);
      List<PeerConfig> wrong = new ArrayList<>(right.peers());
      int other = (follower + 1) % cluster.size();
      PeerConfig o = wrong.get(other);
      wrong.set(other, new PeerConfig(o.id(), new HostPort("127.0.0.1", 1), o.grpc()));
      CoordinatorConfig cfg = new CoordinatorConfig(right.nodeId(), right.clusterId(), right.dataDir(),
          wrong, right.metricsAddress(), right.lease(), right.switchoverTimeout());
      CoordinatorServer s = new CoordinatorServer(cfg);
      try {
        s.start();
        assertThat(PeerListCheck.differences(cfg.peers(), s.raft().raftConfPeers()))
            .containsExactly("peer " + o.id() + " has raft address 127.0.0.1:1 in the config but "
                + o.raft() + " in the cluster's Raft configuration (which Raft uses)");
      } finally {
        s.kill();
      }
    }
  }

  private static final Map<String, String> TWO = Map.of("c1", "127.0.0.1:7201", "c2", "127.0.0.1:7202");
  private static final List<PeerConfig> WITH_C4 = List.of(peer("c1", 7201), peer("c2", 7202), peer("c4", 7204));

  @Test
  void aJoiningListenerIsNotReportedAsMissingFromTheClusterButOtherDifferencesAre() {
    assertThat(PeerListCheck.waitingToJoin(true, RaftPeerRole.LISTENER, "c4", TWO)).isTrue();
    assertThat(PeerListCheck.differencesToReport(WITH_C4, TWO, "c4", true)).isEmpty();
    List<PeerConfig> wrongC2 = List.of(peer("c1", 7201), peer("c2", 7999), peer("c4", 7204));
    assertThat(PeerListCheck.differencesToReport(wrongC2, TWO, "c4", true)).containsExactly(
        "peer c2 has raft address 127.0.0.1:7999 in the config but 127.0.0.1:7202 in the cluster's"
            + " Raft configuration (which Raft uses)");
  }

  @Test
  void withoutJoinOrOnceAMemberTheMissingPeerIsReported() {
    assertThat(PeerListCheck.waitingToJoin(false, RaftPeerRole.LISTENER, "c4", TWO)).isFalse();
    assertThat(PeerListCheck.waitingToJoin(true, RaftPeerRole.FOLLOWER, "c4", TWO)).isFalse();
    Map<String, String> three = Map.of("c1", "127.0.0.1:7201", "c2", "127.0.0.1:7202", "c4", "127.0.0.1:7204");
    assertThat(PeerListCheck.waitingToJoin(true, RaftPeerRole.LISTENER, "c4", three)).isFalse();
    assertThat(PeerListCheck.differencesToReport(WITH_C4, TWO, "c4", false)).containsExactly(
        "peer c4 (raft 127.0.0.1:7204) is in the config but not in the cluster's Raft configuration");
  }

  @Test
  void theJoinWaitMessageNamesTheCommandThatAddsTheNode() {
    assertThat(PeerListCheck.joinWaitMessage(peer("c4", 7204), new java.util.TreeMap<>(TWO)))
        .startsWith("c4 waits to be added to the cluster (join: true): it is a Raft listener, not a member of"
            + " {c1=127.0.0.1:7201, c2=127.0.0.1:7202} yet")
        .contains("tandemctl members add c4 127.0.0.1:7204 127.0.0.1:7304");
  }
}
