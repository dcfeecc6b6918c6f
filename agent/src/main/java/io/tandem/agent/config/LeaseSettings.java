package io.tandem.agent.config;

import io.tandem.common.config.Durations;
import java.time.Duration;
import java.util.Optional;

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

  /**
   * The usable part of a lease of {@code leaseMillis}: {@code lease*(1-driftBound) - stopBudget},
   * the time flows may run after the heartbeat that was granted it was sent.
   */
  public long usableMillis(long leaseMillis) {
    return (long) Math.floor(leaseMillis * (1.0 - driftBound)) - stopBudget.toMillis();
  }

  /**
   * The shortest lease these settings can work with: its usable part must be longer than one
   * renewInterval (or the flows stop before the next renewal arrives) and than rpcTimeout (or one
   * unanswered heartbeat outlasts the lease).
   */
  public long minimumLeaseMillis() {
    long needed = stopBudget.toMillis() + Math.max(renewInterval.toMillis(), rpcTimeout.toMillis()) + 1;
    return (long) Math.ceil(needed / (1.0 - driftBound));
  }

  /**
   * Why a granted lease of {@code leaseMillis} makes these settings unsafe or useless, with the
   * arithmetic, or empty if it fits.
   */
  public Optional<String> unusableWith(long leaseMillis) {
    long usable = usableMillis(leaseMillis);
    String sum = "the coordinators grant a lease of " + leaseMillis + "ms: " + leaseMillis
        + "ms x (1 - driftBound " + driftBound + ") - stopBudget " + Durations.format(stopBudget)
        + " = " + usable + "ms in which flows may run";
    String fix = "; raise lease.duration on the coordinators to at least " + minimumLeaseMillis()
        + "ms, or lower the agent's ";
    if (usable <= renewInterval.toMillis()) {
      return Optional.of(sum + ", not more than renewInterval " + Durations.format(renewInterval)
          + ": the flows would stop before the next renewal" + fix + "stopBudget or renewInterval");
    }
    if (rpcTimeout.toMillis() >= usable) {
      return Optional.of(sum + ", not more than rpcTimeout " + Durations.format(rpcTimeout)
          + ": one unanswered heartbeat would outlast the lease" + fix + "rpcTimeout");
    }
    return Optional.empty();
  }
}
