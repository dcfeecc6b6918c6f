package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.PutEditorDataRequest;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.EditorDataKind;
import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.TandemState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A follower that was down during 20 deploys of 5 MB catches up, and every peer keeps all 20.
 * Prints the figures (deploy, snapshot, catch-up, restart from snapshot); none is asserted, the
 * machine is shared (docs/coordinator.md quotes a run).
 */
class LargeFlowsCatchUpTest {
  private static final Duration LONG = Duration.ofSeconds(120);
  private static final int REVISIONS = 20;
  private static final int SIZE = 5 * 1024 * 1024;

  @Test
  void aFollowerCatchesUpWithTwentyRevisionsOfFiveMegabytes() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses(), Duration.ofSeconds(60), 60_000)) {
      int leader = cluster.waitForLeader(LONG);
      client.createGroup("big", "a", "b");
      long token = ClusterFixtures.activateOk(cluster.leader(), "big", "a", 0);
      int follower = (leader + 1) % cluster.size();
      cluster.kill(follower);

      long rev = 0;
      long t0 = System.nanoTime();
      for (int i = 0; i < REVISIONS; i++) {
        String flows = "[{\"id\":\"t" + i + "\",\"type\":\"tab\",\"info\":\"" + "x".repeat(SIZE - 60) + "\"}]";
        rev = FlowsRestartTest.deploy(client, "big", "a", token, rev, flows);
      }
      long deployMs = ms(t0);

      int now = cluster.waitForLeader(LONG);
      // While the leader writes its snapshot it applies nothing: a heartbeat (a linearizable read)
      // waits if a write was committed meanwhile. Measure that with one small write.
      CompletableFuture<Long> snapshot = CompletableFuture.supplyAsync(() -> {
        long s0 = System.nanoTime();
        try {
          cluster.server(now).raft().takeSnapshot(60_000);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        return ms(s0);
      });
      Waits.sleep(100);
      CompletableFuture<?> write = CompletableFuture.runAsync(() -> client.agent(st -> st.putEditorData(
          PutEditorDataRequest.newBuilder().setGroup("big").setInstance("b").setKind(EditorDataKind.SESSIONS)
              .setValue(ByteString.copyFromUtf8("{}")).build())));
      Waits.sleep(50);
      t0 = System.nanoTime();
      client.agent(st -> st.heartbeat(HeartbeatRequest.newBuilder().setGroup("big").setInstance("a")
          .setRuntime(RuntimeState.RUNTIME_RUNNING).setRunningToken(token).build()));
      long heartbeatMs = ms(t0);
      long snapshotMs = snapshot.get(120, TimeUnit.SECONDS);
      write.get(120, TimeUnit.SECONDS);
      long snapshotBytes = largestSnapshot(cluster.dataDir(now));

      t0 = System.nanoTime();
      cluster.startPeer(follower);
      long target = cluster.server(cluster.waitForLeader(LONG)).raft().commitIndex();
      Waits.until("follower caught up", LONG, () -> cluster.server(follower).raft().lastAppliedIndex() >= target);
      long catchUpMs = ms(t0);

      TandemState leaderState = cluster.server(cluster.waitForLeader(LONG)).raft().stateMachine().state();
      TandemState followerState = cluster.server(follower).raft().stateMachine().state();
      assertThat(followerState.getGroupDataOrThrow("big").getRevisionsList()).hasSize(REVISIONS)
          .extracting(FlowsRevision::getRevision).last().isEqualTo(rev);
      assertThat(followerState.getGroupDataMap()).isEqualTo(leaderState.getGroupDataMap());

      // A whole peer restarted from its own snapshot (the leader's, written above).
      t0 = System.nanoTime();
      cluster.restart(now);
      Waits.until("restarted peer has the revisions", LONG, () -> cluster.isRunning(now)
          && cluster.server(now).raft().stateMachine().state().getGroupsMap().containsKey("big")
          && cluster.server(now).raft().stateMachine().state().getGroupsOrThrow("big").getCurrentRevision() == currentRevisionElsewhere(cluster, now));
      long restartMs = ms(t0);

      System.out.printf("flows catch-up: %d deploys of %d MB in %d ms (%.0f ms each); snapshot of %.0f MB"
              + " written in %d ms (a heartbeat sent during it, after a write, took %d ms); follower down"
              + " during the deploys caught up in %d ms; a peer restarted from its snapshot had every"
              + " revision after %d ms%n",
          REVISIONS, SIZE / (1024 * 1024), deployMs, deployMs / (double) REVISIONS,
          snapshotBytes / (1024.0 * 1024.0), snapshotMs, heartbeatMs, catchUpMs, restartMs);
    }
  }

  private static long currentRevisionElsewhere(MiniCluster cluster, int peer) {
    for (int i = 0; i < cluster.size(); i++) {
      if (i != peer && cluster.isRunning(i)) {
        return cluster.server(i).raft().stateMachine().state().getGroupsOrThrow("big").getCurrentRevision();
      }
    }
    return -1;
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  private static long largestSnapshot(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+"))
          .mapToLong(p -> p.toFile().length()).max().orElse(-1);
    }
  }
}
