package io.tandem.agent.link;

import java.util.OptionalLong;

/**
 * The numbers and send times (System.nanoTime, taken before sending) of the last heartbeats, so that
 * a lease pushed with an activation, which names the heartbeat it is counted from, is counted from
 * that heartbeat's send. Numbers start at 1 and increase for the life of the agent process.
 * Thread-safe.
 */
final class HeartbeatSends {
  static final int KEPT = 64;
  private final long[] seqs = new long[KEPT];
  private final long[] sentAt = new long[KEPT];
  private long last;

  /** Numbers the heartbeat about to be sent at {@code sentAtNanos}. */
  synchronized long next(long sentAtNanos) {
    long seq = ++last;
    int i = (int) (seq % KEPT);
    seqs[i] = seq;
    sentAt[i] = sentAtNanos;
    return seq;
  }

  /** When heartbeat {@code seq} was sent, if it is one of the last {@value #KEPT}. */
  synchronized OptionalLong sentAt(long seq) {
    if (seq <= 0) {
      return OptionalLong.empty();
    }
    int i = (int) (seq % KEPT);
    return seqs[i] == seq ? OptionalLong.of(sentAt[i]) : OptionalLong.empty();
  }
}
