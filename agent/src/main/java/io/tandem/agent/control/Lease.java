package io.tandem.agent.control;

/**
 * A lease granted to this agent for one token.
 *
 * @param token       the token of the assignment the lease was granted under
 * @param sentAtNanos when the granted heartbeat was sent (System.nanoTime)
 * @param leaseMillis the lease the coordinator granted
 * @param endNanos    the end of the lease as this agent counts it: sentAt + lease*(1-driftBound)
 * @param stopAtNanos when the flows must stop: {@code endNanos - stopBudget}
 */
public record Lease(long token, long sentAtNanos, long leaseMillis, long endNanos, long stopAtNanos) {
  public static final Lease NONE = new Lease(0, 0, 0, Long.MIN_VALUE, Long.MIN_VALUE);

  public boolean isNone() {
    return leaseMillis <= 0;
  }

  /** Valid for {@code forToken} at {@code nowNanos}: granted for that token, stop time not reached. */
  public boolean validFor(long forToken, long nowNanos) {
    return !isNone() && token == forToken && nowNanos - stopAtNanos < 0;
  }

  public long millisLeft(long nowNanos) {
    return isNone() ? -1 : Math.max(0, (stopAtNanos - nowNanos) / 1_000_000);
  }

  /** True if {@code other} is a better lease: a higher token, or the same token ending later. */
  public boolean isWeakerThan(Lease other) {
    if (other.isNone()) {
      return false;
    }
    return isNone() || other.token > token
        || (other.token == token && other.stopAtNanos - stopAtNanos > 0);
  }
}
