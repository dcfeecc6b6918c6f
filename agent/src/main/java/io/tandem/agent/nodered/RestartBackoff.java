package io.tandem.agent.nodered;

import java.time.Duration;

/**
 * Delay before restarting an exited runtime: min, doubled after every exit that came soon after its
 * launch, capped at max; back to min once a runtime ran for the healthy period.
 */
final class RestartBackoff {
  private final Duration min;
  private final Duration max;
  private final Duration healthyPeriod;
  private int quickExits;

  RestartBackoff(Duration min, Duration max, Duration healthyPeriod) {
    this.min = min;
    this.max = max;
    this.healthyPeriod = healthyPeriod;
  }

  /** The delay before the next launch, given how long the exited process ran. */
  Duration next(Duration uptime) {
    if (uptime.compareTo(healthyPeriod) >= 0) {
      quickExits = 0;
    }
    Duration delay = min;
    for (int i = 0; i < quickExits && delay.compareTo(max) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    quickExits++;
    return delay.compareTo(max) > 0 ? max : delay;
  }
}
