package io.tandem.coordinator.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which INCONSISTENCY replies mean that a follower lost entries it had acknowledged. */
class ResyncingLogAppenderTest {

  @Test
  void anEmptiedDataDirAnsweringAHeartbeatLostWhatItAcknowledged() {
    // match 17, the follower's log is empty: a heartbeat (no first entry) gets next index 0
    assertThat(ResyncingLogAppender.lostAcknowledged(17, -1, 0)).isTrue();
    // entries from 12 while it installs a snapshot: next index 12 is its log's end + 1, below match 12 + 1
    assertThat(ResyncingLogAppender.lostAcknowledged(12, 12, 12)).isTrue();
  }

  @Test
  void aPreviousEntryMissingBelowTheMatchIndexIsALoss() {
    // entries from 14 (previous 13); the follower's log ends at 11: next index 12 <= match 13
    assertThat(ResyncingLogAppender.lostAcknowledged(13, 14, 12)).isTrue();
  }

  @Test
  void aResentRequestWhoseFirstEntryIsAlreadyCommittedThereIsNoLoss() {
    // entries from 11 resent; the follower committed 11, so it answers next index 12 (= match):
    // its log may well hold 12 and more
    assertThat(ResyncingLogAppender.lostAcknowledged(12, 11, 12)).isFalse();
    assertThat(ResyncingLogAppender.lostAcknowledged(12, 3, 12)).isFalse();
  }

  @Test
  void aFollowerBehindWhatItAcknowledgedNothingIsNoLoss() {
    assertThat(ResyncingLogAppender.lostAcknowledged(-1, -1, 0)).isFalse();
    assertThat(ResyncingLogAppender.lostAcknowledged(10, 12, 11)).isFalse();
  }
}
