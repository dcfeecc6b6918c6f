package io.tandem.agent.link;

import java.security.SecureRandom;
import java.util.OptionalLong;

/**
 * The numbers and send times (System.nanoTime, taken before sending) of the last heartbeats, so that
 * a lease pushed with an activation, which names the heartbeat it is counted from, is counted from
 * that heartbeat's send. Numbers increase for the life of the agent process and start at a random
 * point: a restarted agent must never take a lease named after its previous process's heartbeat for
 * one of its own, sent later (it would count the lease from a later start than the leader does).
 * Thread-safe.
 */
final class HeartbeatSends {
  static final int KEPT = 64;
  /** Starts are drawn below this, so that a process never runs out of positive numbers. */
  static final long START_BOUND = 1L << 62;
  private final long[] seqs = new long[KEPT];
  private final long[] sentAt = new long[KEPT];
  private long last;

  HeartbeatSends() {
    this(new SecureRandom().nextLong(START_BOUND));
  }

  /** {@code start}: the number before the first one (0 or more). */
  HeartbeatSends(long start) {
    if (start < 0) {
      throw new IllegalArgumentException("start must be 0 or more, got " + start);
    }
    this.last = start;
  }

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
