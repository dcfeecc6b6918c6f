package io.tandem.coordinator.server;

import io.tandem.coordinator.lease.LeaderHealth;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The gRPC services' executor: a fixed pool of {@link #threads()} threads (2 per core, at least
 * 4) instead of gRPC's default cached pool, which grew to thousands of idle threads under load.
 * The services never block a thread on Raft (they complete calls from futures), so a small pool
 * suffices; the queue in front of it is kept short by the heartbeat shedder, and the time a
 * call waits in it is a health signal of the leader ({@link LeaderHealth#callQueueDelay}).
 */
final class GrpcExecutor implements Executor, AutoCloseable {
  private final ExecutorService pool;
  private final LeaderHealth health;
  private final LongSupplier nanos;

  GrpcExecutor(LeaderHealth health, LongSupplier nanos) {
    this.health = health;
    this.nanos = nanos;
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(threads(), threads(), 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "tandem-grpc-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  static int threads() {
    return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  }

  @Override
  public void execute(Runnable task) {
    long queued = nanos.getAsLong();
    pool.execute(() -> {
      long start = nanos.getAsLong();
      health.callQueueDelay(start - queued, start);
      task.run();
    });
  }

  @Override
  public void close() {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
