package io.tandem.agent.control;

import static io.tandem.agent.control.ActionKind.KILL;
import static io.tandem.agent.control.ActionKind.NONE;
import static io.tandem.agent.control.ActionKind.REPORT_FENCED;
import static io.tandem.agent.control.ActionKind.SET_TOKEN_AND_START;
import static io.tandem.agent.control.ActionKind.STOP;
import static io.tandem.agent.control.Views.NOW;
import static io.tandem.agent.control.Views.lease;
import static io.tandem.agent.control.Views.view;
import static io.tandem.proto.agent.RuntimeState.RUNTIME_DOWN;
import static io.tandem.proto.agent.RuntimeState.RUNTIME_HUNG;
import static io.tandem.proto.agent.RuntimeState.RUNTIME_RUNNING;
import static io.tandem.proto.agent.RuntimeState.RUNTIME_STARTING;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.proto.agent.FenceReason;
import org.junit.jupiter.api.Test;

/** All-active members: flows under the group token while the own lease is live. */
class MemberDecideTest {
  private static Action decide(Views v) {
    return Decide.decide(v.build(), NOW);
  }

  @Test
  void aReadyMemberWithALiveLeaseStartsUnderTheGroupToken() {
    Action a = decide(view().allActive(12).lease(lease(12, 1000)));
    assertThat(a.kind()).isEqualTo(SET_TOKEN_AND_START);
    assertThat(a.token()).isEqualTo(12);
    assertThat(a.reason()).contains("all-active member").contains("lease left 1000 ms");
  }

  @Test
  void withoutALeaseItWaitsWithoutAskingInALoop() {
    assertThat(decide(view().allActive(12)).kind()).isEqualTo(NONE);
    assertThat(decide(view().allActive(12).lease(lease(12, 0))).kind()).isEqualTo(NONE);
    assertThat(decide(view().allActive(12).memberFenced()).reason()).contains("fresh lease");
  }

  @Test
  void runningFlowsKeepRunningAcrossRenewalsAndStopWhenTheLeaseRunsOut() {
    Views running = view().allActive(12).running(12).runtime(RUNTIME_RUNNING);
    assertThat(decide(running.lease(lease(12, 500))).kind()).isEqualTo(NONE);
    Action stop = decide(view().allActive(12).running(12).runtime(RUNTIME_RUNNING).lease(lease(12, 0)));
    assertThat(stop.kind()).isEqualTo(STOP);
    assertThat(stop.fence()).isEqualTo(FenceReason.LEASE_LOST);
    assertThat(stop.token()).isEqualTo(12);
    Action none = decide(view().allActive(12).running(12).runtime(RUNTIME_RUNNING));
    assertThat(none.kind()).isEqualTo(STOP);
    assertThat(none.reason()).isEqualTo("flows stopped: there is no lease for token 12");
  }

  @Test
  void theSameDeadlineAsAnActive() {
    // the stop comes at the lease's stop time exactly, as for an active (Decide's whileRunning)
    Views member = view().allActive(12).running(12).runtime(RUNTIME_RUNNING).lease(lease(12, 0));
    Views active = view().assigned("a", 12).running(12).runtime(RUNTIME_RUNNING).lease(lease(12, 0));
    assertThat(decide(member).reason()).isEqualTo(decide(active).reason());
    assertThat(decide(member).kind()).isEqualTo(decide(active).kind());
  }

  @Test
  void flowsFoundRunningWithoutALeaseAreStopped() {
    Action a = decide(view().allActive(12).runtime(RUNTIME_RUNNING));
    assertThat(a.kind()).isEqualTo(STOP);
    assertThat(a.token()).isZero();
  }

  @Test
  void aCrashedOrHungRuntimeIsFencedUnderTheGroupToken() {
    Action crashed = decide(view().allActive(12).running(12).runtime(RUNTIME_DOWN).lease(lease(12, 900)));
    assertThat(crashed.kind()).isEqualTo(REPORT_FENCED);
    assertThat(crashed.fence()).isEqualTo(FenceReason.CRASHED);
    assertThat(crashed.token()).isEqualTo(12);
    Action hung = decide(view().allActive(12).running(12).runtime(RUNTIME_HUNG).lease(lease(12, 900)));
    assertThat(hung.kind()).isEqualTo(KILL);
    assertThat(hung.token()).isEqualTo(12);
  }

  @Test
  void notStartedWhileNodeRedIsStarting() {
    assertThat(decide(view().allActive(12).runtime(RUNTIME_STARTING).lease(lease(12, 900))).kind())
        .isEqualTo(NONE);
  }

  @Test
  void activeStandbyDecisionsDoNotChangeForAnAssignmentOfAnotherMode() {
    // an active-standby assignment never names "" as active: a member rule never applies there
    assertThat(decide(view().assigned("b", 12).lease(lease(12, 900))).kind()).isEqualTo(NONE);
  }
}
