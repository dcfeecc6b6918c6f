package io.tandem.agent.nodered;

import java.time.Duration;

/**
 * Delay before restarting an exited runtime. A runtime that became ready (it served as a spare, or
 * ran flows) is restarted after {@code min}: after a failover the old side should be a ready spare
 * again within about one boot. Only exits before readiness (a crash loop at boot: a broken
 * settings.js, a Node.js too old, a port in use) double the delay, up to {@code max}.
 */
final class RestartBackoff {
  private final Duration min;
  private final Duration max;
  private int bootFailures;

  RestartBackoff(Duration min, Duration max) {
    this.min = min;
    this.max = max;
  }

  /** The delay before the next launch, given whether the exited process had become ready. */
  Duration next(boolean becameReady) {
    if (becameReady) {
      bootFailures = 0;
    }
    Duration delay = min;
    for (int i = 0; i < bootFailures && delay.compareTo(max) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    if (!becameReady) {
      bootFailures++;
    }
    return delay.compareTo(max) > 0 ? max : delay;
  }
}
