package io.tandem.agent.http;

import java.util.List;

/**
 * What the agent shows at /status and /active, published by the control thread after every
 * reconcile (immutable).
 *
 * @param group           the group
 * @param instance        this instance
 * @param role            "active", "member" (all-active, flows running with a live lease), "standby"
 *                        or "unavailable" (Node-RED not ready, hung or fenced)
 * @param flowsActive     flows run under the committed token (the lease is checked separately)
 * @param token           token the flows run under (0 if none)
 * @param committedActive the committed active of the group ("" if none or unknown)
 * @param committedToken  the committed token
 * @param fencedToken     highest token this agent fenced itself for
 * @param stopAtNanos     when the flows must stop unless renewed (System.nanoTime), if flowsActive
 * @param leaseSentAtNanos send time of the heartbeat that granted the current lease (0: none)
 * @param leaseMillis     length of the current lease as granted (0: none)
 * @param runtimeState    Node-RED state: DOWN, STARTING, STANDBY, RUNNING, HUNG
 * @param pid             Node-RED pid (-1 if unknown)
 * @param runtimeDetail   human detail of the runtime state
 * @param coordinator     the coordinator the agent currently talks to
 * @param lastReason      the reason of the last action (before any action: the current situation)
 * @param situation       the current situation in one sentence, e.g. "standby: active b (token 7)"
 * @param lastActionAtMillis wall-clock time of the last action (epoch millis, 0 if none)
 * @param heartbeatRefusal why the coordinators grant this instance no lease, when it is not simply
 *                        a standby (e.g. not a member of the group); "" if none
 * @param mode            "active-standby" or "all-active" (as last committed; active-standby until known)
 */
public record AgentSnapshot(
    String group,
    String instance,
    String role,
    boolean flowsActive,
    long token,
    String committedActive,
    long committedToken,
    long fencedToken,
    long stopAtNanos,
    long leaseSentAtNanos,
    long leaseMillis,
    String runtimeState,
    long pid,
    String runtimeDetail,
    String coordinator,
    String lastReason,
    String situation,
    long lastActionAtMillis,
    String heartbeatRefusal,
    String mode) {
  public static final List<String> ROLES = List.of("active", "member", "standby", "unavailable");
  public static final String ACTIVE_STANDBY = "active-standby";
  public static final String ALL_ACTIVE = "all-active";

  public AgentSnapshot {
    heartbeatRefusal = heartbeatRefusal == null ? "" : heartbeatRefusal;
    mode = mode == null || mode.isEmpty() ? ACTIVE_STANDBY : mode;
  }

  /** An active-standby snapshot. */
  public AgentSnapshot(String group, String instance, String role, boolean flowsActive, long token,
      String committedActive, long committedToken, long fencedToken, long stopAtNanos,
      long leaseSentAtNanos, long leaseMillis, String runtimeState, long pid, String runtimeDetail,
      String coordinator, String lastReason, String situation, long lastActionAtMillis,
      String heartbeatRefusal) {
    this(group, instance, role, flowsActive, token, committedActive, committedToken, fencedToken,
        stopAtNanos, leaseSentAtNanos, leaseMillis, runtimeState, pid, runtimeDetail, coordinator,
        lastReason, situation, lastActionAtMillis, heartbeatRefusal, ACTIVE_STANDBY);
  }

  /** Without a heartbeat refusal. */
  public AgentSnapshot(String group, String instance, String role, boolean flowsActive, long token,
      String committedActive, long committedToken, long fencedToken, long stopAtNanos,
      long leaseSentAtNanos, long leaseMillis, String runtimeState, long pid, String runtimeDetail,
      String coordinator, String lastReason, String situation, long lastActionAtMillis) {
    this(group, instance, role, flowsActive, token, committedActive, committedToken, fencedToken,
        stopAtNanos, leaseSentAtNanos, leaseMillis, runtimeState, pid, runtimeDetail, coordinator,
        lastReason, situation, lastActionAtMillis, "");
  }

  /** Milliseconds until the flows must stop; -1 when this instance holds no lease. */
  public long leaseLeftMillis(long nowNanos) {
    return flowsActive ? Math.max(0, (stopAtNanos - nowNanos) / 1_000_000) : -1;
  }

  /**
   * True while this instance runs flows as the committed active (all-active: as a member) with a
   * valid lease.
   */
  public boolean activeNow(long nowNanos) {
    return flowsActive && nowNanos - stopAtNanos < 0;
  }
}
