package io.tandem.coordinator.config;

import java.time.Duration;

/**
 * Lease and failover timing (DESIGN.md, "Liveness and leases").
 *
 * @param lease how long one granted renewal lets the active keep its flows running
 * @param renewInterval how often agents heartbeat (told to them; the agent config may override)
 * @param standbyFreshness a standby counts as ready only with a heartbeat at most this old
 * @param tickInterval how often the leader checks leases
 * @param lockSettle all-active groups: how long a free lock key must have been wanted before the
 *     keeper gives it out, so that every instance that wants it has said so and the keys spread
 *     (YAML {@code locks.settle}; default: one renewInterval)
 */
public record LeaseSettings(
    Duration lease, Duration renewInterval, Duration standbyFreshness, Duration tickInterval,
    Duration lockSettle) {

  /** Settle defaults to one renewInterval. */
  public LeaseSettings(Duration lease, Duration renewInterval, Duration standbyFreshness, Duration tickInterval) {
    this(lease, renewInterval, standbyFreshness, tickInterval, renewInterval);
  }

  /** These settings with {@code settle} as locks.settle. */
  public LeaseSettings withLockSettle(Duration settle) {
    return new LeaseSettings(lease, renewInterval, standbyFreshness, tickInterval, settle);
  }

  public static final LeaseSettings DEFAULTS =
      new LeaseSettings(
          Duration.ofMillis(2000),
          Duration.ofMillis(250),
          Duration.ofMillis(1000),
          Duration.ofMillis(20));
}
