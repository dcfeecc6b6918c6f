package io.tandem.agent.control;

import static io.tandem.agent.control.ActionKind.NONE;
import static io.tandem.agent.control.ActionKind.RENEW_NOW;
import static io.tandem.agent.control.ActionKind.SET_TOKEN_AND_START;
import static io.tandem.agent.control.ActionKind.STOP;
import static io.tandem.agent.control.Views.NOW;
import static io.tandem.agent.control.Views.lease;
import static io.tandem.agent.control.Views.view;
import static io.tandem.proto.agent.RuntimeState.RUNTIME_RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.config.LeaseSettings;
import io.tandem.proto.agent.Assignment;
import io.tandem.proto.agent.HeartbeatResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** While the granted lease does not fit the agent's settings, flows are never started. */
class LeaseRefusalTest {
  private static final String WHY = "the coordinators grant a lease of 2000ms: ...";

  @Test
  void anAssignedStandbyDoesNotStartNorAskForALease() {
    assertThat(Decide.decide(view().assigned("a", 5).lease(lease(5, 1000)).build(), NOW).kind())
        .isEqualTo(SET_TOKEN_AND_START);
    Action a = Decide.decide(view().assigned("a", 5).lease(lease(5, 1000)).build(), NOW, WHY);
    assertThat(a.kind()).isEqualTo(NONE);
    assertThat(a.reason()).isEqualTo("not running flows: " + WHY);
    assertThat(Decide.decide(view().assigned("a", 5).build(), NOW).kind()).isEqualTo(RENEW_NOW);
    assertThat(Decide.decide(view().assigned("a", 5).build(), NOW, WHY).kind()).isEqualTo(NONE);
  }

  @Test
  void runningFlowsStillStopWhenTheirLeaseEnds() {
    View v = view().assigned("a", 5).lease(lease(5, 0)).running(5).runtime(RUNTIME_RUNNING).build();
    assertThat(Decide.decide(v, NOW, WHY).kind()).isEqualTo(STOP);
  }

  @Test
  void noRefusalChangesNothing() {
    View v = view().assigned("a", 5).lease(lease(5, 1000)).build();
    assertThat(Decide.decide(v, NOW, null)).isEqualTo(Decide.decide(v, NOW));
  }

  @Test
  void aLeaseWithheldFromTheStateIsNeverValid() {
    // what Reconciler does with a grant that does not fit: the assignment is kept, the lease is not
    LeaseSettings s = new LeaseSettings(0.01, Duration.ofSeconds(5), Duration.ofMillis(250), Duration.ofMillis(300));
    HeartbeatResponse r = HeartbeatResponse.newBuilder().setLeaseMillis(2000).setCommitIndex(3)
        .setAssignment(Assignment.newBuilder().setExists(true).setActive("a").setToken(5)).build();
    assertThat(s.unusableWith(r.getLeaseMillis())).isPresent();
    ControlState state = new ControlState("a", s);
    assertThat(state.onHeartbeat(NOW, r.toBuilder().setLeaseMillis(0).build()).isNone()).isTrue();
    assertThat(state.view().committed().token()).isEqualTo(5);
    assertThat(state.view().lease().isNone()).isTrue();
  }
}
