package io.tandem.agent.locks;

import io.tandem.agent.control.LockState;
import java.util.List;

/**
 * The document of GET /tandem/role at one moment (see docs/locks.md): what the Node-RED nodes and
 * the editor sidebar show.
 *
 * @param version     increases whenever a field but the millisecond counters changes
 * @param group       the group
 * @param instance    this instance
 * @param mode        "active-standby" or "all-active"
 * @param role        "active", "standby", "member", "starting" or "fenced"
 * @param active      active-standby: the committed active ("" none or all-active)
 * @param activeEditorUrl the active's editor address ("" unknown)
 * @param token       the group's committed token (0 unknown)
 * @param revision    the group's current flows revision (0 none)
 * @param stopAtNanos when this instance's flows stop unless the lease is renewed; Long.MIN_VALUE: no
 *                    live lease
 * @param coordinator the agent has heard from the coordinators (a committed assignment is known)
 * @param locks       every key of the group plus every key this instance wants, by key
 */
public record RoleState(long version, String group, String instance, String mode, String role,
    String active, String activeEditorUrl, long token, long revision, long stopAtNanos,
    boolean coordinator, List<LockState> locks) {

  public RoleState {
    locks = List.copyOf(locks);
  }

  public long leaseLeftMillis(long nowNanos) {
    return stopAtNanos == Long.MIN_VALUE ? -1 : Math.max(0, (stopAtNanos - nowNanos) / 1_000_000);
  }

  /** The lock object of {@code key}, or a not-held one when the key is unknown here. */
  public LockState lock(String key) {
    for (LockState l : locks) {
      if (l.key().equals(key)) {
        return l;
      }
    }
    return new LockState(key, false, 0, "", false, Long.MIN_VALUE);
  }

  public int heldCount() {
    int n = 0;
    for (LockState l : locks) {
      n += l.held() ? 1 : 0;
    }
    return n;
  }

  RoleState withVersion(long v) {
    return new RoleState(v, group, instance, mode, role, active, activeEditorUrl, token, revision,
        stopAtNanos, coordinator, locks);
  }

  /** This state without version and deadlines: equal stable forms mean "nothing changed". */
  RoleState stable() {
    return new RoleState(0, group, instance, mode, role, active, activeEditorUrl, token, revision,
        stopAtNanos == Long.MIN_VALUE ? 0 : 1, coordinator,
        locks.stream().map(l -> new LockState(l.key(), l.held(), l.token(), l.holder(), l.wanted(), 0))
            .toList());
  }
}
