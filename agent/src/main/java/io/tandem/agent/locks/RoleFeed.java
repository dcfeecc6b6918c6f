package io.tandem.agent.locks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The current {@link RoleState} with a version, and the long polls waiting for the next version.
 * A waiting poll is a future and a timer entry, no thread: the HTTP server's threads stay free.
 */
final class RoleFeed implements AutoCloseable {
  /** More waiting polls than this are answered at once (unchanged). */
  static final int MAX_WAITERS = 1024;
  private final ScheduledThreadPoolExecutor timer;
  private final List<CompletableFuture<RoleState>> waiters = new ArrayList<>();
  private RoleState current;
  private RoleState lastStable;
  private long version;

  RoleFeed(RoleState initial) {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "tandem-role-poll");
      th.setDaemon(true);
      return th;
    });
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
    this.version = 1;
    this.lastStable = initial.stable();
    this.current = initial.withVersion(version);
  }

  synchronized RoleState current() {
    return current;
  }

  /** Takes {@code s} (its version is ignored); wakes the waiting polls if something changed. */
  void publish(RoleState s) {
    List<CompletableFuture<RoleState>> wake;
    RoleState now;
    synchronized (this) {
      RoleState stable = s.stable();
      boolean changed = !stable.equals(lastStable);
      if (changed) {
        version++;
        lastStable = stable;
      }
      current = s.withVersion(version);
      now = current;
      if (!changed || waiters.isEmpty()) {
        return;
      }
      wake = new ArrayList<>(waiters);
      waiters.clear();
    }
    for (CompletableFuture<RoleState> w : wake) {
      w.complete(now);
    }
  }

  /**
   * The state once its version differs from {@code since}, or after {@code waitMillis} (then
   * possibly unchanged); completed at once if it already differs.
   */
  CompletableFuture<RoleState> await(long since, long waitMillis) {
    CompletableFuture<RoleState> f = new CompletableFuture<>();
    synchronized (this) {
      if (since != version || waitMillis <= 0 || waiters.size() >= MAX_WAITERS) {
        f.complete(current);
        return f;
      }
      waiters.add(f);
    }
    ScheduledFuture<?> t = timer.schedule(() -> {
      synchronized (this) {
        waiters.remove(f);
      }
      f.complete(current());
    }, waitMillis, TimeUnit.MILLISECONDS);
    f.whenComplete((s, e) -> t.cancel(false));
    return f;
  }

  synchronized int waiting() {
    return waiters.size();
  }

  @Override
  public void close() {
    List<CompletableFuture<RoleState>> wake;
    synchronized (this) {
      wake = new ArrayList<>(waiters);
      waiters.clear();
    }
    RoleState now = current();
    wake.forEach(w -> w.complete(now));
    timer.shutdownNow();
  }
}
