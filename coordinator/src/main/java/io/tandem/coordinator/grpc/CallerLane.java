package io.tandem.coordinator.grpc;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The lane of the gRPC executor the current call runs in (docs/coordinator.md, "Overload"), so that
 * the rest of a call that waited for Raft goes on in the same lane: after a shared read, the
 * actives' heartbeats of the batch are handled before the standbys'. Set by the executor around
 * each task; elsewhere (tests, Raft threads) the current lane runs tasks at once.
 */
public final class CallerLane {
  private static final ThreadLocal<Executor> CURRENT = new ThreadLocal<>();

  private CallerLane() {}

  /** Runs {@code task} as part of {@code lane}. */
  public static void run(Executor lane, Runnable task) {
    CURRENT.set(lane);
    try {
      task.run();
    } finally {
      CURRENT.remove();
    }
  }

  /** The current task's lane (runs tasks at once if none, or if the lane refuses them: closing). */
  public static Executor current() {
    Executor lane = CURRENT.get();
    if (lane == null) {
      return Runnable::run;
    }
    return task -> {
      try {
        lane.execute(task);
      } catch (RejectedExecutionException e) {
        task.run();
      }
    };
  }
}
