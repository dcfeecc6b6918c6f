package io.tandem.agent.control;

import static io.tandem.agent.control.Views.NOW;
import static io.tandem.agent.control.Views.lease;
import static io.tandem.agent.control.Views.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.RuntimeState;
import org.junit.jupiter.api.Test;

/** The context store's gate in {@link Decide}: flows start only after the plugin proved the writer role. */
class DecideContextGateTest {
  private static final ContextGate NOTHING_YET = new ContextGate(true, 0, 0, 0, "");

  @Test
  void withoutAGateAnAssignedStandbyStartsAsBefore() {
    Action a = Decide.decide(view().assigned("a", 5).lease(lease(5, 1000)).build(), NOW);
    assertThat(a.kind()).isEqualTo(ActionKind.SET_TOKEN_AND_START);
  }

  @Test
  void assignedWithALeasePreparesTheContextStoreFirst() {
    Action a = Decide.decide(view().assigned("a", 5).lease(lease(5, 1000)).context(NOTHING_YET).build(), NOW);
    assertThat(a.kind()).isEqualTo(ActionKind.PREPARE_CONTEXT);
    assertThat(a.token()).isEqualTo(5);
    assertThat(a.reason()).contains("preparing the context store");
  }

  @Test
  void withoutALeaseItAsksForOneBeforePreparing() {
    Action a = Decide.decide(view().assigned("a", 5).context(NOTHING_YET).build(), NOW);
    assertThat(a.kind()).isEqualTo(ActionKind.RENEW_NOW);
  }

  @Test
  void whilePreparingItWaits() {
    ContextGate g = new ContextGate(true, 0, 5, 0, "waiting 12 ms for Node-RED's context store");
    Action a = Decide.decide(view().assigned("a", 5).lease(lease(5, 1000)).context(g).build(), NOW);
    assertThat(a.kind()).isEqualTo(ActionKind.NONE);
    assertThat(a.reason()).contains("flows start once the context store is ready")
        .contains("waiting 12 ms");
  }

  @Test
  void onceProvenForThisTokenFlowsStart() {
    ContextGate g = new ContextGate(true, 5, 0, 0, "");
    Action a = Decide.decide(view().assigned("a", 5).lease(lease(5, 1000)).context(g).build(), NOW);
    assertThat(a.kind()).isEqualTo(ActionKind.SET_TOKEN_AND_START);
  }

  @Test
  void aProofForAnOlderTokenDoesNotCount() {
    ContextGate g = new ContextGate(true, 4, 0, 0, "");
    Action a = Decide.decide(view().assigned("a", 5).lease(lease(5, 1000)).context(g).build(), NOW);
    assertThat(a.kind()).isEqualTo(ActionKind.PREPARE_CONTEXT);
  }

  @Test
  void aFailedPreparationHandsTheTokenBackSoTheGroupIsNotHeld() {
    ContextGate g = new ContextGate(true, 0, 0, 5, "no call from the tandem context store");
    Action a = Decide.decide(view().assigned("a", 5).lease(lease(5, 1000)).context(g).build(), NOW);
    assertThat(a.kind()).isEqualTo(ActionKind.REPORT_FENCED);
    assertThat(a.fence()).isEqualTo(FenceReason.CRASHED);
    assertThat(a.reason()).isEqualTo("token 5 handed back: no call from the tandem context store");
  }

  @Test
  void runningFlowsUnderAProvenTokenAreNotDisturbedByTheGate() {
    ContextGate g = new ContextGate(true, 5, 0, 0, "");
    Action a = Decide.decide(view().assigned("a", 5).lease(lease(5, 1000)).running(5)
        .runtime(RuntimeState.RUNTIME_RUNNING).context(g).build(), NOW);
    assertThat(a.kind()).isEqualTo(ActionKind.NONE);
  }

  @Test
  void flowsFoundRunningAreAdoptedOnlyAfterTheProof() {
    View v = view().assigned("a", 5).lease(lease(5, 1000)).runtime(RuntimeState.RUNTIME_RUNNING)
        .context(NOTHING_YET).build();
    assertThat(Decide.decide(v, NOW).kind()).isEqualTo(ActionKind.PREPARE_CONTEXT);
    ContextGate failed = new ContextGate(true, 0, 0, 5, "never proved");
    Action a = Decide.decide(view().assigned("a", 5).lease(lease(5, 1000))
        .runtime(RuntimeState.RUNTIME_RUNNING).context(failed).build(), NOW);
    assertThat(a.kind()).isEqualTo(ActionKind.STOP);
  }

  @Test
  void aLeaseRefusalAlsoHoldsThePreparationBack() {
    Action a = Decide.decide(view().assigned("a", 5).lease(lease(5, 1000)).context(NOTHING_YET).build(),
        NOW, "the lease is too short");
    assertThat(a.kind()).isEqualTo(ActionKind.NONE);
  }
}
