package io.tandem.coordinator.cluster;

import static io.tandem.coordinator.cluster.ContextReplicationTest.increment;
import static io.tandem.coordinator.cluster.ContextReplicationTest.read;
import static io.tandem.coordinator.cluster.ContextReplicationTest.send;
import static io.tandem.coordinator.cluster.ContextReplicationTest.set;
import static io.tandem.coordinator.cluster.ContextReplicationTest.value;
import static io.tandem.coordinator.cluster.ContextReplicationTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.state.ContextSnapshot;
import io.tandem.proto.state.GroupData;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A group's context (a few MB of it) survives a snapshot on every coordinator and a restart of
 * all three: restored from the snapshot, with the entries after it replayed from the log.
 */
class ContextRestartTest {
  private static final Duration LONG = Duration.ofSeconds(120);
  private static final int VALUE = 500 * 1024;
  private static final int VALUES = 10;

  @Test
  void contextSurvivesASnapshotAndARestartOfAllCoordinators() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start()) {
      ContextSnapshot before;
      GroupData data;
      try (TestClient client = new TestClient(cluster.grpcAddresses(), Duration.ofSeconds(60), 30_000)) {
        cluster.waitForLeader(LONG);
        client.createGroup("keep", "a", "b");
        long token = ClusterFixtures.activateOk(cluster.leader(), "keep", "a", 0);
        for (int i = 0; i < VALUES; i++) {
          String big = "\"" + String.valueOf((char) ('a' + i)).repeat(VALUE) + "\"";
          send(client, write("keep", "a", token, set("flow:f" + (i % 3), "blob" + i, big), increment("global", "n", 1)));
        }
        cluster.awaitCaughtUp(LONG);
        for (int p = 0; p < cluster.size(); p++) {
          assertThat(cluster.server(p).raft().takeSnapshot(60_000)).as("snapshot of peer %d", p).isPositive();
        }
        // after the snapshot: replayed from the log on restart
        send(client, write("keep", "a", token, increment("global", "n", 1), set("node:n1:f0", "x", "{\"y\":[true]}")));
        before = read(client, "keep", "b");
        cluster.awaitCaughtUp(LONG);
        data = cluster.leader().raft().stateMachine().state().getGroupDataOrThrow("keep");
      }
      assertThat(before.getBytes()).isGreaterThan(4L * 1024 * 1024);
      assertThat(value(before, "global", "n")).isEqualTo(String.valueOf(VALUES + 1));

      cluster.stopAll();
      cluster.startAll();
      cluster.waitForLeader(LONG);
      try (TestClient client = new TestClient(cluster.grpcAddresses(), Duration.ofSeconds(60), 30_000)) {
        Waits.until("context restored", LONG, () -> read(client, "keep", "a").getVersion() == before.getVersion());
        ContextSnapshot after = read(client, "keep", "a");
        assertThat(after.getScopesMap()).isEqualTo(before.getScopesMap());
        assertThat(after.getBytes()).isEqualTo(before.getBytes());
        assertThat(value(after, "flow:f1", "blob4")).hasSize(VALUE + 2).startsWith("\"eee");
        cluster.awaitCaughtUp(LONG);
        for (int p = 0; p < cluster.size(); p++) {
          var state = cluster.server(p).raft().stateMachine().state();
          assertThat(state.getGroupDataOrThrow("keep")).as("peer %d", p).isEqualTo(data);
          assertThat(state.getGroupsOrThrow("keep").getContextVersion()).isEqualTo(before.getVersion());
        }
      }
    }
  }
}
