package io.tandem.agent.control;

import io.tandem.agent.config.LeaseSettings;
import io.tandem.agent.hooks.HookRunner;
import io.tandem.agent.nodered.NodeRedRuntime;
import io.tandem.agent.nodered.RuntimeControlException;
import io.tandem.proto.agent.FenceReason;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs the actions {@link Decide} chose, on the control thread, each bounded in time. Fencing
 * comes first: the state is updated and the report queued before any hook runs.
 */
final class ActionExecutor {
  private static final Logger log = LoggerFactory.getLogger(ActionExecutor.class);
  private static final Duration MAX_CONTROL_CALL = Duration.ofSeconds(2);
  private final NodeRedRuntime runtime;
  private final CoordinatorPort coordinator;
  private final HookRunner hooks;
  private final LeaseSettings lease;
  private final ControlState state;
  private final ContextPort context;
  private final java.util.function.LongConsumer reported;

  ActionExecutor(NodeRedRuntime runtime, CoordinatorPort coordinator, HookRunner hooks,
      LeaseSettings lease, ControlState state) {
    this(runtime, coordinator, hooks, lease, state, ContextPort.NONE, t -> { });
  }

  /** {@code reported} is called (on any thread) with the token once a fence report is done. */
  ActionExecutor(NodeRedRuntime runtime, CoordinatorPort coordinator, HookRunner hooks,
      LeaseSettings lease, ControlState state, ContextPort context,
      java.util.function.LongConsumer reported) {
    this.context = context;
    this.reported = reported;
    this.runtime = runtime;
    this.coordinator = coordinator;
    this.hooks = hooks;
    this.lease = lease;
    this.state = state;
  }

  /** Performs {@code a}; returns false if it failed and should not be retried at once. */
  boolean execute(Action a, View v, long nowNanos) {
    return switch (a.kind()) {
      case NONE -> true;
      case RENEW_NOW -> {
        coordinator.heartbeatNow();
        yield true;
      }
      case PREPARE_CONTEXT -> {
        context.prepare(a.token(), v.committed().contextVersion());
        yield true;
      }
      case SET_TOKEN_AND_START -> start(a, v, nowNanos);
      case STOP -> stop(a.token(), a.fence(), a.reason(), v.lease());
      case KILL -> kill(a, v);
      case REPORT_FENCED -> {
        boolean wasRunning = v.runningToken() == a.token();
        if (wasRunning && a.fence() == FenceReason.CRASHED) {
          // Node-RED went away, the agent is alive: its token is current until the failover
          // commits, so the writes the agent holds are committed first (refused afterwards: safe)
          logUndone(a.token(), context.commitPending(a.token(), drainDeadline(v.lease())));
        } else {
          context.drop(a.token(), a.reason());
        }
        fence(a.token(), a.fence(), a.reason(), wasRunning);
        yield true;
      }
    };
  }

  private boolean start(Action a, View v, long nowNanos) {
    long t = a.token();
    Duration budget = untilStop(v, nowNanos);
    try {
      runtime.setToken(t, budget);
    } catch (RuntimeControlException e) {
      if (e.isStaleToken()) {
        String why = "Node-RED refused token " + t + " (it holds a higher one): " + e.body();
        log.error("{}; fencing token {}", why, t);
        context.drop(t, why);
        fence(t, FenceReason.REVOKED, why, false);
        return true;
      }
      log.warn("could not set token {} in Node-RED: {}", t, e.getMessage());
      return false;
    }
    boolean fresh = v.runningToken() != t;
    state.started(t);
    try {
      runtime.startFlows(untilStop(v, System.nanoTime()));
    } catch (RuntimeControlException e) {
      log.warn("starting the flows under token {} was not confirmed: {}", t, e.getMessage());
      return false;
    }
    if (fresh) {
      hooks.fire(HookRunner.Event.ACTIVATE, t, a.reason());
    }
    return true;
  }

  /** Time left before the stop time, capped; at least 1 ms. */
  private static Duration untilStop(View v, long nowNanos) {
    long left = v.lease().stopAtNanos() - nowNanos;
    return Duration.ofNanos(Math.max(1_000_000L, Math.min(left, MAX_CONTROL_CALL.toNanos())));
  }

  /** Stops the flows within the stop budget, else kills Node-RED; then fences and reports. */
  boolean stop(long token, FenceReason reason, String why) {
    return stop(token, reason, why, state.view().lease());
  }

  /**
   * As {@link #stop(long, FenceReason, String)}. A planned stop (RELEASED, SHUTDOWN) drains the
   * context writes and waits for their commit before it reports; a lost lease or a moved
   * assignment ends the writer role before the flows are stopped (nothing more is committed).
   */
  private boolean stop(long token, FenceReason reason, String why, Lease held) {
    boolean planned = reason == FenceReason.RELEASED || reason == FenceReason.SHUTDOWN;
    if (!planned) {
      context.drop(token, why);
    }
    boolean gone;
    boolean stopped = false;
    try {
      runtime.stopFlows(lease.stopBudget());
      gone = true;
      stopped = true;
    } catch (RuntimeControlException e) {
      log.warn("stop not confirmed within {} ms ({}): killing Node-RED",
          lease.stopBudget().toMillis(), e.getMessage());
      long generation = runtime.status().generation();
      gone = runtime.kill("stop not confirmed: " + why);
      if (gone) {
        state.killed(generation);
      } else {
        log.error("Node-RED is attached, not launched by the agent: it cannot be killed and its "
            + "flows may still run; the coordinators will only move on when the lease expires");
      }
    }
    if (planned && token > 0) {
      long deadline = drainDeadline(held);
      logUndone(token, stopped ? context.drain(token, deadline) : context.commitPending(token, deadline));
    }
    if (token > 0) {
      state.fenced(token);
      if (gone) {
        report(token, reason, why);
        hooks.fire(HookRunner.Event.DEACTIVATE, token, why);
      }
    }
    return gone;
  }

  /**
   * How long a stop may wait for the context writes: until the lease ends as this agent counts it
   * (the coordinators do not move on before that, or before the report), at least the stop budget.
   */
  private long drainDeadline(Lease held) {
    long now = System.nanoTime();
    long byLease = held.isNone() ? now : held.endNanos();
    return Math.max(now + lease.stopBudget().toNanos(), byLease);
  }

  private static void logUndone(long token, String undone) {
    if (!undone.isEmpty()) {
      log.warn("token {}: context writes not all committed before the report: {}", token, undone);
    }
  }

  private boolean kill(Action a, View v) {
    boolean killed = runtime.kill(a.reason());
    state.killed(v.runtime().generation());
    if (v.runningToken() == a.token() && a.token() > 0) {
      // the runtime is dead; its token is still current until the failover commits
      logUndone(a.token(), context.commitPending(a.token(), drainDeadline(v.lease())));
    } else {
      context.drop(a.token(), a.reason());
    }
    if (a.token() > 0) {
      // fenced even if it could not be killed: the heartbeats then stop renewing the lease
      state.fenced(a.token());
      if (killed) {
        report(a.token(), FenceReason.HUNG, a.reason());
      }
      if (v.runningToken() == a.token()) {
        hooks.fire(HookRunner.Event.DEACTIVATE, a.token(), a.reason());
      }
    }
    if (!killed) {
      log.error("Node-RED is hung and attached (not launched by the agent): it cannot be killed; "
          + "restart it by hand");
    }
    return killed;
  }

  private void fence(long token, FenceReason reason, String why, boolean wasRunning) {
    state.fenced(token);
    report(token, reason, why);
    if (wasRunning) {
      hooks.fire(HookRunner.Event.DEACTIVATE, token, why);
    }
  }

  private void report(long token, FenceReason reason, String why) {
    coordinator.reportFenced(token, reason, why, () -> reported.accept(token));
  }
}
