package io.tandem.coordinator.server;

import io.tandem.coordinator.grpc.CallerLane;
import io.tandem.coordinator.lease.LeaderHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC services' executor: a fixed pool of {@link #threads()} threads (2 per core, at least
 * 4) instead of gRPC's default cached pool, which grew to thousands of idle threads under load.
 * The services never block a thread on Raft (they complete calls from futures), so a small pool
 * suffices.
 *
 * <p>Two queues in front of the threads ({@link CallLanes} picks one per call): the <em>urgent</em>
 * lane (renewals of actives, fence reports: what keeps flows running or a dark group short) is
 * always taken first, except that after {@link #URGENT_STREAK} urgent tasks in a row one waiting
 * normal task goes first, so standbys and operators are never starved entirely. Within a lane,
 * first in, first out. The time a task waited is a health signal of the leader ({@link
 * LeaderHealth#callQueueDelay}).
 */
final class GrpcExecutor implements Executor, AutoCloseable {
  /** Urgent tasks run in a row, while normal ones wait, before one normal task goes first. */
  static final int URGENT_STREAK = 8;
  private static final Logger LOG = LoggerFactory.getLogger(GrpcExecutor.class);

  private record Task(Runnable body, long queuedNanos, boolean urgent) {}

  private final LeaderHealth health;
  private final LongSupplier nanos;
  private final Queue<Task> urgentQueue = new ConcurrentLinkedQueue<>();
  private final Queue<Task> normalQueue = new ConcurrentLinkedQueue<>();
  /** One permit per queued task, plus the wake-ups of {@link #close}. */
  private final Semaphore queued = new Semaphore(0);
  private final List<Thread> workers = new ArrayList<>();
  private final Executor urgent = task -> submit(task, true);
  private int streak; // guarded by this
  private volatile boolean closed;

  GrpcExecutor(LeaderHealth health, LongSupplier nanos) {
    this(health, nanos, threads());
  }

  GrpcExecutor(LeaderHealth health, LongSupplier nanos, int threads) {
    this.health = health;
    this.nanos = nanos;
    for (int i = 1; i <= threads; i++) {
      Thread t = new Thread(this::work, "tandem-grpc-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  static int threads() {
    return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  }

  /** The normal lane. */
  @Override
  public void execute(Runnable task) {
    submit(task, false);
  }

  /** The urgent lane: its tasks run before every normal task waiting (see the class comment). */
  Executor urgent() {
    return urgent;
  }

  /** Tasks waiting in the urgent and normal lanes. */
  int[] waiting() {
    return new int[] {urgentQueue.size(), normalQueue.size()};
  }

  private void submit(Runnable task, boolean isUrgent) {
    if (closed) {
      throw new RejectedExecutionException("the coordinator's gRPC executor is closed");
    }
    (isUrgent ? urgentQueue : normalQueue).add(new Task(task, nanos.getAsLong(), isUrgent));
    queued.release();
  }

  /** The next task to run (a permit was taken, so one is queued unless it was a wake-up). */
  private synchronized Task next() {
    if (streak >= URGENT_STREAK) {
      Task n = normalQueue.poll();
      if (n != null) {
        streak = 0;
        return n;
      }
    }
    Task u = urgentQueue.poll();
    if (u != null) {
      streak = normalQueue.isEmpty() ? 0 : streak + 1;
      return u;
    }
    streak = 0;
    return normalQueue.poll();
  }

  private void work() {
    while (true) {
      try {
        queued.acquire();
      } catch (InterruptedException e) {
        return;
      }
      Task t = next();
      if (t == null) {
        if (closed) {
          return;
        }
        continue;
      }
      long start = nanos.getAsLong();
      health.callQueueDelay(start - t.queuedNanos(), start);
      try {
        CallerLane.run(t.urgent() ? urgent : this, t.body());
      } catch (RuntimeException e) {
        // gRPC's own tasks catch what they throw; anything else must not kill a pool thread
        LOG.error("a gRPC task failed", e);
      }
    }
  }

  /** Lets the queued tasks finish (for up to a second), then stops the threads. */
  @Override
  public void close() {
    closed = true;
    queued.release(workers.size()); // one wake-up each, after the tasks already queued
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    for (Thread t : workers) {
      try {
        t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    workers.forEach(Thread::interrupt);
  }
}
