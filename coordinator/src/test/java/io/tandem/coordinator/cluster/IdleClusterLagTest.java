package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.ratis.FollowerProgress;
import io.tandem.coordinator.server.CoordinatorServer;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 (RestartTest flake: "peer c1 has been behind for over 10 s: its commit index 11 <
 * leader's 12"): the leader's lag for a follower must be 0 exactly when the follower itself has
 * committed the leader's commit index, also in a cluster that is idle after its last commit (the
 * last entry of a term is Ratis' metadata entry, whose commit followers learn only from
 * heartbeats), and must stay above 0 while a follower is down.
 */
class IdleClusterLagTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  @Test
  void anIdleClusterAfterAWholeRestartReportsLagZeroOnlyForFollowersThatCommittedEverything()
      throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start()) {
      try (TestClient client = new TestClient(cluster.grpcAddresses())) {
        cluster.waitForLeader(LONG);
        client.createGroup("g1", "a", "b");
        cluster.awaitCaughtUp(LONG);
      }
      cluster.stopAll();
      cluster.startAll();
      cluster.waitForLeader(LONG);
      cluster.awaitCaughtUp(LONG);

      // Idle from here on: no command is proposed. Every follower's own commit index reaches the
      // leader's through heartbeats alone, and the leader's record of it follows.
      Waits.until("every follower reported the leader's commit index: " + cluster.progressReport(),
          LONG, () -> followersReportedLag(cluster).values().stream().allMatch(l -> l == 0));
      int leader = cluster.waitForLeader(LONG);
      long commit = cluster.server(leader).raft().commitIndex();
      for (int i = 0; i < cluster.size(); i++) {
        assertThat(cluster.server(i).raft().commitIndex()).as("commit index of peer %d", i)
            .isEqualTo(commit);
      }
      // Applying trails committing by a moment on every peer.
      cluster.awaitCaughtUp(LONG);
    }
  }

  @Test
  void aStoppedFollowerIsReportedBehindUntilItHasCommittedWhatItMissed() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      int leader = cluster.waitForLeader(LONG);
      client.createGroup("g1", "a", "b");
      cluster.awaitCaughtUp(LONG);
      int follower = (leader + 1) % cluster.size();
      String id = cluster.config(follower).nodeId();
      cluster.kill(follower);
      client.createGroup("missed", "x", "y");
      Waits.until("the leader reports " + id + " behind", LONG,
          () -> followersReportedLag(cluster).getOrDefault(id, -1L) > 0);
      cluster.startPeer(follower);
      Waits.until("the leader reports " + id + " caught up: " + cluster.progressReport(), LONG,
          () -> followersReportedLag(cluster).getOrDefault(id, -1L) == 0);
      // What it committed, it applies a moment later.
      cluster.awaitCaughtUp(LONG);
      assertThat(cluster.server(follower).raft().stateMachine().state().getGroupsMap())
          .containsKey("missed");
    }
  }

  /**
   * The ready leader's lag for each follower, read together with the follower's own commit index:
   * a lag of 0 for a follower whose own commit index is below what the leader had committed when
   * it was read fails the test at once (the report would be a stale view).
   */
  private static Map<String, Long> followersReportedLag(MiniCluster cluster) {
    int leader = cluster.leaderIndex();
    if (leader < 0) {
      return Map.of("no leader", -1L);
    }
    CoordinatorServer l = cluster.server(leader);
    long commit = l.raft().commitIndex();
    Map<String, FollowerProgress> progress = l.raft().followerProgress();
    Map<String, Long> lag = new java.util.TreeMap<>();
    for (int i = 0; i < cluster.size(); i++) {
      if (i == leader) {
        continue;
      }
      String id = cluster.config(i).nodeId();
      FollowerProgress f = progress.get(id);
      long reported = f == null ? -1 : f.lag(commit);
      if (reported == 0 && cluster.isRunning(i)) {
        assertThat(cluster.server(i).raft().commitIndex())
            .as("%s reported with lag 0 at leader commit %d", id, commit)
            .isGreaterThanOrEqualTo(commit);
      }
      lag.put(id, reported);
    }
    return lag;
  }
}
