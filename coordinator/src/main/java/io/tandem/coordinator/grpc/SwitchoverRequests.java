package io.tandem.coordinator.grpc;

import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.admin.SwitchoverResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The switchovers this leader started, by request id, so that a retried Switchover (same
 * request_id: the client lost the answer, or timed out) gets the first outcome instead of starting
 * a second switchover, which in a two-instance group would switch straight back.
 *
 * <p>An attempt is remembered from its start: while in progress (a retry waits for the same
 * outcome), and for {@link #KEEP_FINISHED} after it finished, at most {@link #LIMIT} of them. One
 * refused before anything happened (not the leader, unknown group, no ready standby, ...) is
 * forgotten when it ends: it changed nothing, so a retry may try again. In memory of this leader
 * only: a retry sent to a new leader after a leader change is a new switchover.
 */
final class SwitchoverRequests {
  static final int LIMIT = 1024;
  static final Duration KEEP_FINISHED = Duration.ofMinutes(10);

  /** One switchover started under a request id. */
  static final class Attempt {
    private final SwitchoverRequest first;
    private final CompletableFuture<SwitchoverResponse> outcome = new CompletableFuture<>();
    private volatile boolean released;
    private volatile String releasedFrom = "";
    private volatile long releasedToken;
    private long finishedNanos; // guarded by the registry; 0 while in progress

    private Attempt(SwitchoverRequest first) {
      this.first = first;
    }

    /** True if {@code req} is the request that started this attempt (not a retry of it). */
    boolean startedBy(SwitchoverRequest req) {
      return first == req;
    }

    CompletableFuture<SwitchoverResponse> outcome() {
      return outcome;
    }

    SwitchoverRequest request() {
      return first;
    }

    /**
     * The active {@code from} was asked to release {@code token}: from here on the attempt has
     * effects and is remembered.
     */
    void released(String from, long token) {
      releasedFrom = from;
      releasedToken = token;
      released = true;
    }

    /** The instance asked to release ("" before). */
    String releasedFrom() {
      return releasedFrom;
    }

    /** The token it was asked to release (0 before). */
    long releasedToken() {
      return releasedToken;
    }
  }

  private final LongSupplier nanos;
  private final Map<String, Attempt> byId = new LinkedHashMap<>();

  SwitchoverRequests(LongSupplier nanos) {
    this.nanos = nanos;
  }

  /** The outcome of the attempt started with this request id, if one is remembered. */
  synchronized Optional<CompletableFuture<SwitchoverResponse>> find(SwitchoverRequest req) {
    if (req.getRequestId().isEmpty()) {
      return Optional.empty();
    }
    purge(nanos.getAsLong());
    Attempt a = byId.get(req.getRequestId());
    if (a == null) {
      return Optional.empty();
    }
    checkSame(a.first, req);
    return Optional.of(a.outcome.copy());
  }

  /** The attempt remembered under {@code requestId}, in progress or finished. */
  synchronized Optional<Attempt> byRequestId(String requestId) {
    purge(nanos.getAsLong());
    return Optional.ofNullable(byId.get(requestId));
  }

  /**
   * Registers a new attempt, or returns the one already registered under the request id (then
   * {@code startedBy(req)} is false and the caller only waits for its outcome).
   */
  synchronized Attempt begin(SwitchoverRequest req) {
    Attempt a = new Attempt(req);
    if (req.getRequestId().isEmpty()) {
      return a; // no id: nothing to de-duplicate against
    }
    Attempt existing = byId.get(req.getRequestId());
    if (existing != null) {
      checkSame(existing.first, req);
      return existing;
    }
    byId.put(req.getRequestId(), a);
    return a;
  }

  /** Completes an attempt; forgets it if it failed before it asked the active to release. */
  void finish(Attempt a, SwitchoverResponse response, Throwable failure) {
    synchronized (this) {
      String id = a.first.getRequestId();
      if (failure != null && !a.released) {
        byId.remove(id, a);
      } else {
        a.finishedNanos = Math.max(1, nanos.getAsLong());
      }
      purge(nanos.getAsLong());
    }
    if (failure != null) {
      a.outcome.completeExceptionally(Errors.unwrap(failure));
    } else {
      a.outcome.complete(response);
    }
  }

  synchronized int size() {
    return byId.size();
  }

  private void purge(long now) {
    int excess = byId.size() - LIMIT;
    for (Iterator<Attempt> it = byId.values().iterator(); it.hasNext(); ) {
      Attempt a = it.next();
      if (a.finishedNanos == 0) {
        continue; // in progress: bounded by the switchover timeout
      }
      if (excess > 0 || now - a.finishedNanos > KEEP_FINISHED.toNanos()) {
        it.remove();
        excess--;
      }
    }
  }

  private static void checkSame(SwitchoverRequest first, SwitchoverRequest retry) {
    if (!first.getGroup().equals(retry.getGroup())
        || !first.getToInstance().equals(retry.getToInstance())) {
      throw Errors.invalid("request_id \"" + retry.getRequestId() + "\" was already used for a"
          + " switchover of group \"" + first.getGroup() + "\""
          + (first.getToInstance().isEmpty() ? "" : " to \"" + first.getToInstance() + "\"")
          + "; use a new request id for a different switchover");
    }
  }
}
