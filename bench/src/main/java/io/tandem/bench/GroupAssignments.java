package io.tandem.bench;

/**
 * The assignments of one group as its simulated agents see them in heartbeat answers: the first
 * activation is the group's start; every later assignment with a higher token (another active,
 * or none) is a failover. No Node-RED fault is ever simulated, so each one is a failover
 * without a fault. Two changes between two answers count as one (answers come every 250 ms).
 * Thread-safe.
 */
public final class GroupAssignments {
  private long token;
  private boolean activated;
  private long failovers;

  /**
   * An answer's assignment ({@code active} empty: none) under {@code assignmentToken}; returns
   * whether it revealed a failover.
   */
  public synchronized boolean observe(String active, long assignmentToken) {
    if (assignmentToken <= token) {
      return false; // seen already, or older (a stale answer)
    }
    token = assignmentToken;
    if (!activated) {
      activated = !active.isEmpty();
      return false;
    }
    failovers++;
    return true;
  }

  public synchronized long failovers() {
    return failovers;
  }

  public synchronized boolean activated() {
    return activated;
  }
}
