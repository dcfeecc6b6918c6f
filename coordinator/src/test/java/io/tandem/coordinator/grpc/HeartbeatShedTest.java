package io.tandem.coordinator.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.coordinator.lease.LeaderHealth;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.RuntimeState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A degraded leader answers a heartbeat from a recently served instance with RESOURCE_EXHAUSTED
 * and a retry-after hint at once (real gRPC, three in-process coordinators), and still serves an
 * instance it has not served lately.
 */
class HeartbeatShedTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  /** A 3 s renew interval: "served lately" is 6 s, far more than one call takes here. */
  private static final LeaseSettings LEASE = new LeaseSettings(
      Duration.ofMinutes(10), Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofMillis(20));

  private static HeartbeatRequest beat(String instance) {
    return HeartbeatRequest.newBuilder().setGroup("shed").setInstance(instance)
        .setRuntime(RuntimeState.RUNTIME_STANDBY).setHost("127.0.0.1").build();
  }

  @Test
  void aDegradedLeaderShedsRepeatHeartbeatsAtOnceWithARetryHint() throws Exception {
    try (MiniCluster cluster = MiniCluster.builder().lease(LEASE).start();
        TestClient client = new TestClient(cluster.grpcAddresses())) {
      int leader = cluster.waitForLeader(LONG);
      client.createGroup("shed", "a", "b");
      ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.grpcAddress(leader)).usePlaintext().build();
      try {
        AgentServiceGrpc.AgentServiceBlockingStub stub = AgentServiceGrpc.newBlockingStub(ch);
        LeaderHealth health = cluster.server(leader).keeper().health();

        health.bad(System.nanoTime(), "test: the leader is overloaded");
        HeartbeatResponse first = stub.withDeadlineAfter(Duration.ofSeconds(10)).heartbeat(beat("a"));
        assertThat(first.getLeaderId()).isNotEmpty(); // a has not been served lately: served

        health.bad(System.nanoTime(), "test: the leader is overloaded");
        StatusRuntimeException shed = catchThrowableOfType(StatusRuntimeException.class,
            () -> stub.withDeadlineAfter(Duration.ofSeconds(10)).heartbeat(beat("a")));
        assertThat(shed.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(shed.getStatus().getDescription()).contains("the leader is busy").contains("overloaded");
        assertThat(shed.getTrailers().get(CoordinatorEndpoints.RETRY_AFTER_TRAILER)).isEqualTo("3000");

        health.bad(System.nanoTime(), "test: the leader is overloaded");
        assertThat(stub.withDeadlineAfter(Duration.ofSeconds(10)).heartbeat(beat("b")).getLeaderId())
            .isNotEmpty();
      } finally {
        ch.shutdownNow();
      }
    }
  }
}
