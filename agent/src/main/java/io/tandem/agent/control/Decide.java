package io.tandem.agent.control;

import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.RuntimeState;

/**
 * The agent's reconcile rule: from what the coordinator committed, the lease and the local runtime,
 * what to do now and why. Pure: no I/O, no clock (the time is a parameter), no state.
 *
 * <p>Safety: flows are started only under an assignment that names this instance with a token above
 * every token it fenced, and with a lease for that token whose stop time has not come; flows that
 * run without such a lease are stopped.
 */
public final class Decide {
  private Decide() {}

  /**
   * As {@link #decide(View, long)}, while the granted lease does not fit the agent's own settings
   * ({@code leaseRefusal}, a sentence with the arithmetic; null when it fits): flows are never
   * started and no lease is asked for; stopping, killing and handing back still happen.
   */
  public static Action decide(View v, long nowNanos, String leaseRefusal) {
    Action a = decide(v, nowNanos);
    if (leaseRefusal == null
        || (a.kind() != ActionKind.SET_TOKEN_AND_START && a.kind() != ActionKind.RENEW_NOW
            && a.kind() != ActionKind.PREPARE_CONTEXT)) {
      return a;
    }
    return Action.none("not running flows: " + leaseRefusal);
  }

  public static Action decide(View v, long nowNanos) {
    RuntimeState rs = v.runtime().state();
    Committed c = v.committed();
    long held = v.runningToken();
    long fenced = v.fencedToken();
    boolean assignedToMe = c.names(v.instance());
    long t = c.token();

    if (rs == RuntimeState.RUNTIME_HUNG) {
      if (v.runtime().generation() == v.killedGeneration()) {
        return Action.none("waiting for the killed Node-RED (pid " + v.runtime().pid() + ") to exit");
      }
      long token = held > 0 ? held : (assignedToMe && t > fenced ? t : 0);
      return Action.kill(token, "Node-RED killed: it does not answer probes (" + v.runtime().detail()
          + ")" + (token > 0 ? "; token " + token + " fenced" : ""));
    }
    if (held > 0 && rs != RuntimeState.RUNTIME_RUNNING && rs != RuntimeState.RUNTIME_STANDBY) {
      return Action.reportFenced(held, FenceReason.CRASHED, "token " + held
          + " fenced: Node-RED went away while running flows (" + describe(v) + ")");
    }
    if (c.isAllActive()) {
      return MemberDecide.decide(v, nowNanos);
    }
    if (held > 0 || rs == RuntimeState.RUNTIME_RUNNING) {
      return whileRunning(v, nowNanos, assignedToMe);
    }
    if (!c.known()) {
      return Action.none("standby: waiting for the committed assignment from the coordinators");
    }
    if (!assignedToMe) {
      return Action.none("standby: " + c.describe());
    }
    if (t <= fenced) {
      return Action.none("token " + t + " was fenced here; waiting for the coordinator to move on");
    }
    if (v.releaseToken() == t) {
      return Action.reportFenced(t, FenceReason.RELEASED,
          "token " + t + " released before its flows were started (planned switchover)");
    }
    if (rs != RuntimeState.RUNTIME_STANDBY) {
      return Action.reportFenced(t, FenceReason.CRASHED, "token " + t
          + " handed back: this instance is assigned but Node-RED is not ready (" + describe(v) + ")");
    }
    if (v.lease().validFor(t, nowNanos)) {
      Action gate = contextGate(v, t, false);
      if (gate != null) {
        return gate;
      }
      return Action.start(t, "flows started: committed active with token " + t + ", lease left "
          + v.lease().millisLeft(nowNanos) + " ms");
    }
    return Action.renewNow(t, "assigned token " + t + ": asking for a lease before starting flows");
  }

  private static Action whileRunning(View v, long now, boolean assignedToMe) {
    Committed c = v.committed();
    long held = v.runningToken();
    long t = c.token();
    Lease lease = v.lease();
    if (held == 0) {
      if (assignedToMe && t > v.fencedToken() && lease.validFor(t, now)) {
        Action gate = contextGate(v, t, true);
        if (gate != null) {
          return gate;
        }
        return Action.start(t, "flows found running: setting token " + t + " and confirming the start");
      }
      return Action.stop(0, FenceReason.REVOKED, "flows stopped: they were running without a "
          + "committed assignment and a lease for this instance (" + c.describe() + ")");
    }
    if (held <= v.fencedToken()) {
      return Action.stop(held, FenceReason.REVOKED,
          "flows stopped: token " + held + " was already fenced here");
    }
    if (!c.known()) {
      return Action.stop(held, FenceReason.REVOKED,
          "flows stopped: no committed assignment is known for token " + held);
    }
    if (!c.exists()) {
      return Action.stop(held, FenceReason.REVOKED,
          "flows stopped: the coordinator no longer knows this group");
    }
    if (!assignedToMe || t != held) {
      return Action.stop(held, FenceReason.REVOKED, "flows stopped: the committed assignment moved ("
          + c.describe() + ", flows ran under token " + held + ")");
    }
    if (v.releaseToken() == held) {
      return Action.stop(held, FenceReason.RELEASED,
          "flows stopped: a planned switchover asked this instance to release token " + held);
    }
    Action selfFence = selfFence(lease, held, now);
    if (selfFence != null) {
      return selfFence;
    }
    if (v.runtime().state() == RuntimeState.RUNTIME_STANDBY) {
      return Action.start(held, "flows restarted: Node-RED reports them stopped although this "
          + "instance holds token " + held + " with a valid lease");
    }
    return Action.none("active: flows running under token " + held + ", lease left "
        + lease.millisLeft(now) + " ms");
  }

  /**
   * Null when the context store lets flows start under {@code t}; else what to do first: prepare
   * the replica and the plugin's writer role, wait for its proof, or hand the token back when it
   * never came (so that a Node-RED without the context store cannot hold a group's token forever).
   */
  /**
   * The self-fence (design.md, "Why two instances are never active at once", step 2): the stop of
   * flows running under {@code held} when no lease for that token is valid any more; null while
   * one is. Shared by the active and the all-active member.
   */
  static Action selfFence(Lease lease, long held, long now) {
    if (lease.isNone() || lease.token() != held) {
      return Action.stop(held, FenceReason.LEASE_LOST,
          "flows stopped: there is no lease for token " + held);
    }
    if (!lease.validFor(held, now)) {
      long endsIn = (lease.endNanos() - now) / 1_000_000;
      return Action.stop(held, FenceReason.LEASE_LOST, endsIn >= 0
          ? "flows stopped: the lease ends in " + endsIn + " ms and was not renewed"
          : "flows stopped: the lease ended " + (-endsIn) + " ms ago and was not renewed");
    }
    return null;
  }

  private static Action contextGate(View v, long t, boolean flowsRunning) {
    ContextGate g = v.context();
    if (g.ready(t)) {
      return null;
    }
    if (g.failed(t)) {
      String why = "token " + t + " handed back: " + g.detail();
      return flowsRunning ? Action.stop(t, FenceReason.CRASHED, "flows stopped: " + why)
          : Action.reportFenced(t, FenceReason.CRASHED, why);
    }
    if (g.preparing(t)) {
      return Action.none("assigned token " + t + ": flows start once the context store is ready ("
          + g.detail() + ")");
    }
    return Action.prepareContext(t, "assigned token " + t + ": preparing the context store (replica at"
        + " context version " + v.committed().contextVersion() + " or later, Node-RED's plugin the writer)"
        + " before starting flows");
  }

  static String describe(View v) {
    String d = v.runtime().detail();
    String state = v.runtime().state().name().replace("RUNTIME_", "").toLowerCase();
    return d.isEmpty() ? state : state + ": " + d;
  }
}
