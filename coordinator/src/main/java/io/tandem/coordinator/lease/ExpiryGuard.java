package io.tandem.coordinator.lease;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Decides whether an expiry-driven failover may be proposed now (docs/design.md, "Overload never
 * causes a failover"). Not while the leader is degraded ({@link LeaderHealth}); otherwise at most
 * {@code perSecond} a second (a token bucket of {@code burst}) and at most {@code maxShare} of
 * the groups with an active within {@code window} (but always {@code minPerWindow}, so a small
 * cluster still fails over when a host holding several actives dies). An expiry refused here is
 * held, not dropped: the lease keeper asks again on a later tick. Fenced reports (crash, hang,
 * release) never pass through here: they act at once. Called under the lease keeper's lock.
 */
public final class ExpiryGuard {
  /**
   * @param perSecond steady rate of expiry-driven failovers
   * @param burst failovers allowed at once after a quiet spell
   * @param maxShare largest share of the groups with an active that may fail over by expiry in
   *     one window
   * @param minPerWindow failovers always allowed per window, whatever the share
   * @param window the window of {@code maxShare}
   */
  public record Limits(double perSecond, int burst, double maxShare, int minPerWindow, Duration window) {
    public static final Limits DEFAULTS = new Limits(10, 10, 0.10, 5, Duration.ofSeconds(10));
  }

  private final Limits limits;
  private final LeaderHealth health;
  private final long windowNanos;
  private final ArrayDeque<Long> recent = new ArrayDeque<>();
  private final TokenBucket bucket;

  ExpiryGuard(Limits limits, LeaderHealth health) {
    this.limits = limits;
    this.health = health;
    this.windowNanos = limits.window().toNanos();
    this.bucket = new TokenBucket(limits.perSecond(), limits.burst());
  }

  /** A new term: a full bucket, an empty window. */
  void reset(long now) {
    recent.clear();
    bucket.reset(now);
  }

  /**
   * Null if an expiry-driven failover may go ahead now (and counts it), else why it is held.
   *
   * @param groupsWithActive groups that have an active instance (the denominator of the share)
   */
  String admit(long now, int groupsWithActive) {
    if (health.degraded(now)) {
      return "the leader is degraded (" + health.reason() + ")";
    }
    bucket.refill(now);
    while (!recent.isEmpty() && now - recent.peekFirst() >= windowNanos) {
      recent.pollFirst();
    }
    int allowed = Math.max(limits.minPerWindow(), (int) Math.floor(limits.maxShare() * groupsWithActive));
    if (recent.size() >= allowed) {
      return recent.size() + " leases already expired into a failover within " + limits.window().toSeconds()
          + " s (limit " + allowed + "): more at once more likely means the leader is at fault";
    }
    if (!bucket.tryTake()) {
      return "expiry failovers are limited to " + limits.perSecond() + " a second";
    }
    recent.addLast(now);
    return null;
  }
}
