package io.tandem.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeartbeatSendsTest {
  @Test
  void theLastHeartbeatsAreKnownByNumberAndOlderOnesAreNot() {
    HeartbeatSends sends = new HeartbeatSends(0);
    long first = sends.next(1_000);
    for (int i = 1; i < HeartbeatSends.KEPT; i++) {
      sends.next(1_000 + i);
    }
    assertThat(sends.sentAt(first)).hasValue(1_000);
    long newest = sends.next(5_000);
    assertThat(sends.sentAt(newest)).hasValue(5_000);
    assertThat(sends.sentAt(first)).as("pushed out of the ring").isEmpty();
    assertThat(sends.sentAt(newest + 1)).as("not sent yet").isEmpty();
    assertThat(sends.sentAt(0)).isEmpty();
  }

  @Test
  void aRestartedAgentDoesNotKnowTheNumbersOfItsPreviousProcess() {
    // before: every process numbered from 1, so a lease pushed for the old process's heartbeat 3
    // matched the new process's heartbeat 3, sent later, and the agent counted the lease from then
    Set<Long> firsts = new HashSet<>();
    for (int process = 0; process < 20; process++) {
      HeartbeatSends sends = new HeartbeatSends();
      long first = sends.next(process);
      assertThat(first).isPositive();
      firsts.add(first);
    }
    assertThat(firsts).as("each process numbers from its own random start").hasSize(20);
  }
}
