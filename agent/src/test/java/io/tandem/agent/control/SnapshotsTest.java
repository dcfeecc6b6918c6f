package io.tandem.agent.control;

import static io.tandem.agent.control.Views.NOW;
import static io.tandem.agent.control.Views.lease;
import static io.tandem.agent.control.Views.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.http.AgentSnapshot;
import io.tandem.proto.agent.RuntimeState;
import org.junit.jupiter.api.Test;

class SnapshotsTest {
  private static AgentSnapshot of(Views v) {
    return Snapshots.of("g", v.build(), NOW, "127.0.0.1:7400", "r", "s", 0);
  }

  @Test
  void activeOnlyWithRunningFlowsTheCommittedTokenAndAValidLease() {
    AgentSnapshot s = of(view().assigned("a", 5).lease(lease(5, 1000)).running(5)
        .runtime(RuntimeState.RUNTIME_RUNNING));
    assertThat(s.role()).isEqualTo("active");
    assertThat(s.activeNow(NOW)).isTrue();
    assertThat(s.leaseLeftMillis(NOW)).isEqualTo(1000);
    assertThat(s.activeNow(NOW + 1_000_000_000L)).as("at the stop time").isFalse();
  }

  @Test
  void notActiveWhenTheLeaseIsOverOrTheAssignmentMoved() {
    assertThat(of(view().assigned("a", 5).lease(lease(5, 0)).running(5)
        .runtime(RuntimeState.RUNTIME_RUNNING)).activeNow(NOW)).isFalse();
    assertThat(of(view().assigned("b", 6).lease(lease(5, 1000)).running(5)
        .runtime(RuntimeState.RUNTIME_RUNNING)).activeNow(NOW)).isFalse();
  }

  @Test
  void standbyWhenReadyAndHoldingNothingElseUnavailable() {
    assertThat(of(view().assigned("b", 6)).role()).isEqualTo("standby");
    assertThat(of(view().assigned("b", 6).runtime(RuntimeState.RUNTIME_STARTING)).role())
        .isEqualTo("unavailable");
    assertThat(of(view().assigned("b", 6).runtime(RuntimeState.RUNTIME_HUNG)).role())
        .isEqualTo("unavailable");
  }
}
