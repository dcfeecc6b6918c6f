package io.tandem.coordinator.state;

import io.tandem.proto.state.AcquireLock;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupMode;
import io.tandem.proto.state.Lock;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.ReleaseLock;
import io.tandem.proto.state.TandemState;
import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * AcquireLock and ReleaseLock: the leader locks of an ALL_ACTIVE group (DESIGN.md, locks). Both
 * are compare-and-set on the key's token; an acquisition sets the token to the log index of its
 * entry, so a key's tokens strictly increase and a stale or duplicated proposal can never give
 * the key to a second holder. A group keeps its locks sorted by key.
 */
final class LockCommands {
  /** Keys a group may have at most (free keys count: they keep their last token). */
  static final int MAX_KEYS = Groups.MAX_LOCK_KEYS;

  private LockCommands() {}

  static Change acquire(TandemState state, AcquireLock a, long index, long atMillis) {
    String name = a.getGroup();
    Optional<Change> refused = common(state, name, a.getKey(), index);
    if (refused.isPresent()) {
      return refused.get();
    }
    Group g = state.getGroupsMap().get(name);
    Optional<String> bad = Names.instanceProblem(a.getInstance());
    if (bad.isPresent()) {
      return Change.refuse(index, Outcome.INVALID, name, g, bad.get());
    }
    if (!Groups.isMember(g, a.getInstance())) {
      return Change.refuse(index, Outcome.NOT_FOUND, name, g,
          "instance \"" + a.getInstance() + "\" is not a member of group \"" + name + "\"");
    }
    int at = find(g, a.getKey());
    Lock old = at >= 0 ? g.getLocks(at) : null;
    long current = old == null ? 0 : old.getToken();
    if (a.getExpectedToken() != current) {
      return Change.refuse(index, Outcome.STALE_TOKEN, name, g,
          "lock \"" + a.getKey() + "\" is at token " + current + " (" + holderText(old)
              + "), not at the expected token " + a.getExpectedToken());
    }
    if (old == null && g.getLocksCount() >= MAX_KEYS) {
      return Change.refuse(index, Outcome.FAILED_PRECONDITION, name, g,
          "group \"" + name + "\" already has " + MAX_KEYS + " lock keys, the most a group may have");
    }
    String from = old == null ? "" : old.getHolder();
    Lock next = Lock.newBuilder().setKey(a.getKey()).setHolder(a.getInstance()).setToken(index)
        .setAcquiredUnixMillis(atMillis).build();
    String reason = a.getReason().isEmpty() ? "\"" + a.getInstance() + "\" acquired the lock" : a.getReason();
    Transition t = lockTransition(index, TransitionKind.LOCK_ACQUIRED, from, a.getInstance(), index,
        a.getKey(), reason, atMillis);
    Group.Builder b = g.toBuilder();
    if (old == null) {
      b.addLocks(-(at + 1), next);
    } else {
      b.setLocks(at, next);
    }
    Group after = Groups.appendHistory(b, t).build();
    return Change.ok(index, name, after,
        "\"" + a.getInstance() + "\" holds lock \"" + a.getKey() + "\" under token " + index, List.of(t));
  }

  static Change release(TandemState state, ReleaseLock r, long index, long atMillis) {
    String name = r.getGroup();
    Optional<Change> refused = common(state, name, r.getKey(), index);
    if (refused.isPresent()) {
      return refused.get();
    }
    Group g = state.getGroupsMap().get(name);
    if (!r.getInstance().isEmpty()) {
      Optional<String> bad = Names.instanceProblem(r.getInstance());
      if (bad.isPresent()) {
        return Change.refuse(index, Outcome.INVALID, name, g, bad.get());
      }
    }
    int at = find(g, r.getKey());
    if (at < 0) {
      return Change.refuse(index, Outcome.NOT_FOUND, name, g,
          "group \"" + name + "\" has no lock \"" + r.getKey() + "\"");
    }
    Lock old = g.getLocks(at);
    if (old.getHolder().isEmpty() || old.getToken() != r.getToken()
        || (!r.getInstance().isEmpty() && !r.getInstance().equals(old.getHolder()))) {
      String who = r.getInstance().isEmpty() ? "" : " by \"" + r.getInstance() + "\"";
      return Change.refuse(index, Outcome.STALE_TOKEN, name, g,
          "lock \"" + r.getKey() + "\" is not held" + who + " under token " + r.getToken() + " (it is at token "
              + old.getToken() + ", " + holderText(old) + ")");
    }
    String reason = r.getReason().isEmpty() ? "\"" + old.getHolder() + "\" released the lock" : r.getReason();
    Transition t = lockTransition(index, TransitionKind.LOCK_RELEASED, old.getHolder(), "", old.getToken(),
        r.getKey(), reason, atMillis);
    Group after = Groups.appendHistory(g.toBuilder().setLocks(at, old.toBuilder().setHolder("")), t).build();
    return Change.ok(index, name, after, "lock \"" + r.getKey() + "\" is free (token " + old.getToken() + ")",
        List.of(t));
  }

  /**
   * Frees every lock {@code instance} holds in {@code b} (it is being removed), appending a
   * LOCK_RELEASED transition for each to the builder's history; returns them.
   */
  static List<Transition> freeLocksOf(Group.Builder b, String instance, long index, long atMillis) {
    List<Transition> out = new ArrayList<>();
    for (int i = 0; i < b.getLocksCount(); i++) {
      Lock l = b.getLocks(i);
      if (l.getHolder().equals(instance)) {
        b.setLocks(i, l.toBuilder().setHolder(""));
        Transition t = lockTransition(index, TransitionKind.LOCK_RELEASED, instance, "", l.getToken(), l.getKey(),
            "\"" + instance + "\" was removed from the group", atMillis);
        Groups.appendHistory(b, t);
        out.add(t);
      }
    }
    return out;
  }

  /** The index of {@code key} in the group's sorted locks, or {@code -(insertion point + 1)}. */
  static int find(Group g, String key) {
    int lo = 0;
    int hi = g.getLocksCount() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = g.getLocks(mid).getKey().compareTo(key);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  private static Optional<Change> common(TandemState state, String name, String key, long index) {
    Optional<Change> missing = GroupCommands.findRefusal(state, name, index);
    if (missing.isPresent()) {
      return missing;
    }
    Group g = state.getGroupsMap().get(name);
    if (g.getMode() != GroupMode.ALL_ACTIVE) {
      return Optional.of(Change.refuse(index, Outcome.FAILED_PRECONDITION, name, g,
          "group \"" + name + "\" is an active-standby group: its active holds every lock, no lock is committed"));
    }
    Optional<String> bad = Names.lockKeyProblem(key);
    return bad.map(b -> Change.refuse(index, Outcome.INVALID, name, g, b));
  }

  private static String holderText(Lock l) {
    return l == null ? "no such key yet" : l.getHolder().isEmpty() ? "free" : "held by \"" + l.getHolder() + "\"";
  }

  private static Transition lockTransition(long index, TransitionKind kind, String from, String to, long token,
      String key, String reason, long atMillis) {
    return Change.transition(index, kind, from, to, token, reason, atMillis).toBuilder().setLock(key).build();
  }
}
