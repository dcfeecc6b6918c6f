package io.tandem.agent.control;

import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.RuntimeState;

/**
 * {@link Decide}'s rule for a member of an all-active group: its flows run under the group token
 * while its own lease is live and stop, with the same deadline as an active's, when it runs out.
 * A fence ends one lease, not the token: a fresh lease (see {@link ControlState}) starts the flows
 * again. Pure, like Decide.
 */
final class MemberDecide {
  private MemberDecide() {}

  static Action decide(View v, long now) {
    Committed c = v.committed();
    long t = c.token();
    long held = v.runningToken();
    Lease lease = v.lease();
    RuntimeState rs = v.runtime().state();
    if (held > 0 || rs == RuntimeState.RUNTIME_RUNNING) {
      return whileRunning(v, now);
    }
    if (rs != RuntimeState.RUNTIME_STANDBY) {
      return Action.none("member: waiting for Node-RED to be ready (" + Decide.describe(v) + ")");
    }
    if (lease.validFor(t, now)) {
      return Action.start(t, "flows started: all-active member with a live lease (group token " + t
          + ", lease left " + lease.millisLeft(now) + " ms)");
    }
    if (v.memberFenced()) {
      return Action.none("member: fenced; the flows start again once a fresh lease is granted");
    }
    return Action.none("member: waiting for a lease (granted to every ready member; "
        + c.describe() + ")");
  }

  private static Action whileRunning(View v, long now) {
    Committed c = v.committed();
    long t = c.token();
    long held = v.runningToken();
    Lease lease = v.lease();
    if (held == 0) {
      if (lease.validFor(t, now)) {
        return Action.start(t, "flows found running: setting the group token " + t
            + " and confirming the start (all-active member with a live lease)");
      }
      return Action.stop(0, FenceReason.REVOKED, "flows stopped: they were running without a lease"
          + " for this member (" + c.describe() + ")");
    }
    if (held != t) {
      return Action.stop(held, FenceReason.REVOKED, "flows stopped: the group's token is now " + t
          + ", flows ran under token " + held);
    }
    Action selfFence = Decide.selfFence(lease, held, now);
    if (selfFence != null) {
      return selfFence;
    }
    if (v.runtime().state() == RuntimeState.RUNTIME_STANDBY) {
      return Action.start(held, "flows restarted: Node-RED reports them stopped although this "
          + "member holds a live lease under token " + held);
    }
    return Action.none("member: flows running under the group token " + held + ", lease left "
        + lease.millisLeft(now) + " ms");
  }
}
