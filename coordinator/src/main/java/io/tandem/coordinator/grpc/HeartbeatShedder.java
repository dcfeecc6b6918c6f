package io.tandem.coordinator.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.coordinator.lease.LeaderHealth;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sheds heartbeat load early instead of letting calls time out (docs/coordinator.md, "Overload").
 * The leader is overloaded while {@link LeaderHealth} says it is degraded or while at least
 * {@code maxPending} heartbeats are being handled (arrived, not yet answered: most wait on the
 * read that confirms leadership). Then a heartbeat from a standby that was served less than
 * {@code minGap} ago is answered at once with RESOURCE_EXHAUSTED and a retry-after hint; actives
 * (running flows: their lease is at stake) and standbys not served lately are served. So every
 * standby is still served about every {@code minGap} (two renew intervals by default: its
 * freshness of four stays intact), and the standbys' load drops to about half. At twice {@code
 * maxPending} every heartbeat is shed. A full queue is itself a bad health signal. Lock-free.
 */
final class HeartbeatShedder {
  /** Default bound on heartbeats in handling at once. */
  static final int DEFAULT_MAX_PENDING = 256;

  private final LeaderHealth health;
  private final int maxPending;
  private final long minGapNanos;
  private final long retryAfterMillis;
  private final AtomicInteger pending = new AtomicInteger();
  private final Map<String, Long> lastServed = new ConcurrentHashMap<>();

  HeartbeatShedder(LeaderHealth health, int maxPending, Duration renewInterval) {
    this.health = health;
    this.maxPending = maxPending;
    this.minGapNanos = 2 * renewInterval.toNanos();
    this.retryAfterMillis = Math.max(1, renewInterval.toMillis());
  }

  /**
   * Null if the heartbeat is admitted (the caller then calls {@link #done} once), else the error
   * to answer with at once.
   */
  StatusRuntimeException admit(String group, String instance, boolean active, long now) {
    String key = group + '\u0000' + instance;
    int p = pending.incrementAndGet();
    boolean full = p > maxPending;
    if (full) {
      health.bad(now, p - 1 + " heartbeats already waiting to be handled");
    }
    if (full || health.degraded(now)) {
      Long last = lastServed.get(key);
      boolean recent = last != null && now - last < minGapNanos;
      if (p > 2 * maxPending || (!active && recent)) {
        pending.decrementAndGet();
        Metadata trailers = new Metadata();
        trailers.put(CoordinatorEndpoints.RETRY_AFTER_TRAILER, Long.toString(retryAfterMillis));
        return Status.RESOURCE_EXHAUSTED
            .withDescription("the leader is busy (" + health.reason() + "); retry in about "
                + retryAfterMillis + " ms")
            .asRuntimeException(trailers);
      }
    }
    lastServed.put(key, now);
    return null;
  }

  void done() {
    pending.decrementAndGet();
  }

  int pending() {
    return pending.get();
  }
}
