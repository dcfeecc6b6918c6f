package io.tandem.agent.link;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.tandem.client.CoordinatorEndpoints;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps gRPC's own reconnect backoff (which grows to two minutes) from delaying the return to a
 * coordinator that came back: after a connection failure the channel's backoff is reset, at most
 * every {@code minGapNanos} per address.
 */
final class Backoffs {
  private final CoordinatorEndpoints endpoints;
  private final long minGapNanos;
  private final Map<String, Long> lastReset = new ConcurrentHashMap<>();

  Backoffs(CoordinatorEndpoints endpoints, long minGapNanos) {
    this.endpoints = endpoints;
    this.minGapNanos = minGapNanos;
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
}
