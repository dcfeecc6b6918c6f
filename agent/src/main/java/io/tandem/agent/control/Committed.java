package io.tandem.agent.control;

import io.tandem.proto.state.Lock;
import java.util.List;

/**
 * The last committed assignment of this agent's group that the agent has seen.
 *
 * @param known       false until the first heartbeat reply or watch message arrived
 * @param exists      false if the coordinator does not know the group
 * @param active      the active instance, "" if none (always "" in an all-active group)
 * @param token       the fencing token of the assignment (all-active: the group token, fixed)
 * @param maintenance automatic failover paused
 * @param commitIndex the coordinator's commit index when this was read (orders messages of one token)
 * @param contextVersion the group's committed context version when this was read (0: none)
 * @param allActive   the group runs in all-active mode (every ready member runs its flows)
 * @param flowsRevision the group's current flows revision (0: none yet)
 * @param activeEditorUrl active-standby: the active's editor address as the leader heard it ("" unknown)
 * @param locks       all-active: the group's committed locks, by key
 */
public record Committed(boolean known, boolean exists, String active, long token,
    boolean maintenance, long commitIndex, long contextVersion, boolean allActive,
    long flowsRevision, String activeEditorUrl, List<Lock> locks) {

  public static final Committed UNKNOWN = new Committed(false, false, "", 0, false, 0);

  public Committed {
    active = active == null ? "" : active;
    activeEditorUrl = activeEditorUrl == null ? "" : activeEditorUrl;
    locks = locks == null ? List.of() : List.copyOf(locks);
  }

  public Committed(boolean known, boolean exists, String active, long token, boolean maintenance,
      long commitIndex, long contextVersion) {
    this(known, exists, active, token, maintenance, commitIndex, contextVersion, false, 0, "", List.of());
  }

  public Committed(boolean known, boolean exists, String active, long token, boolean maintenance,
      long commitIndex) {
    this(known, exists, active, token, maintenance, commitIndex, 0);
  }

  public static Committed of(String active, long token) {
    return new Committed(true, true, active, token, false, 0);
  }

  /** An all-active group with the group token {@code token} and these locks. */
  public static Committed allActive(long token, List<Lock> locks) {
    return new Committed(true, true, "", token, false, 0, 0, true, 0, "", locks);
  }

  public boolean names(String instance) {
    return known && exists && !allActive && active.equals(instance);
  }

  /** A known, existing all-active group. */
  public boolean isAllActive() {
    return known && exists && allActive;
  }

  /** True if {@code other} may replace this view: a higher token, or the same token read later. */
  public boolean isOlderThan(Committed other) {
    if (!known) {
      return other.known;
    }
    return other.token > token || (other.token == token && other.commitIndex >= commitIndex);
  }

  /** The highest token of a lock whose committed holder is {@code instance} (0: none). */
  public long highestLockTokenOf(String instance) {
    long max = 0;
    for (Lock l : locks) {
      if (l.getHolder().equals(instance)) {
        max = Math.max(max, l.getToken());
      }
    }
    return max;
  }

  public String describe() {
    if (!known) {
      return "no committed assignment seen yet";
    }
    if (!exists) {
      return "the coordinator does not know the group";
    }
    if (allActive) {
      return "all-active group (token " + token + ", " + locks.size() + " lock"
          + (locks.size() == 1 ? "" : "s") + ")";
    }
    return (active.isEmpty() ? "no active" : "active " + active) + " (token " + token + ")";
  }
}
