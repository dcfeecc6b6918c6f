package io.tandem.coordinator.lease;

/**
 * Admits the first activations of groups that never had an active (token 0: just created, or a
 * cluster's start) at a bounded rate while the leader is degraded (docs/coordinator.md,
 * "Overload"). Each one is a commit and then a new active whose renewals need the leader's time;
 * when thousands of agents come online at once, the renewals of the actives that exist come first
 * and a standby waits a little longer for its group's first activation. A healthy leader admits
 * every one at once. Only ever delays an Activate, never makes one. Not thread-safe: used under
 * the lease keeper's lock.
 */
final class FirstActivations {
  /**
   * @param perSecond first activations admitted a second while the leader is degraded
   * @param burst admitted at once when the leader becomes degraded after a quiet spell
   */
  record Limits(double perSecond, int burst) {
    static final Limits DEFAULTS = new Limits(20, 20);
  }

  private final LeaderHealth health;
  private final TokenBucket bucket;

  FirstActivations(Limits limits, LeaderHealth health) {
    this.health = health;
    this.bucket = new TokenBucket(limits.perSecond(), limits.burst());
  }

  /** A new term: a full bucket. */
  void reset(long now) {
    bucket.reset(now);
  }

  /** Whether a group's first activation may be proposed now (and counts it). */
  boolean admit(long now) {
    bucket.refill(now);
    return !health.degraded(now) || bucket.tryTake();
  }
}
