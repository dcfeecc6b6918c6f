package io.tandem.coordinator.server;

import io.tandem.coordinator.lease.Decision;
import io.tandem.coordinator.lease.LeaseKeeper;
import io.tandem.coordinator.metrics.CoordinatorMetrics;
import io.tandem.coordinator.ratis.RaftNode;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's decision loop: every tick interval, and at once when kicked (a fenced report),
 * asks the lease keeper what to propose and submits it through Raft. Decisions are
 * compare-and-set on the group's token, so a stale one is refused by the state machine, never
 * applied; a deposed leader's proposal fails in Raft.
 */
final class LeaderTicker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderTicker.class);

  private final RaftNode raft;
  private final LeaseKeeper keeper;
  private final CoordinatorMetrics metrics;
  private final LongSupplier nanos;
  private final LongSupplier wallMillis;
  private final Duration interval;
  private static final long FAILURE_LOG_EVERY_NANOS = 5_000_000_000L;
  private volatile long lastFailureLogNanos = Long.MIN_VALUE / 2;
  private long lastHeldLogNanos = Long.MIN_VALUE / 2;
  private long lastFirstHeldLogNanos = Long.MIN_VALUE / 2;
  private long lastScheduledEnd;
  private final ScheduledExecutorService exec =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tandem-ticker");
        t.setDaemon(true);
        return t;
      });

  LeaderTicker(RaftNode raft, LeaseKeeper keeper, CoordinatorMetrics metrics, LongSupplier nanos,
      LongSupplier wallMillis, Duration interval) {
    this.raft = raft;
    this.keeper = keeper;
    this.metrics = metrics;
    this.nanos = nanos;
    this.wallMillis = wallMillis;
    this.interval = interval;
  }

  void start() {
    long ms = Math.max(1, interval.toMillis());
    lastScheduledEnd = nanos.getAsLong();
    exec.scheduleWithFixedDelay(this::scheduledTick, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** Decide now (from any thread). */
  void kick() {
    try {
      exec.execute(this::tick);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** Runs {@code task} once on the ticker's thread after {@code delay}; false if closing. */
  boolean later(Duration delay, Runnable task) {
    try {
      exec.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Runs {@code task} on the ticker's thread every {@code period} (housekeeping). */
  void every(Duration period, Runnable task) {
    exec.scheduleWithFixedDelay(task, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The periodic tick also measures the leader's health: how late it started (scheduling lag:
   * CPU starvation, a GC pause, a stalled thread) and the GC time since the last tick.
   */
  private void scheduledTick() {
    long start = nanos.getAsLong();
    long lag = start - (lastScheduledEnd + interval.toNanos());
    keeper.health().tickLag(lag, start);
    keeper.health().sampleGc(start);
    tick();
    lastScheduledEnd = nanos.getAsLong();
    int held = keeper.heldExpiries();
    if (held > 0 && start - lastHeldLogNanos > FAILURE_LOG_EVERY_NANOS) {
      lastHeldLogNanos = start;
      LOG.warn("{} expired lease(s) held, no failover yet: {}", held, keeper.lastHoldReason());
    }
    int firstHeld = keeper.heldFirstActivations();
    if (firstHeld > 0 && start - lastFirstHeldLogNanos > FAILURE_LOG_EVERY_NANOS) {
      lastFirstHeldLogNanos = start;
      LOG.info("{} new group(s) wait for their first activation: the leader is degraded ({}), the renewals of "
          + "running actives go first", firstHeld, keeper.health().reason());
    }
  }

  private void tick() {
    try {
      if (!keeper.isLeader()) {
        return;
      }
      List<Decision> decisions = keeper.decide(raft.stateMachine().state(), nanos.getAsLong());
      for (Decision d : decisions) {
        propose(d);
      }
    } catch (RuntimeException e) {
      LOG.error("leader tick failed", e);
    }
  }

  private void propose(Decision d) {
    Command c = d.command().toBuilder().setStampedUnixMillis(wallMillis.getAsLong()).build();
    boolean lock = c.hasAcquireLock() || c.hasReleaseLock();
    String what = c.hasActivate()
        ? "activate \"" + c.getActivate().getInstance() + "\": " + c.getActivate().getReason()
        : c.hasAcquireLock()
            ? "give lock \"" + c.getAcquireLock().getKey() + "\" to \"" + c.getAcquireLock().getInstance() + "\": "
                + c.getAcquireLock().getReason()
            : c.hasReleaseLock()
                ? "release lock \"" + c.getReleaseLock().getKey() + "\": " + c.getReleaseLock().getReason()
                : "deactivate: " + c.getDeactivate().getReason();
    LOG.info("group {}: deciding ({}) to {}", d.group(), d.cause(), what);
    long t0 = nanos.getAsLong();
    raft.submit(c).whenComplete((result, err) -> {
      keeper.proposalDone(d.group());
      if (err != null) {
        // No kick: the next tick retries, so a failing Raft write cannot spin this loop.
        long now = nanos.getAsLong();
        if (now - lastFailureLogNanos > FAILURE_LOG_EVERY_NANOS) {
          lastFailureLogNanos = now;
          LOG.warn("group {}: proposal not committed (retrying every tick): {}", d.group(),
              err.getMessage());
        }
        return;
      } else if (result.getOutcome() == Outcome.OK) {
        metrics.decisionLatency(Duration.ofNanos(nanos.getAsLong() - t0));
        if (lock) {
          metrics.lockHandover(d.cause());
        } else {
          metrics.failover(d.cause());
        }
        LOG.info("group {}: committed at index {}, active \"{}\" token {}", d.group(),
            result.getIndex(), result.getActive(), result.getToken());
      } else {
        LOG.info("group {}: proposal refused ({}): {}", d.group(), result.getOutcome(),
            result.getMessage());
      }
      kick(); // the state moved: look again without waiting a tick
    });
  }

  @Override
  public void close() {
    exec.shutdownNow();
    try {
      exec.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
