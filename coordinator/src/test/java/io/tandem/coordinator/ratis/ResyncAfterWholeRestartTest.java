package io.tandem.coordinator.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import java.time.Duration;
import org.apache.ratis.server.leader.LogAppender;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 ("peer c1 has been behind for over 10 s", "peers did not catch up within 60000 ms"
 * after a whole-cluster restart). Every coordinator takes a snapshot when it stops, so after a
 * whole-cluster restart the leader holds one. A leader that replaces a follower's log appender (a
 * resync, which before LossSuspicion's thresholds also hit healthy followers at a fresh leader's
 * start, or Ratis' own restart after an appender error) treats the follower as bootstrapping and
 * sends it that snapshot when the follower's commit index is below it. The follower then paused
 * and reloaded a state machine that had no lifecycle: the reload's PAUSED check failed and closed
 * the follower's Raft server, and it stayed behind for good.
 */
class ResyncAfterWholeRestartTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static final Duration CATCH_UP = Duration.ofSeconds(20);

  @Test
  void aFollowerResyncedFromTheLeadersSnapshotAfterAWholeRestartCatchesUp() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start()) {
      int follower;
      try (TestClient client = new TestClient(cluster.grpcAddresses())) {
        int leader = cluster.waitForLeader(LONG);
        client.createGroup("g1", "a", "b");
        cluster.awaitCaughtUp(LONG);
        follower = (leader + 1) % cluster.size();
        cluster.kill(follower);
        client.createGroup("missed", "x", "y");
        // Both running peers apply it, so whichever leads after the restart holds a snapshot
        // (taken at its stop) above what the stopped follower committed.
        cluster.awaitCaughtUp(LONG);
      }
      cluster.stopAll();
      for (int i = 0; i < cluster.size(); i++) {
        if (i != follower) {
          cluster.startPeer(i);
        }
      }
      int leader = cluster.waitForLeader(LONG);
      RaftNode l = cluster.server(leader).raft();
      assertThat(l.stateMachine().getLatestSnapshot()).as("the leader's snapshot taken at its stop")
          .isNotNull();
      long leaderSnapshot = l.stateMachine().getLatestSnapshot().getIndex();
      String id = cluster.config(follower).nodeId();
      LogAppender appender = l.factory().followers().running(id).orElseThrow();
      // What ResyncingLogAppender does on a loss: a fresh appender, which Ratis treats as a
      // bootstrapping follower and sends the latest snapshot first.
      appender.getLeaderState().restart(appender);
      Waits.until("a fresh appender for " + id, LONG,
          () -> l.factory().followers().running(id).filter(a -> a != appender).isPresent());

      cluster.startPeer(follower);
      Waits.until(id + " committed and applied the leader's commit index: " + cluster.progressReport(),
          CATCH_UP, () -> {
            int now = cluster.waitForLeader(LONG);
            long commit = cluster.server(now).raft().commitIndex();
            RaftNode f = cluster.server(follower).raft();
            return f.commitIndex() >= commit && f.lastAppliedIndex() >= commit;
          });
      assertThat(cluster.server(follower).raft().stateMachine().state().getGroupsMap())
          .containsKeys("g1", "missed");
      assertThat(cluster.server(follower).raft().stateMachine().getLatestSnapshot().getIndex())
          .as("%s was sent the leader's snapshot, not only the log", id)
          .isGreaterThanOrEqualTo(leaderSnapshot);
      // It keeps following: what the leader commits next reaches it too.
      try (TestClient client = new TestClient(cluster.grpcAddresses())) {
        client.createGroup("after", "p", "q");
      }
      Waits.until(id + " applies what follows the snapshot: " + cluster.progressReport(), CATCH_UP,
          () -> cluster.server(follower).raft().stateMachine().state().getGroupsMap()
              .containsKey("after"));
    }
  }
}
