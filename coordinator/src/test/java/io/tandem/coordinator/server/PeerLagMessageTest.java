package io.tandem.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the leader says of a peer that is behind: catching up only if it answers. */
class PeerLagMessageTest {
  @Test
  void aPeerThatAnswersIsCatchingUp() {
    assertThat(PeerLagMonitor.behindMessage("c3", 30, 38, 40_000_000L, 2))
        .isEqualTo("peer c3 is 8 entries behind (its commit index 30 < leader's 38); catching up");
  }

  @Test
  void theDeadOldLeaderIsNotCatchingUp() {
    // seen after a leader kill: "9 entries behind (its commit index -1 ...); catching up"
    assertThat(PeerLagMonitor.behindMessage("c1", -1, 8, null, 3))
        .startsWith("peer c1 has not answered this leader since its election (term 3)")
        .contains("9 entries behind").contains("down, stopped or cut off").doesNotContain("catching up");
  }

  @Test
  void aPeerThatFellSilentIsNotCatchingUp() {
    assertThat(PeerLagMonitor.behindMessage("c2", 10, 12, 4_500_000_000L, 3))
        .startsWith("peer c2 has not answered for 4500 ms").doesNotContain("catching up");
  }
}
