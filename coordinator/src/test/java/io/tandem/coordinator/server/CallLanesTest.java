package io.tandem.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.agent.AgentServiceGrpc;
import org.junit.jupiter.api.Test;

/** Which calls the leader serves in the urgent lane: actives' heartbeats and fence reports. */
class CallLanesTest {
  private static final String HEARTBEAT = AgentServiceGrpc.getHeartbeatMethod().getFullMethodName();

  @Test
  void aHeartbeatThatSaysItsFlowsRunIsUrgent() {
    assertThat(CallLanes.urgent(HEARTBEAT, CoordinatorEndpoints.runsFlowsHeaders())).isTrue();
  }

  @Test
  void aStandbysHeartbeatIsNormal() {
    assertThat(CallLanes.urgent(HEARTBEAT, new Metadata())).isFalse();
    Metadata other = new Metadata();
    other.put(CoordinatorEndpoints.RUNS_FLOWS_HEADER, "0");
    assertThat(CallLanes.urgent(HEARTBEAT, other)).isFalse();
  }

  @Test
  void aFenceReportIsUrgentWithoutTheHeader() {
    assertThat(CallLanes.urgent(AgentServiceGrpc.getReportFencedMethod().getFullMethodName(), new Metadata()))
        .isTrue();
  }

  @Test
  void theHeaderOnAnyOtherCallChangesNothing() {
    Metadata runs = CoordinatorEndpoints.runsFlowsHeaders();
    assertThat(CallLanes.urgent(AgentServiceGrpc.getWatchGroupMethod().getFullMethodName(), runs)).isFalse();
    assertThat(CallLanes.urgent(AgentServiceGrpc.getDeployMethod().getFullMethodName(), runs)).isFalse();
    assertThat(CallLanes.urgent(AdminServiceGrpc.getClusterStatusMethod().getFullMethodName(), runs)).isFalse();
  }

  @Test
  void theAgentsPredicateMatchesTheShedders() {
    assertThat(CoordinatorEndpoints.runsFlows(io.tandem.proto.agent.RuntimeState.RUNTIME_RUNNING, 0)).isTrue();
    assertThat(CoordinatorEndpoints.runsFlows(io.tandem.proto.agent.RuntimeState.RUNTIME_STANDBY, 7)).isTrue();
    assertThat(CoordinatorEndpoints.runsFlows(io.tandem.proto.agent.RuntimeState.RUNTIME_STANDBY, 0)).isFalse();
  }
}
