package io.tandem.agent.control;

import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.Lock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which locks this agent holds, from the committed view, its own lease and its flows (pure).
 *
 * <p>All-active: key K is held with token T iff the last committed assignment says holder == this
 * instance with token T, T is above the lock floor (the highest lock token held here when the
 * agent last fenced) and above the token it last released K under, its flows run under the group
 * token and its lease is live; the belief ends at the self-fence deadline (the lease's stop time).
 *
 * <p>Active-standby: the active running under a live lease holds every wanted key with the group
 * token; a standby holds none. No Raft entries are involved.
 */
public final class LockBelief {
  private LockBelief() {}

  /**
   * The lock objects: every key of the group, plus every key wanted here, sorted by key.
   *
   * @param wanted   keys wanted by an owner on this instance
   * @param released per key, the highest token this agent gave the key up under (never held again)
   */
  public static List<LockState> of(View v, Set<String> wanted, Map<String, Long> released,
      long nowNanos) {
    Committed c = v.committed();
    boolean running = v.runningToken() > 0 && v.runningToken() == c.token()
        && v.runtime().state() == RuntimeState.RUNTIME_RUNNING
        && v.lease().validFor(c.token(), nowNanos);
    long stopAt = v.lease().stopAtNanos();
    TreeMap<String, LockState> out = new TreeMap<>();
    if (c.isAllActive()) {
      for (Lock l : c.locks()) {
        boolean mine = l.getHolder().equals(v.instance()) && !l.getHolder().isEmpty();
        boolean held = mine && running && l.getToken() > v.lockFloor()
            && l.getToken() > released.getOrDefault(l.getKey(), 0L);
        out.put(l.getKey(), new LockState(l.getKey(), held, l.getToken(), l.getHolder(),
            wanted.contains(l.getKey()), held ? stopAt : Long.MIN_VALUE));
      }
      for (String k : wanted) {
        out.putIfAbsent(k, new LockState(k, false, 0, "", true, Long.MIN_VALUE));
      }
    } else {
      boolean active = running && c.names(v.instance());
      for (String k : wanted) {
        out.put(k, active ? new LockState(k, true, c.token(), v.instance(), true, stopAt)
            : new LockState(k, false, c.known() && c.exists() ? c.token() : 0, c.active(), true,
                Long.MIN_VALUE));
      }
    }
    return List.copyOf(new ArrayList<>(out.values()));
  }

  /**
   * All-active: the keys whose committed holder is this instance under a token it will never
   * believe again (fenced or released under it), or that no flow here wants: they must be given
   * back (ReleaseLock), so that the lease keeper can hand them on, or back here under a fresh token.
   */
  public static Map<String, Long> stale(View v, Set<String> wanted, Map<String, Long> released) {
    Committed c = v.committed();
    Map<String, Long> out = new TreeMap<>();
    if (!c.isAllActive()) {
      return out;
    }
    for (Lock l : c.locks()) {
      if (l.getHolder().equals(v.instance())
          && (l.getToken() <= v.lockFloor() || l.getToken() <= released.getOrDefault(l.getKey(), 0L)
              || !wanted.contains(l.getKey()))) {
        out.put(l.getKey(), l.getToken());
      }
    }
    return out;
  }
}
