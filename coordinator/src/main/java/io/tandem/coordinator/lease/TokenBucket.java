package io.tandem.coordinator.lease;

/**
 * A token bucket on the caller's clock ({@code now} in nanoseconds): {@code perSecond} tokens a
 * second, at most {@code burst} saved. Full at the first use and after {@link #reset}. Not
 * thread-safe: its users call it under the lease keeper's lock.
 */
final class TokenBucket {
  private final double perSecond;
  private final int burst;
  private double tokens;
  private long refilledAt;
  private boolean started;

  TokenBucket(double perSecond, int burst) {
    this.perSecond = perSecond;
    this.burst = burst;
  }

  /** A full bucket. */
  void reset(long now) {
    tokens = burst;
    refilledAt = now;
    started = true;
  }

  /** Adds the tokens earned since the last call. */
  void refill(long now) {
    if (!started) {
      reset(now);
    }
    tokens = Math.min(burst, tokens + (now - refilledAt) * perSecond / 1e9);
    refilledAt = now;
  }

  /** Takes one token if there is one (call {@link #refill} first). */
  boolean tryTake() {
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
