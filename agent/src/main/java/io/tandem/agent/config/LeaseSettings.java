package io.tandem.agent.config;

import java.time.Duration;

/**
 * How the agent keeps and honours its lease.
 *
 * @param driftBound    bound on the relative rate difference of two hosts' monotonic clocks (0.01 = 1%)
 * @param stopBudget    time reserved to stop the flows (and kill Node-RED if the stop is not confirmed)
 *                      before the lease ends
 * @param renewInterval time between two heartbeats
 * @param rpcTimeout    deadline of one call to a coordinator
 */
public record LeaseSettings(
    double driftBound, Duration stopBudget, Duration renewInterval, Duration rpcTimeout) {
  public static final double DEFAULT_DRIFT_BOUND = 0.01;
  public static final Duration DEFAULT_STOP_BUDGET = Duration.ofMillis(300);
  public static final Duration DEFAULT_RENEW_INTERVAL = Duration.ofMillis(250);
  public static final Duration DEFAULT_RPC_TIMEOUT = Duration.ofMillis(300);

  public static LeaseSettings defaults() {
    return new LeaseSettings(
        DEFAULT_DRIFT_BOUND, DEFAULT_STOP_BUDGET, DEFAULT_RENEW_INTERVAL, DEFAULT_RPC_TIMEOUT);
  }

  /**
   * When the flows must stop for a lease of {@code leaseMillis} granted to a request sent at
   * {@code sentAtNanos}: {@code sentAt + lease*(1-driftBound) - stopBudget}.
   */
  public long stopAtNanos(long sentAtNanos, long leaseMillis) {
    long usable = (long) (leaseMillis * 1_000_000L * (1.0 - driftBound));
    return sentAtNanos + usable - stopBudget.toNanos();
  }

  /** True if a lease of this length leaves no time to run flows after the stop budget. */
  public boolean tooShort(long leaseMillis) {
    return leaseMillis * (1.0 - driftBound) - stopBudget.toMillis() <= renewInterval.toMillis();
  }
}
