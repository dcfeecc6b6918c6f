package io.tandem.agent.control;

/**
 * The last committed assignment of this agent's group that the agent has seen.
 *
 * @param known       false until the first heartbeat reply or watch message arrived
 * @param exists      false if the coordinator does not know the group
 * @param active      the active instance, "" if none
 * @param token       the fencing token of the assignment
 * @param maintenance automatic failover paused
 * @param commitIndex the coordinator's commit index when this was read (orders messages of one token)
 * @param contextVersion the group's committed context version when this was read (0: none)
 */
public record Committed(boolean known, boolean exists, String active, long token,
    boolean maintenance, long commitIndex, long contextVersion) {

  public static final Committed UNKNOWN = new Committed(false, false, "", 0, false, 0);

  public Committed {
    active = active == null ? "" : active;
  }

  public Committed(boolean known, boolean exists, String active, long token, boolean maintenance,
      long commitIndex) {
    this(known, exists, active, token, maintenance, commitIndex, 0);
  }

  public static Committed of(String active, long token) {
    return new Committed(true, true, active, token, false, 0);
  }

  public boolean names(String instance) {
    return known && exists && active.equals(instance);
  }

  /** True if {@code other} may replace this view: a higher token, or the same token read later. */
  public boolean isOlderThan(Committed other) {
    if (!known) {
      return other.known;
    }
    return other.token > token || (other.token == token && other.commitIndex >= commitIndex);
  }

  public String describe() {
    if (!known) {
      return "no committed assignment seen yet";
    }
    if (!exists) {
      return "the coordinator does not know the group";
    }
    return (active.isEmpty() ? "no active" : "active " + active) + " (token " + token + ")";
  }
}
