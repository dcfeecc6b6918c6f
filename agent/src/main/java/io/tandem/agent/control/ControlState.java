package io.tandem.agent.control;

import io.tandem.agent.config.LeaseSettings;
import io.tandem.agent.nodered.RuntimeStatus;
import io.tandem.proto.agent.Assignment;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.GroupMode;

/**
 * What the agent knows and did, merged from coordinator messages that may arrive duplicated or out
 * of order: an older assignment never replaces a newer one and a lease is only ever extended. Pure
 * (no I/O, no clock); owned by the control thread.
 */
public final class ControlState {
  private final String instance;
  private final LeaseSettings settings;
  private Committed committed = Committed.UNKNOWN;
  private long releaseToken;
  private Lease lease = Lease.NONE;
  private RuntimeStatus runtime = new RuntimeStatus(RuntimeState.RUNTIME_DOWN, -1, 0, "not started");
  private long runningToken;
  private long fencedToken;
  private long killedGeneration = -1;
  private ContextGate context = ContextGate.NOT_REQUIRED;
  // all-active: a member's fence is for one lease, not for the (fixed) group token
  private boolean memberFenced;
  private boolean fenceReportPending;
  private long leaseFloorNanos;
  private long lockFloor;

  public ControlState(String instance, LeaseSettings settings) {
    this.instance = instance;
    this.settings = settings;
  }

  /** A heartbeat sent at {@code sentAtNanos} was answered. Returns the lease it granted, or NONE. */
  public Lease onHeartbeat(long sentAtNanos, HeartbeatResponse r) {
    Committed c = committed(r.getAssignment(), r.getCommitIndex());
    onCommitted(c, r.getReleaseRequested());
    return granted(c, sentAtNanos, r.getLeaseMillis());
  }

  /**
   * The lease {@code leaseMillis} granted to the heartbeat sent at {@code sentAtNanos}, for the
   * assignment {@code c}; NONE if it grants nothing to this instance.
   */
  private Lease granted(Committed c, long sentAtNanos, long leaseMillis) {
    boolean member = c.isAllActive() && committed.isAllActive() && committed.token() == c.token();
    if (leaseMillis <= 0 || !(c.names(instance) || member)) {
      return Lease.NONE;
    }
    if (member && memberFenced && (fenceReportPending || sentAtNanos - leaseFloorNanos <= 0)) {
      // granted before the leader saw the fence report: the leader may end it any moment
      return Lease.NONE;
    }
    long end = settings.stopAtNanos(sentAtNanos, leaseMillis) + settings.stopBudget().toNanos();
    Lease granted = new Lease(c.token(), sentAtNanos, leaseMillis, end,
        settings.stopAtNanos(sentAtNanos, leaseMillis));
    if (lease.isWeakerThan(granted)) {
      lease = granted;
    }
    if (member) {
      memberFenced = false;
    }
    return granted;
  }

  public void onWatch(GroupUpdate u) {
    onWatch(u, java.util.OptionalLong.empty());
  }

  /**
   * A watch update. If it carries the lease granted with its activation (active-standby groups
   * only) and {@code leaseSentAtNanos} says when the heartbeat it names was sent, that lease counts
   * exactly as if that heartbeat had been answered with it. Returns the lease, or NONE.
   */
  public Lease onWatch(GroupUpdate u, java.util.OptionalLong leaseSentAtNanos) {
    Committed c = committed(u.getAssignment(), u.getCommitIndex());
    onCommitted(c, u.getReleaseRequested());
    if (u.getLeaseMillis() <= 0 || leaseSentAtNanos.isEmpty() || c.isAllActive()) {
      return Lease.NONE;
    }
    return granted(c, leaseSentAtNanos.getAsLong(), u.getLeaseMillis());
  }

  void onCommitted(Committed c, boolean releaseRequested) {
    if (!committed.known() && c.isAllActive()) {
      // locks this instance held before the agent (re)started belong to a runtime that is gone:
      // given back and acquired again under a fresh token, never believed under the old one
      lockFloor = Math.max(lockFloor, c.highestLockTokenOf(instance));
    }
    if (committed.isOlderThan(c)) {
      committed = c;
    }
    if (releaseRequested && c.names(instance) && c.token() > releaseToken) {
      releaseToken = c.token();
    }
  }

  public void onRuntime(RuntimeStatus s) {
    runtime = s;
  }

  /** The agent set token {@code token} in Node-RED and is starting its flows under it. */
  public void started(long token) {
    runningToken = token;
  }

  /** The agent fenced itself for {@code token}: it will never run flows under it (or a lower one). */
  public void fenced(long token) {
    if (committed.isAllActive() && token == committed.token()) {
      memberFence();
      return;
    }
    fencedToken = Math.max(fencedToken, token);
    if (runningToken <= fencedToken) {
      runningToken = 0;
    }
  }

  /**
   * All-active: the agent stopped its flows (or they died) under the group token. The lease it held
   * is dropped, every lock it holds by the committed view is never believed held again, and only a
   * lease from a heartbeat sent after the leader acknowledged the fence report starts flows again.
   */
  private void memberFence() {
    runningToken = 0;
    lease = Lease.NONE;
    memberFenced = true;
    fenceReportPending = true;
    lockFloor = Math.max(lockFloor, committed.highestLockTokenOf(instance));
  }

  /**
   * The fence report for {@code token} was answered (or given up) at {@code atNanos}: leases granted
   * to heartbeats sent after that count again.
   */
  public void fenceReported(long token, long atNanos) {
    if (memberFenced && fenceReportPending && committed.isAllActive() && token == committed.token()) {
      fenceReportPending = false;
      leaseFloorNanos = atNanos;
    }
  }

  /** The context store's gate as last read (the control thread reads it before every decision). */
  public void onContext(ContextGate gate) {
    context = gate;
  }

  public void killed(long generation) {
    killedGeneration = generation;
  }

  public View view() {
    return new View(instance, committed, releaseToken, lease, runtime, runningToken, fencedToken,
        killedGeneration, context, memberFenced, lockFloor);
  }

  static Committed committed(Assignment a, long commitIndex) {
    return new Committed(true, a.getExists(), a.getActive(), a.getToken(), a.getMaintenance(),
        commitIndex, a.getContextVersion(), a.getMode() == GroupMode.ALL_ACTIVE, a.getFlowsRevision(),
        a.getActiveEditorUrl(), a.getLocksList());
  }
}
