package io.tandem.agent.control;

import io.tandem.agent.config.LeaseSettings;
import io.tandem.agent.nodered.RuntimeStatus;
import io.tandem.proto.agent.Assignment;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.RuntimeState;

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

  public ControlState(String instance, LeaseSettings settings) {
    this.instance = instance;
    this.settings = settings;
  }

  /** A heartbeat sent at {@code sentAtNanos} was answered. Returns the lease it granted, or NONE. */
  public Lease onHeartbeat(long sentAtNanos, HeartbeatResponse r) {
    Committed c = committed(r.getAssignment(), r.getCommitIndex());
    onCommitted(c, r.getReleaseRequested());
    if (r.getLeaseMillis() <= 0 || !c.names(instance)) {
      return Lease.NONE;
    }
    long end = settings.stopAtNanos(sentAtNanos, r.getLeaseMillis()) + settings.stopBudget().toNanos();
    Lease granted = new Lease(c.token(), sentAtNanos, r.getLeaseMillis(), end,
        settings.stopAtNanos(sentAtNanos, r.getLeaseMillis()));
    if (lease.isWeakerThan(granted)) {
      lease = granted;
    }
    return granted;
  }

  public void onWatch(GroupUpdate u) {
    onCommitted(committed(u.getAssignment(), u.getCommitIndex()), u.getReleaseRequested());
  }

  void onCommitted(Committed c, boolean releaseRequested) {
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
    fencedToken = Math.max(fencedToken, token);
    if (runningToken <= fencedToken) {
      runningToken = 0;
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
        killedGeneration, context);
  }

  static Committed committed(Assignment a, long commitIndex) {
    return new Committed(true, a.getExists(), a.getActive(), a.getToken(), a.getMaintenance(),
        commitIndex, a.getContextVersion());
  }
}
