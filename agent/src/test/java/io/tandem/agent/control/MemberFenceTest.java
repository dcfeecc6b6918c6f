package io.tandem.agent.control;

import static io.tandem.agent.control.Views.MS;
import static io.tandem.agent.control.Views.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.config.LeaseSettings;
import org.junit.jupiter.api.Test;

/** ControlState for all-active members: a fence ends a lease, a fresh one counts after the report. */
class MemberFenceTest {
  private final ControlState state = new ControlState("a", LeaseSettings.defaults());

  @Test
  void aMemberLeaseIsGrantedForTheGroupToken() {
    Lease l = state.onHeartbeat(NOW, Messages.allActiveReply(2000, 20, 12));
    assertThat(l.token()).isEqualTo(12);
    assertThat(state.view().lease().validFor(12, NOW + 100 * MS)).isTrue();
    assertThat(state.view().committed().isAllActive()).isTrue();
  }

  @Test
  void afterAFenceOnlyALeaseSentAfterTheReportWasAnsweredCounts() {
    state.onHeartbeat(NOW, Messages.allActiveReply(2000, 20, 12, "k", "a", 41));
    state.started(12);
    state.fenced(12);
    View v = state.view();
    assertThat(v.runningToken()).isZero();
    assertThat(v.lease().isNone()).isTrue();
    assertThat(v.memberFenced()).isTrue();
    assertThat(v.lockFloor()).isEqualTo(41);
    assertThat(v.fencedToken()).isZero(); // the group token stays usable
    // sent after the fence, but before the leader answered the report: ignored
    assertThat(state.onHeartbeat(NOW + 50 * MS, Messages.allActiveReply(2000, 21, 12)).isNone()).isTrue();
    state.fenceReported(12, NOW + 100 * MS);
    // sent before the answer: ignored still
    assertThat(state.onHeartbeat(NOW + 90 * MS, Messages.allActiveReply(2000, 22, 12)).isNone()).isTrue();
    Lease fresh = state.onHeartbeat(NOW + 110 * MS, Messages.allActiveReply(2000, 23, 12));
    assertThat(fresh.isNone()).isFalse();
    assertThat(state.view().memberFenced()).isFalse();
    state.onRuntime(Views.status(io.tandem.proto.agent.RuntimeState.RUNTIME_STANDBY, ""));
    assertThat(Decide.decide(state.view(), NOW + 120 * MS).kind()).isEqualTo(ActionKind.SET_TOKEN_AND_START);
  }

  @Test
  void locksHeldBeforeTheAgentStartedAreNeverBelievedAgain() {
    state.onWatch(io.tandem.proto.agent.GroupUpdate.newBuilder()
        .setAssignment(Messages.allActive(12, "k", "a", 41, "j", "b", 44)).setCommitIndex(50).build());
    assertThat(state.view().lockFloor()).isEqualTo(41);
  }
}
