package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.state.TandemState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RestartTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  @Test
  void aRestartedFollowerCatchesUpWithWhatItMissed() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      int leader = cluster.waitForLeader(LONG);
      client.createGroup("early", "a", "b");
      int follower = (leader + 1) % cluster.size();
      cluster.kill(follower);
      client.createGroup("missed", "a", "b");
      long token = ClusterFixtures.activateOk(readyLeader(cluster), "missed", "b", 0);

      cluster.startPeer(follower);
      cluster.awaitCaughtUp(LONG);

      // Leadership may move back to the restarted peer (it has the higher priority): compare
      // once the applied indices agree.
      Waits.until("same applied index", LONG, () -> {
        int now = cluster.waitForLeader(LONG);
        return cluster.server(follower).raft().lastAppliedIndex()
            == cluster.server(now).raft().lastAppliedIndex();
      });
      int now = cluster.waitForLeader(LONG);
      TandemState expected = cluster.server(now).raft().stateMachine().state();
      TandemState restarted = cluster.server(follower).raft().stateMachine().state();
      assertThat(restarted.getGroupsMap()).isEqualTo(expected.getGroupsMap());
      assertThat(restarted.getGroupsOrThrow("missed").getToken()).isEqualTo(token);
    }
  }

  @Test
  void aWholeClusterRestartKeepsGroupsAssignmentsAndTokens() throws Exception {
    wholeClusterRestart(false);
  }

  @Test
  void aWholeClusterRestartFromSnapshotsKeepsEverything() throws Exception {
    wholeClusterRestart(true);
  }

  private void wholeClusterRestart(boolean snapshot) throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start()) {
      TandemState before;
      try (TestClient client = new TestClient(cluster.grpcAddresses())) {
        cluster.waitForLeader(LONG);
        client.createGroup("g1", "a", "b");
        client.createGroup("g2", "x", "y");
        long t = ClusterFixtures.activateOk(readyLeader(cluster), "g1", "a", 0);
        ClusterFixtures.activateOk(readyLeader(cluster), "g1", "b", t);
        if (snapshot) {
          cluster.awaitCaughtUp(LONG);
          for (int i = 0; i < cluster.size(); i++) {
            assertThat(cluster.server(i).raft().takeSnapshot(10_000)).isPositive();
          }
          client.createGroup("after-snapshot", "p", "q");
        }
        cluster.awaitCaughtUp(LONG);
        before = readyLeader(cluster).raft().stateMachine().state();
      }
      if (snapshot) {
        for (int i = 0; i < cluster.size(); i++) {
          assertThat(snapshotFiles(cluster.dataDir(i))).as("snapshot of peer %d", i).isPositive();
        }
      }
      cluster.stopAll();
      cluster.startAll();
      cluster.waitForLeader(LONG);
      try (TestClient client = new TestClient(cluster.grpcAddresses())) {
        Waits.until("state restored", LONG, () -> client.group("g1").getActive().equals("b"));
        cluster.awaitCaughtUp(LONG);
        for (int i = 0; i < cluster.size(); i++) {
          assertThat(cluster.server(i).raft().stateMachine().state().getGroupsMap())
              .isEqualTo(before.getGroupsMap());
        }
      }
    }
  }

  /**
   * The ready leader, waiting for one (bounded) instead of failing when an election is under way
   * at this instant (seen under CPU load: "no leader right now" between two commands).
   */
  private static io.tandem.coordinator.server.CoordinatorServer readyLeader(MiniCluster cluster) {
    return cluster.server(cluster.waitForLeader(LONG));
  }

  private static long snapshotFiles(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).count();
    }
  }
}
