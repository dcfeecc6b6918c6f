package io.tandem.agent.control;

import io.tandem.agent.config.LeaseSettings;
import io.tandem.agent.hooks.HookRunner;
import io.tandem.agent.http.AgentMetrics;
import io.tandem.agent.http.AgentSnapshot;
import io.tandem.agent.nodered.NodeRedRuntime;
import io.tandem.agent.nodered.RuntimeStatus;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.RuntimeState;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcile loop: one control thread merges every event (heartbeat reply, watch update, runtime
 * change) into {@link ControlState}, runs {@link Decide} and lets the {@link ActionExecutor} act. It
 * also runs on a timer set exactly for the lease's stop time, on a timer set exactly for the end of
 * a throttled action's gap, and on a 100 ms safety tick. Every input of {@link Decide} arrives as an
 * event (heartbeat reply, watch update, runtime listener, context {@link #poke()}) and its only
 * clock-driven outcomes are the lease's stop time and the throttle gaps, which have their own
 * timers: the tick is a backstop and detection does not wait for it (an idle agent wakes 10 times a
 * second instead of 100).
 */
public final class Reconciler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  private static final long TICK_MS = 100;
  private static final long RETRY_GAP_NANOS = 200_000_000L;
  private static final long RENEW_GAP_NANOS = 100_000_000L;
  private final String group;
  private final String instance;
  private final LeaseSettings lease;
  private final NodeRedRuntime runtime;
  private final ControlState state;
  private final ActionExecutor executor;
  private final CoordinatorPort coordinator;
  /** Whether the runtime was a ready spare (STANDBY) at the last runtime event; control thread only. */
  private boolean wasSpare;
  private final AgentMetrics metrics;
  private final Supplier<String> coordinatorTarget;
  private final ScheduledExecutorService thread;
  private final ContextPort context;
  private final LocksPort locks;
  private final NoneLog noneLog = new NoneLog();
  private final RefusalLog refusals = new RefusalLog();
  private volatile AgentSnapshot snapshot;
  private String lastReason = "starting";
  private String situation = "starting";
  private long lastActionAtMillis;
  private Action lastAction;
  private long lastActionNanos;
  private boolean lastActionFailed;
  private long timerStopAt = Long.MIN_VALUE;
  private ScheduledFuture<?> stopTimer;
  private ScheduledFuture<?> gapTimer;
  private long gapTimerAt;
  private long lastGeneration;
  private String leaseRefusal; // why the granted lease does not fit the settings; null: it fits
  private long refusedLeaseMillis;
  private boolean closed;

  public Reconciler(String group, String instance, LeaseSettings lease, NodeRedRuntime runtime,
      CoordinatorPort coordinator, HookRunner hooks, AgentMetrics metrics,
      Supplier<String> coordinatorTarget) {
    this(group, instance, lease, runtime, coordinator, hooks, metrics, coordinatorTarget,
        ContextPort.NONE);
  }

  /** With the context store {@code context}: it must call {@link #poke()} when its gate changes. */
  public Reconciler(String group, String instance, LeaseSettings lease, NodeRedRuntime runtime,
      CoordinatorPort coordinator, HookRunner hooks, AgentMetrics metrics,
      Supplier<String> coordinatorTarget, ContextPort context) {
    this(group, instance, lease, runtime, coordinator, hooks, metrics, coordinatorTarget, context,
        LocksPort.NONE);
  }

  /** With the lock side {@code locks}: it sees the view after every reconcile. */
  public Reconciler(String group, String instance, LeaseSettings lease, NodeRedRuntime runtime,
      CoordinatorPort coordinator, HookRunner hooks, AgentMetrics metrics,
      Supplier<String> coordinatorTarget, ContextPort context, LocksPort locks) {
    this.context = context;
    this.locks = locks;
    this.group = group;
    this.instance = instance;
    this.lease = lease;
    this.runtime = runtime;
    this.metrics = metrics;
    this.coordinatorTarget = coordinatorTarget;
    this.state = new ControlState(instance, lease);
    this.coordinator = coordinator;
    this.executor = new ActionExecutor(runtime, coordinator, hooks, lease, state, context,
        this::fenceReported);
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "tandem-control");
      th.setDaemon(true);
      return th;
    });
    t.setRemoveOnCancelPolicy(true);
    this.thread = t;
    publish(System.nanoTime());
  }

  public void start() {
    runtime.addListener(this::onRuntime);
    thread.scheduleAtFixedRate(this::reconcile, 0, TICK_MS, TimeUnit.MILLISECONDS);
  }

  public void onHeartbeat(long sentAtNanos, HeartbeatResponse r) {
    post(() -> {
      String refusal = refusals.onReply(r.getRefusal());
      if (refusal != null && refusals.current().isEmpty()) {
        log.info(refusal);
      } else if (refusal != null) {
        log.warn(refusal);
      }
      state.onHeartbeat(sentAtNanos, checkedLease(r));
    });
  }

  /**
   * The reply with its lease withheld when the granted length makes the agent's settings unsafe or
   * useless (ERROR once per length; /status shows why through the NONE reason of {@link Decide}).
   */
  private HeartbeatResponse checkedLease(HeartbeatResponse r) {
    if (r.getLeaseMillis() <= 0) {
      return r;
    }
    var problem = lease.unusableWith(r.getLeaseMillis());
    if (problem.isEmpty()) {
      if (leaseRefusal != null) {
        log.info("the granted lease of {} ms fits the agent's lease settings again", r.getLeaseMillis());
        leaseRefusal = null;
        refusedLeaseMillis = 0;
      }
      return r;
    }
    if (refusedLeaseMillis != r.getLeaseMillis()) {
      refusedLeaseMillis = r.getLeaseMillis();
      log.error("refusing to run flows: {}", problem.get());
    }
    leaseRefusal = problem.get();
    return r.toBuilder().setLeaseMillis(0).build();
  }

  public void onGroupUpdate(GroupUpdate u) {
    onGroupUpdate(u, java.util.OptionalLong.empty());
  }

  /**
   * A watch update; {@code leaseSentAtNanos}: when the heartbeat its lease (granted with the
   * activation it carries) is counted from was sent. A lease whose length does not fit the
   * settings is ignored here (the heartbeats' answers say why).
   */
  public void onGroupUpdate(GroupUpdate u, java.util.OptionalLong leaseSentAtNanos) {
    post(() -> {
      boolean usable = u.getLeaseMillis() > 0 && lease.unusableWith(u.getLeaseMillis()).isEmpty();
      state.onWatch(u, usable ? leaseSentAtNanos : java.util.OptionalLong.empty());
    });
  }

  /**
   * A runtime event: reconcile, and when the runtime became a ready spare or stopped being one,
   * heartbeat at once so that the leader sees it now instead of up to a renew interval later (a
   * freshly loaded standby is what the leader waits for to activate a group without an active).
   */
  private void onRuntime(RuntimeStatus s) {
    try {
      thread.execute(() -> {
        reconcile();
        boolean spare = s.state() == RuntimeState.RUNTIME_STANDBY;
        if (spare != wasSpare && !closed) {
          wasSpare = spare;
          coordinator.heartbeatNow();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing: the event no longer matters
    }
  }

  /** A fence report is done (answered or given up): called on the reporter's thread. */
  private void fenceReported(long token) {
    long at = System.nanoTime();
    post(() -> state.fenceReported(token, at));
  }

  /** Reconcile now (the context store's gate changed). Returns at once. */
  public void poke() {
    post(() -> { });
  }

  private void post(Runnable change) {
    try {
      thread.execute(() -> {
        change.run();
        reconcile();
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing: the event no longer matters
    }
  }

  /** The latest snapshot for /status, /active and the metrics. */
  public AgentSnapshot snapshot() {
    return snapshot;
  }

  private void reconcile() {
    if (closed) {
      return;
    }
    try {
      observeRuntime();
      long now = System.nanoTime();
      View v = state.view();
      Action a = Decide.decide(v, now, leaseRefusal);
      if (a.kind() == ActionKind.NONE) {
        noneLog.log(a.reason());
        situation = a.reason();
        if (lastAction == null) {
          lastReason = a.reason();
        }
      } else if (throttled(a, now)) {
        armGapTimer(lastActionNanos + gap(a));
      } else {
        log.info("{} [{} token {}]", a.reason(), a.kind(), a.token());
        lastActionFailed = !executor.execute(a, v, now);
        lastAction = a;
        lastActionNanos = now;
        lastReason = a.reason();
        situation = a.reason();
        lastActionAtMillis = System.currentTimeMillis();
        metrics.action(a.kind().name(), a.reasonTag());
        noneLog.reset();
        observeRuntime();
      }
      armStopTimer(state.view().lease());
      publish(System.nanoTime());
    } catch (RuntimeException e) {
      log.error("reconcile failed", e);
    } catch (Error e) {
      failStop(e);
    }
  }

  /**
   * An Error in the control loop (a class that no longer loads because the jar was replaced under
   * the running agent, out of memory, ...) would otherwise end the loop silently: the executor
   * keeps the throwable in a future nobody reads, and flows would keep running with nobody left
   * to stop them when the lease ends. Fail-stop instead: the runtime dies with the agent
   * (parent-death signal) and the coordinators fail over once the lease expires.
   */
  private static void failStop(Error e) {
    try {
      log.error("fatal error in the control loop; halting the agent so that Node-RED stops with it", e);
    } finally {
      Runtime.getRuntime().halt(70);
    }
  }

  private void observeRuntime() {
    RuntimeStatus s = runtime.status();
    if (s.generation() > lastGeneration) {
      if (lastGeneration > 0) {
        metrics.runtimeRestart();
      }
      lastGeneration = s.generation();
    }
    state.onRuntime(s);
    state.onContext(context.gate());
  }

  /** Repeats of a failed action wait a little; RENEW_NOW is coalesced. */
  private boolean throttled(Action a, long now) {
    if (lastAction == null || lastAction.kind() != a.kind() || lastAction.token() != a.token()) {
      return false;
    }
    return now - lastActionNanos < gap(a);
  }

  private long gap(Action a) {
    return a.kind() == ActionKind.RENEW_NOW ? RENEW_GAP_NANOS : lastActionFailed ? RETRY_GAP_NANOS : 0;
  }

  /** Reconciles again when a throttled action's gap ends (not later than the tick would). */
  private void armGapTimer(long atNanos) {
    boolean pending = gapTimer != null && !gapTimer.isDone() && gapTimerAt - System.nanoTime() > 0;
    if (pending && gapTimerAt - atNanos <= 0) {
      return;
    }
    if (gapTimer != null) {
      gapTimer.cancel(false);
    }
    gapTimerAt = atNanos;
    gapTimer = thread.schedule(this::reconcile, Math.max(0, atNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void armStopTimer(Lease l) {
    if (l.isNone() || l.stopAtNanos() == timerStopAt) {
      return;
    }
    if (stopTimer != null) {
      stopTimer.cancel(false);
    }
    timerStopAt = l.stopAtNanos();
    long delay = Math.max(0, l.stopAtNanos() - System.nanoTime());
    stopTimer = thread.schedule(this::reconcile, delay, TimeUnit.NANOSECONDS);
  }

  private void publish(long now) {
    View v = state.view();
    snapshot = Snapshots.of(group, v, now, coordinatorTarget.get(), lastReason, situation,
        lastActionAtMillis, refusals.current());
    if (locks != null) {
      locks.onView(v, now);
    }
  }

  /**
   * Stops the flows for a shutdown (fence and report SHUTDOWN) on the control thread and stops the
   * loop. Returns when done, at most after a few seconds.
   */
  public void shutdown() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      thread.execute(() -> {
        try {
          observeRuntime();
          View v = state.view();
          if (v.runningToken() > 0 || v.runtime().state() == RuntimeState.RUNTIME_RUNNING) {
            String why = "flows stopped: the agent is shutting down";
            log.info("{} [STOP token {}]", why, v.runningToken());
            executor.stop(v.runningToken(), FenceReason.SHUTDOWN, why);
            metrics.action(ActionKind.STOP.name(), FenceReason.SHUTDOWN.name());
            lastReason = why;
            situation = why;
          }
          closed = true;
          publish(System.nanoTime());
        } finally {
          done.complete(null);
        }
      });
      done.get(lease.stopBudget().toMillis() + 3000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("shutdown of the control loop did not finish cleanly: {}", e.toString());
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.shutdownNow();
    try {
      thread.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Logs a NONE reason once per situation (numbers ignored), so a steady state logs nothing. */
  private static final class NoneLog {
    private String lastKey = "";

    void log(String reason) {
      String key = reason.replaceAll("\\d+", "#");
      if (!key.equals(lastKey)) {
        lastKey = key;
        Reconciler.log.info(reason);
      }
    }

    void reset() {
      lastKey = "";
    }
  }
}
