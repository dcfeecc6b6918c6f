package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.DeployRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A deploy while no majority answers fails visibly and commits nothing, also after the peers return. */
class DeployWithoutMajorityTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  @Test
  void aDeployWithoutAMajorityFailsAndChangesNothing() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().longLeases().start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      int leader = cluster.waitForLeader(LONG);
      client.createGroup("g", "a", "b");
      long token = ClusterFixtures.activateOk(cluster.leader(), "g", "a", 0);
      long rev = FlowsRestartTest.deploy(client, "g", "a", token, 0, "[\"before\"]");
      cluster.awaitCaughtUp(LONG);
      for (int i = 0; i < cluster.size(); i++) {
        if (i != leader) {
          cluster.kill(i);
        }
      }
      Waits.sleep(2000); // longer than the leader's lease on its majority
      ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.grpcAddress(leader)).usePlaintext().build();
      try {
        DeployRequest r = DeployRequest.newBuilder().setGroup("g").setInstance("a").setToken(token)
            .setExpectedRevision(rev).setFlows(ByteString.copyFromUtf8("[\"lost\"]")).build();
        Throwable t = catchThrowable(() -> AgentServiceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(5, TimeUnit.SECONDS).deploy(r));
        assertThat(t).isInstanceOf(StatusRuntimeException.class);
        assertThat(((StatusRuntimeException) t).getStatus().getCode())
            .isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
      } finally {
        ch.shutdownNow();
      }
      cluster.startAll();
      cluster.waitForLeader(LONG);
      cluster.awaitCaughtUp(LONG);
      assertThat(client.group("g").getCurrentRevision()).isEqualTo(rev);
      for (int i = 0; i < cluster.size(); i++) {
        assertThat(cluster.server(i).raft().stateMachine().state().getGroupDataOrThrow("g").getRevisionsList())
            .as("peer %d", i).hasSize(1);
      }
    }
  }
}
