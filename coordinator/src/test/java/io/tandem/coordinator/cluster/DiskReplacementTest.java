package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.ratis.FollowerProgress;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TempDirs;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The documented disk replacement: same config, empty data dir; the node must catch up. */
class DiskReplacementTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static final Duration CATCH_UP = Duration.ofSeconds(10);

  @Test
  void aFollowerWithAnEmptiedDataDirCatchesUpWithinSeconds() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      int leader = withGroups(cluster, client, 5);
      int follower = emptyAFollower(cluster, leader);
      client.createGroup("while-away", "a", "b");

      cluster.startPeer(follower);
      long started = System.nanoTime();
      String id = cluster.config(follower).nodeId();
      Waits.until("the emptied follower has every group", CATCH_UP, () -> {
        // The leader may report the follower as caught up (lag 0) only once it really is (the
        // follower's own commit index is read last, so it can only be higher than at the time).
        int l = cluster.leaderIndex();
        if (l >= 0) {
          long leaderCommit = cluster.server(l).raft().commitIndex();
          FollowerProgress seen = cluster.server(l).raft().followerProgress().get(id);
          long actual = cluster.server(follower).raft().commitIndex();
          if (seen != null && seen.lag(leaderCommit) == 0) {
            assertThat(actual).as("%s's own commit index when the leader reports lag 0", id)
                .isGreaterThanOrEqualTo(leaderCommit);
          }
        }
        return cluster.server(follower).raft().stateMachine().state().getGroupsCount() == 6;
      });
      System.out.printf("emptied follower caught up in %d ms%n", (System.nanoTime() - started) / 1_000_000);
      assertThat(cluster.server(follower).raft().stateMachine().state().getGroupsMap())
          .isEqualTo(cluster.leader().raft().stateMachine().state().getGroupsMap());
    }
  }

  /**
   * The exact steps: nothing is written while the node is away, so the leader has no new
   * entry to send it, only heartbeats. Ratis alone then never ships the log again (each heartbeat
   * fails the consistency check and the next index goes back to match index + 1; the node stayed
   * at commit index -1 for minutes). When an entry is written meanwhile, Ratis' own handling of the
   * reply to that append may ship it first (the test above), so this is the case that needs the
   * resync of {@code ResyncingLogAppender}.
   */
  @Test
  void aFollowerWithAnEmptiedDataDirCatchesUpWhenNothingIsWrittenMeanwhile() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      int leader = withGroups(cluster, client, 3);
      long leaderCommit = cluster.server(leader).raft().commitIndex();
      int follower = emptyAFollower(cluster, leader);

      cluster.startPeer(follower);
      long started = System.nanoTime();
      Waits.until("the emptied follower has every group", CATCH_UP,
          () -> cluster.server(follower).raft().stateMachine().state().getGroupsCount() == 3);
      System.out.printf("emptied follower (heartbeats only) caught up in %d ms%n",
          (System.nanoTime() - started) / 1_000_000);
      assertThat(cluster.server(follower).raft().commitIndex()).isGreaterThanOrEqualTo(leaderCommit);
    }
  }

  /**
   * The leader holds a snapshot (every coordinator takes one when it stops, so any leader that was
   * restarted once has one): the resync of the emptied follower installs it there instead of
   * shipping the log. Ratis pauses the state machine before it publishes the snapshot and reloads
   * it after; a state machine that could not be paused made the follower's state machine updater
   * fail its PAUSED check, and the follower's Raft server closed: it stayed at the commit index it
   * had before, behind for good (issue 15's "peer ... has been behind for over 10 s").
   */
  @Test
  void aFollowerWithAnEmptiedDataDirIsSentTheLeadersSnapshot() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      int leader = withGroups(cluster, client, 3);
      long snapshot = cluster.server(leader).raft().takeSnapshot(10_000);
      assertThat(snapshot).isPositive();
      int follower = emptyAFollower(cluster, leader);

      cluster.startPeer(follower);
      Waits.until("the emptied follower has every group: " + cluster.progressReport(), CATCH_UP,
          () -> cluster.server(follower).raft().stateMachine().state().getGroupsCount() == 3);
      client.createGroup("after", "a", "b");
      Waits.until("the follower applies what follows the snapshot: " + cluster.progressReport(),
          CATCH_UP, () -> cluster.server(follower).raft().stateMachine().state().getGroupsCount() == 4);
      assertThat(cluster.server(follower).raft().stateMachine().state().getGroupsMap())
          .isEqualTo(cluster.leader().raft().stateMachine().state().getGroupsMap());
    }
  }

  @Test
  void aFollowerCatchingUpNeverAnswersGroupReadsFromItsStaleState() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      int leader = cluster.waitForLeader(LONG);
      client.createGroup("early", "a", "b");
      cluster.awaitCaughtUp(LONG);
      int follower = emptyAFollower(cluster, leader);
      client.createGroup("while-away", "a", "b");

      cluster.startPeer(follower);
      ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.grpcAddress(follower)).usePlaintext().build();
      try {
        AdminServiceGrpc.AdminServiceBlockingStub stub = AdminServiceGrpc.newBlockingStub(ch);
        int redirected = 0;
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        while (true) {
          assertThat(System.nanoTime()).as("the follower answers within %s", CATCH_UP).isLessThan(deadline);
          try {
            GroupView g = stub.withDeadlineAfter(2, TimeUnit.SECONDS)
                .getGroup(GetGroupRequest.newBuilder().setGroup("while-away").build());
            assertThat(g.getName()).isEqualTo("while-away");
            break;
          } catch (StatusRuntimeException e) {
            // Before: NOT_FOUND, read from the empty state of a node that knew it was behind.
            assertThat(e.getStatus().getCode()).as(e.getStatus().toString())
                .isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
            redirected++;
            Waits.sleep(5);
          }
        }
        System.out.printf("reads redirected while the follower caught up: %d%n", redirected);
      } finally {
        ch.shutdownNow();
      }
    }
  }

  /** Creates groups g0.. g{n-1} and waits until every peer applied them; returns the leader. */
  private static int withGroups(MiniCluster cluster, TestClient client, int n) throws Exception {
    cluster.waitForLeader(LONG);
    for (int g = 0; g < n; g++) {
      client.createGroup("g" + g, "a", "b");
    }
    cluster.awaitCaughtUp(LONG);
    return cluster.waitForLeader(LONG);
  }

  /** The disk replacement: stops a follower of {@code leader} and empties its data dir; returns it. */
  private static int emptyAFollower(MiniCluster cluster, int leader) {
    int follower = (leader + 1) % cluster.size();
    cluster.kill(follower);
    TempDirs.delete(cluster.dataDir(follower));
    return follower;
  }
}
