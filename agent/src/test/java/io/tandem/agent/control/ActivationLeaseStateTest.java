package io.tandem.agent.control;

import static io.tandem.agent.control.Views.MS;
import static io.tandem.agent.control.Views.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.config.LeaseSettings;
import io.tandem.proto.agent.GroupUpdate;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A lease pushed with the activation on the watch stream counts exactly as a heartbeat's answer. */
class ActivationLeaseStateTest {
  private final ControlState state = new ControlState("a", LeaseSettings.defaults());

  private static GroupUpdate activation(String active, long token, long leaseMillis) {
    return Messages.update(active, token, false).toBuilder().setLeaseMillis(leaseMillis).setLeaseHeartbeatSeq(9).build();
  }

  @Test
  void itIsCountedFromTheSendOfTheHeartbeatItNames() {
    Lease l = state.onWatch(activation("a", 5, 2000), OptionalLong.of(NOW));
    assertThat(l.token()).isEqualTo(5);
    assertThat(l.stopAtNanos()).as("2000 ms * 0.99 - 300 ms stop budget, from the send").isEqualTo(NOW + 1680 * MS);
    assertThat(state.view().lease()).isEqualTo(l);
    assertThat(state.view().committed().token()).isEqualTo(5);
  }

  @Test
  void withoutTheHeartbeatsSendTimeOrForAnotherInstanceItGrantsNothing() {
    assertThat(state.onWatch(activation("a", 5, 2000), OptionalLong.empty()).isNone()).isTrue();
    assertThat(state.onWatch(activation("b", 6, 2000), OptionalLong.of(NOW)).isNone()).isTrue();
    assertThat(state.view().lease().isNone()).isTrue();
    assertThat(state.view().committed().active()).as("the assignment still counts").isEqualTo("b");
  }

  @Test
  void itNeverShortensALeaseAlreadyHeld() {
    state.onHeartbeat(NOW + 250 * MS, Messages.reply("a", 5, 2000, false));
    state.onWatch(activation("a", 5, 2000), OptionalLong.of(NOW));
    assertThat(state.view().lease().sentAtNanos()).isEqualTo(NOW + 250 * MS);
  }

  @Test
  void decideStartsTheFlowsWithoutAskingForALease() {
    state.onWatch(activation("a", 5, 2000), OptionalLong.of(NOW));
    state.onRuntime(new io.tandem.agent.nodered.RuntimeStatus(io.tandem.proto.agent.RuntimeState.RUNTIME_STANDBY, 1, 1, "ready"));
    Action a = Decide.decide(state.view(), NOW + 20 * MS, null);
    assertThat(a.kind()).isNotEqualTo(ActionKind.RENEW_NOW);
    assertThat(a.token()).isEqualTo(5);
  }
}
