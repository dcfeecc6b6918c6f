package io.tandem.agent.control;

import static io.tandem.agent.control.Views.MS;
import static io.tandem.agent.control.Views.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.config.LeaseSettings;
import org.junit.jupiter.api.Test;

class ControlStateTest {
  private final LeaseSettings settings = LeaseSettings.defaults();
  private final ControlState state = new ControlState("a", settings);

  @Test
  void leaseIsCountedFromTheSendTimeShortenedByDriftAndStopBudget() {
    Lease l = state.onHeartbeat(NOW, Messages.reply("a", 5, 2000, false));
    // 2000 ms * 0.99 = 1980 ms, minus the 300 ms stop budget
    assertThat(l.stopAtNanos()).isEqualTo(NOW + 1680 * MS);
    assertThat(l.endNanos()).isEqualTo(NOW + 1980 * MS);
    assertThat(state.view().lease()).isEqualTo(l);
  }

  @Test
  void aLateReplyOfAnEarlierHeartbeatNeverShortensTheLease() {
    state.onHeartbeat(NOW + 250 * MS, Messages.reply("a", 5, 2000, false));
    state.onHeartbeat(NOW, Messages.reply("a", 5, 2000, false));
    assertThat(state.view().lease().sentAtNanos()).isEqualTo(NOW + 250 * MS);
  }

  @Test
  void anOlderAssignmentNeverReplacesANewerOne() {
    state.onWatch(Messages.update("b", 9, false));
    state.onHeartbeat(NOW, Messages.reply("a", 5, 2000, false));
    assertThat(state.view().committed().active()).isEqualTo("b");
    assertThat(state.view().committed().token()).isEqualTo(9);
    // the stale reply granted a lease for token 5, which cannot start anything under token 9
    assertThat(state.view().lease().validFor(9, NOW)).isFalse();
  }

  @Test
  void aRefusedOrForeignReplyGrantsNoLease() {
    assertThat(state.onHeartbeat(NOW, Messages.reply("a", 5, 0, false)).isNone()).isTrue();
    assertThat(state.onHeartbeat(NOW, Messages.reply("b", 5, 2000, false)).isNone()).isTrue();
    assertThat(state.view().lease().isNone()).isTrue();
  }

  @Test
  void aReleaseRequestIsRememberedForTheTokenItWasSentFor() {
    state.onWatch(Messages.update("a", 5, true));
    assertThat(state.view().releaseToken()).isEqualTo(5);
    state.onWatch(Messages.update("b", 6, true));
    assertThat(state.view().releaseToken()).isEqualTo(5);
  }

  @Test
  void fencingClearsTheRunningTokenAndNeverLowersTheFencedOne() {
    state.started(5);
    state.fenced(5);
    assertThat(state.view().runningToken()).isZero();
    state.fenced(3);
    assertThat(state.view().fencedToken()).isEqualTo(5);
  }
}
