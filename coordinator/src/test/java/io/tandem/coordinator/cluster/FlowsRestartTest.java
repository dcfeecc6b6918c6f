package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.agent.DeployRequest;
import io.tandem.proto.agent.GetGroupDataRequest;
import io.tandem.proto.agent.GroupDataResponse;
import io.tandem.proto.agent.PutEditorDataRequest;
import io.tandem.proto.state.EditorDataKind;
import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.GroupData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every revision and the editor data survive a restart of all coordinators (from log or snapshot). */
class FlowsRestartTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  /**
   * A deploy with its own request id, as the agent sends it: the test client retries a call that
   * ran out of its deadline or met a leader change, and without an id that retry would be a second
   * deploy, refused for the revision the first one committed (seen in LargeFlowsCatchUpTest).
   */
  static long deploy(TestClient client, String group, String instance, long token, long expected, String flows) {
    DeployRequest r = DeployRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setGroup(group).setInstance(instance).setToken(token)
        .setExpectedRevision(expected).setFlows(ByteString.copyFromUtf8(flows)).build();
    return client.agent(s -> s.deploy(r)).getRevision();
  }

  @Test
  void allCoordinatorsRestartedKeepEveryRevision() throws Exception {
    restartAll(false);
  }

  @Test
  void allCoordinatorsRestartedFromSnapshotsKeepEveryRevision() throws Exception {
    restartAll(true);
  }

  private void restartAll(boolean snapshot) throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start()) {
      Map<String, GroupData> before;
      List<Long> revisions = new ArrayList<>();
      try (TestClient client = new TestClient(cluster.grpcAddresses())) {
        cluster.waitForLeader(LONG);
        client.createGroup("g", "a", "b");
        long token = ClusterFixtures.activateOk(cluster.leader(), "g", "a", 0);
        long rev = 0;
        for (int i = 0; i < 3; i++) {
          rev = deploy(client, "g", "a", token, rev, "[{\"id\":\"n" + i + "\"}]");
          revisions.add(rev);
          if (snapshot && i == 1) {
            cluster.awaitCaughtUp(LONG);
            for (int p = 0; p < cluster.size(); p++) {
              assertThat(cluster.server(p).raft().takeSnapshot(10_000)).isPositive();
            }
          }
        }
        client.agent(s -> s.putEditorData(PutEditorDataRequest.newBuilder().setGroup("g").setInstance("a")
            .setToken(token).setKind(EditorDataKind.SETTINGS).setValue(ByteString.copyFromUtf8("{\"x\":1}")).build()));
        cluster.awaitCaughtUp(LONG);
        before = cluster.leader().raft().stateMachine().state().getGroupDataMap();
      }
      assertThat(before.get("g").getRevisionsList()).extracting(FlowsRevision::getRevision)
          .containsExactlyElementsOf(revisions);
      cluster.stopAll();
      cluster.startAll();
      cluster.waitForLeader(LONG);
      try (TestClient client = new TestClient(cluster.grpcAddresses())) {
        Waits.until("state restored", LONG, () -> client.group("g").getCurrentRevision() == revisions.get(2));
        cluster.awaitCaughtUp(LONG);
        for (int p = 0; p < cluster.size(); p++) {
          assertThat(cluster.server(p).raft().stateMachine().state().getGroupDataMap())
              .as("peer %d", p).isEqualTo(before);
        }
        GroupDataResponse first = client.agent(s -> s.getGroupData(GetGroupDataRequest.newBuilder()
            .setGroup("g").setInstance("b").setRevision(revisions.get(0)).build()));
        assertThat(first.getRevision().getFlows().toStringUtf8()).isEqualTo("[{\"id\":\"n0\"}]");
        assertThat(first.getSettings().toStringUtf8()).isEqualTo("{\"x\":1}");
      }
    }
  }
}
