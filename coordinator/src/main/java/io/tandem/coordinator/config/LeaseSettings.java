package io.tandem.coordinator.config;

import java.time.Duration;

/**
 * Lease and failover timing (DESIGN.md, "Liveness and leases").
 *
 * @param lease how long one granted renewal lets the active keep its flows running
 * @param renewInterval how often agents heartbeat (told to them; the agent config may override)
 * @param standbyFreshness a standby counts as ready only with a heartbeat at most this old
 * @param tickInterval how often the leader checks leases
 */
public record LeaseSettings(
    Duration lease, Duration renewInterval, Duration standbyFreshness, Duration tickInterval) {

  public static final LeaseSettings DEFAULTS =
      new LeaseSettings(
          Duration.ofMillis(2000),
          Duration.ofMillis(250),
          Duration.ofMillis(1000),
          Duration.ofMillis(20));
}
