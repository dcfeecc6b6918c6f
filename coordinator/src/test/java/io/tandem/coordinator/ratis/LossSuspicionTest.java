package io.tandem.coordinator.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which INCONSISTENCY replies mean that a follower lost entries it had acknowledged. */
class LossSuspicionTest {

  @Test
  void anEmptiedDataDirAnsweringAHeartbeatLostWhatItAcknowledged() {
    // match 17, the follower's log is empty: a heartbeat (no first entry) gets next index 0
    assertThat(LossSuspicion.saysLost(17, -1, 0)).isTrue();
    // entries from 12 while it installs a snapshot: next index 12 is its log's end + 1, below match 12 + 1
    assertThat(LossSuspicion.saysLost(12, 12, 12)).isTrue();
  }

  @Test
  void aPreviousEntryMissingBelowTheMatchIndexIsALoss() {
    // entries from 14 (previous 13); the follower's log ends at 11: next index 12 <= match 13
    assertThat(LossSuspicion.saysLost(13, 14, 12)).isTrue();
  }

  @Test
  void aResentRequestWhoseFirstEntryIsAlreadyCommittedThereIsNoLoss() {
    // entries from 11 resent; the follower committed 11, so it answers next index 12 (= match):
    // its log may well hold 12 and more
    assertThat(LossSuspicion.saysLost(12, 11, 12)).isFalse();
    assertThat(LossSuspicion.saysLost(12, 3, 12)).isFalse();
  }

  @Test
  void aFollowerBehindWhatItAcknowledgedNothingIsNoLoss() {
    assertThat(LossSuspicion.saysLost(-1, -1, 0)).isFalse();
    assertThat(LossSuspicion.saysLost(10, 12, 11)).isFalse();
  }

  @Test
  void oneStaleReplyIsNoLossButRepliesThatKeepSayingItOverTimeAre() {
    long ms = 1_000_000L;
    LossSuspicion s = new LossSuspicion();
    assertThat(s.observe(1, -1, 1, 0)).as("one reply").isFalse();
    assertThat(s.observe(1, -1, 1, 100 * ms)).isFalse();
    assertThat(s.observe(1, -1, 1, 200 * ms)).as("three replies within 200 ms").isFalse();
    assertThat(s.observe(1, -1, 1, 310 * ms)).as("four over 310 ms, match unchanged").isTrue();
  }

  @Test
  void progressOfTheMatchIndexOrAReplyWithoutLossStartsOver() {
    long ms = 1_000_000L;
    LossSuspicion s = new LossSuspicion();
    s.observe(5, -1, 3, 0);
    s.observe(5, -1, 3, 200 * ms);
    assertThat(s.observe(7, -1, 3, 400 * ms)).as("the match index moved: acknowledged more since").isFalse();
    assertThat(s.observe(7, -1, 3, 500 * ms)).isFalse();
    assertThat(s.observe(7, -1, 9, 600 * ms)).as("a reply that says no loss").isFalse();
    assertThat(s.observe(7, -1, 3, 700 * ms)).isFalse();
    assertThat(s.observe(7, -1, 3, 800 * ms)).isFalse();
    assertThat(s.observe(7, -1, 3, 1_000 * ms)).isTrue();
  }
}
