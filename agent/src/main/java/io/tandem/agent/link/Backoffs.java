package io.tandem.agent.link;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.tandem.client.CoordinatorEndpoints;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How the agent waits between calls when the coordinators are busy or moving:
 *
 * <ul>
 *   <li>gRPC's own reconnect backoff (which grows to two minutes) must not delay the return to a
 *       coordinator that came back: after a connection failure the channel's backoff is reset, at
 *       most every {@code minGapNanos} per address.
 *   <li>A leader that sheds load answers RESOURCE_EXHAUSTED with a retry-after hint: the next
 *       heartbeat waits that long times a random factor in [0.5, 1.5), capped at two renew
 *       intervals (so an active's lease of several intervals is not put at risk by the wait).
 *   <li>After a leader change or a restart, agents reconnect spread over {@link
 *       #RECONNECT_SPREAD_NANOS} (uniform jitter), not all in the same millisecond.
 * </ul>
 */
final class Backoffs {
  /** Reconnects after a leader change are spread uniformly over this long. */
  static final long RECONNECT_SPREAD_NANOS = 250_000_000L;

  private final CoordinatorEndpoints endpoints;
  private final long minGapNanos;
  private final DoubleSupplier random;
  private final Map<String, Long> lastReset = new ConcurrentHashMap<>();

  Backoffs(CoordinatorEndpoints endpoints, long minGapNanos) {
    this(endpoints, minGapNanos, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** {@code random}: uniform in [0, 1) (injected by tests). */
  Backoffs(CoordinatorEndpoints endpoints, long minGapNanos, DoubleSupplier random) {
    this.endpoints = endpoints;
    this.minGapNanos = minGapNanos;
    this.random = random;
  }

  /**
   * Whether a redirect naming {@code hintedLeader} means the leader changed since {@code
   * lastServedBy} answered (then agents spread their redials); false without a hint, or when it
   * names the coordinator that served the last heartbeat.
   */
  static boolean isLeaderChange(java.util.Optional<String> hintedLeader, String lastServedBy) {
    return hintedLeader.isPresent() && !hintedLeader.get().equals(lastServedBy);
  }

  void onFailure(String address, Throwable failure) {
    if (Status.fromThrowable(failure).getCode() != Status.Code.UNAVAILABLE
        || CoordinatorEndpoints.leaderHint(failure).isPresent()) {
      return;
    }
    long now = System.nanoTime();
    Long last = lastReset.get(address);
    if (last == null || now - last > minGapNanos) {
      lastReset.put(address, now);
      ManagedChannel c = endpoints.channel(address);
      c.resetConnectBackoff();
    }
  }

  /**
   * If {@code failure} is a leader's "busy, retry later" (RESOURCE_EXHAUSTED), how long to wait
   * before the next heartbeat: the hint (or one renew interval without one) times a factor in
   * [0.5, 1.5), at most two renew intervals.
   */
  Optional<Long> shedDelayNanos(Throwable failure, long renewIntervalNanos) {
    if (Status.fromThrowable(failure).getCode() != Status.Code.RESOURCE_EXHAUSTED) {
      return Optional.empty();
    }
    long hint = retryAfterNanos(failure).orElse(renewIntervalNanos);
    long jittered = (long) (hint * (0.5 + random.getAsDouble()));
    return Optional.of(Math.min(2 * renewIntervalNanos, Math.max(0, jittered)));
  }

  /** A uniform delay in [0, RECONNECT_SPREAD_NANOS) before reconnecting after a leader change. */
  long reconnectSpreadNanos() {
    return (long) (RECONNECT_SPREAD_NANOS * random.getAsDouble());
  }

  static Optional<Long> retryAfterNanos(Throwable failure) {
    Metadata trailers = Status.trailersFromThrowable(failure);
    String v = trailers == null ? null : trailers.get(CoordinatorEndpoints.RETRY_AFTER_TRAILER);
    if (v == null) {
      return Optional.empty();
    }
    try {
      long ms = Long.parseLong(v.trim());
      return ms < 0 ? Optional.empty() : Optional.of(ms * 1_000_000L);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
