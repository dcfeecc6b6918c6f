package io.tandem.coordinator.ratis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Many callers share one linearizable read (etcd's linearizableReadLoop batches ReadIndex requests
 * the same way). A caller joins the <em>next</em> read, never one already in flight: that read was
 * sent after the caller arrived, so when it completes it confirms leadership after the arrival and
 * the state machine has applied everything committed before it, exactly as a read of the caller's
 * own would. At most one read is in flight and one batch waits for it. Thread-safe.
 */
final class ReadBatches {
  private final Supplier<CompletableFuture<?>> read;
  private final Executor sender;
  private CompletableFuture<Void> inFlight; // guarded by this
  private CompletableFuture<Void> waiting; // guarded by this: the batch of the next read

  /**
   * @param read sends one linearizable read; its future fails if leadership was not confirmed
   * @param sender sends the next read when one completes: not on the thread that completed it (a
   *     Raft thread, which must not submit requests to its own server)
   */
  ReadBatches(Supplier<CompletableFuture<?>> read, Executor sender) {
    this.read = read;
    this.sender = sender;
  }

  /** Completes after a linearizable read sent after this call completed (or fails as it did). */
  CompletableFuture<Void> confirm() {
    CompletableFuture<Void> batch;
    boolean send;
    synchronized (this) {
      send = inFlight == null;
      if (send) {
        inFlight = new CompletableFuture<>();
        batch = inFlight;
      } else {
        if (waiting == null) {
          waiting = new CompletableFuture<>();
        }
        batch = waiting;
      }
    }
    if (send) {
      send(batch);
    }
    return batch;
  }

  private void send(CompletableFuture<Void> batch) {
    CompletableFuture<?> r;
    try {
      r = read.get();
    } catch (RuntimeException e) {
      r = CompletableFuture.failedFuture(e);
    }
    r.whenComplete((v, err) -> finished(batch, err));
  }

  private void finished(CompletableFuture<Void> batch, Throwable err) {
    CompletableFuture<Void> next;
    synchronized (this) {
      next = waiting;
      waiting = null;
      inFlight = next;
    }
    if (next != null) {
      try {
        sender.execute(() -> send(next)); // before this batch's callers run: they must not delay it
      } catch (java.util.concurrent.RejectedExecutionException e) {
        next.completeExceptionally(e); // closing
      }
    }
    if (err == null) {
      batch.complete(null);
    } else {
      batch.completeExceptionally(err);
    }
  }
}
