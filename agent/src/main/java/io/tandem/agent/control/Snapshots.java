package io.tandem.agent.control;

import io.tandem.agent.http.AgentSnapshot;
import io.tandem.agent.nodered.RuntimeStatus;
import io.tandem.proto.agent.RuntimeState;

/** Turns the control state into the immutable {@link AgentSnapshot} shown by the HTTP API. */
final class Snapshots {
  private Snapshots() {}

  static AgentSnapshot of(String group, View v, long nowNanos, String coordinator,
      String lastReason, String situation, long lastActionAtMillis) {
    return of(group, v, nowNanos, coordinator, lastReason, situation, lastActionAtMillis, "");
  }

  static AgentSnapshot of(String group, View v, long nowNanos, String coordinator,
      String lastReason, String situation, long lastActionAtMillis, String heartbeatRefusal) {
    RuntimeStatus rt = v.runtime();
    boolean allActive = v.committed().isAllActive();
    boolean active = v.runningToken() > 0 && rt.state() == RuntimeState.RUNTIME_RUNNING
        && (v.committed().names(v.instance()) || allActive)
        && v.committed().token() == v.runningToken()
        && v.lease().validFor(v.runningToken(), nowNanos);
    String role = active ? (allActive ? "member" : "active")
        : rt.state() == RuntimeState.RUNTIME_STANDBY && v.runningToken() == 0 ? "standby"
        : "unavailable";
    return new AgentSnapshot(group, v.instance(), role, active, v.runningToken(),
        v.committed().active(), v.committed().token(), v.fencedToken(),
        active ? v.lease().stopAtNanos() : 0, v.lease().sentAtNanos(), v.lease().leaseMillis(),
        rt.state().name().replace("RUNTIME_", ""), rt.pid(), rt.detail(), coordinator, lastReason,
        situation, lastActionAtMillis, heartbeatRefusal,
        allActive ? AgentSnapshot.ALL_ACTIVE : AgentSnapshot.ACTIVE_STANDBY);
  }
}
