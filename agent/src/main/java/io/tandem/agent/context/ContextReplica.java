package io.tandem.agent.context;

import com.google.protobuf.ByteString;
import io.tandem.proto.state.ContextChange;
import io.tandem.proto.state.ContextOp;
import io.tandem.proto.state.ContextScope;
import io.tandem.proto.state.ContextSnapshot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agent's copy of its group's committed context (scope -> key -> JSON bytes) at one version,
 * and a bounded ring of the last changes, so that the plugin's {@code changes?since=V} can be
 * answered with ops when V is on the chain, else with the whole context. Not thread-safe: owned
 * by {@link ContextHub}, which holds its lock around every call.
 */
final class ContextReplica {
  /** How a pushed change was taken. */
  enum Applied { APPLIED, DUPLICATE, GAP }

  private record Change(long from, long version, List<ContextOp> effects, long bytes) {}

  private final int maxChanges;
  private final long maxChangeBytes;
  private final Map<String, Map<String, ByteString>> scopes = new TreeMap<>();
  private final ArrayDeque<Change> ring = new ArrayDeque<>();
  private long ringBytes;
  private boolean loaded;
  private long version;
  private long chainStart; // the oldest version from which ops can be answered
  private long maxValueBytes;
  private long maxGroupBytes;

  ContextReplica(int maxChanges, long maxChangeBytes) {
    this.maxChanges = maxChanges;
    this.maxChangeBytes = maxChangeBytes;
  }

  boolean loaded() {
    return loaded;
  }

  long version() {
    return version;
  }

  long maxValueBytes() {
    return maxValueBytes;
  }

  long maxGroupBytes() {
    return maxGroupBytes;
  }

  /** Applies a committed change if it follows this version; an older one is a duplicate. */
  Applied apply(ContextChange c) {
    if (loaded && c.getVersion() <= version) {
      return Applied.DUPLICATE;
    }
    if (!loaded || c.getFromVersion() != version) {
      return Applied.GAP;
    }
    long bytes = 0;
    for (ContextOp op : c.getEffectsList()) {
      bytes += op.getScope().length() + op.getKey().length() + op.getValue().size() + 16;
      switch (op.getKind()) {
        case SET -> scopes.computeIfAbsent(op.getScope(), k -> new TreeMap<>())
            .put(op.getKey(), op.getValue());
        case DELETE -> {
          Map<String, ByteString> s = scopes.get(op.getScope());
          if (s != null) {
            s.remove(op.getKey());
            if (s.isEmpty()) {
              scopes.remove(op.getScope());
            }
          }
        }
        case DELETE_SCOPE -> scopes.remove(op.getScope());
        default -> { } // effects are SET, DELETE and DELETE_SCOPE only (contract)
      }
    }
    ring.addLast(new Change(c.getFromVersion(), c.getVersion(), c.getEffectsList(), bytes));
    ringBytes += bytes;
    while (ring.size() > maxChanges || (ringBytes > maxChangeBytes && ring.size() > 1)) {
      Change dropped = ring.removeFirst();
      ringBytes -= dropped.bytes();
      chainStart = dropped.version();
    }
    version = c.getVersion();
    return Applied.APPLIED;
  }

  /**
   * Replaces the context with a snapshot that is newer (or the first). The ring keeps answering
   * from versions at or after the snapshot's only: the chain before it is unknown.
   */
  boolean install(ContextSnapshot s) {
    maxValueBytes = s.getMaxValueBytes();
    maxGroupBytes = s.getMaxGroupBytes();
    if (loaded && s.getVersion() <= version) {
      return false;
    }
    scopes.clear();
    for (Map.Entry<String, ContextScope> e : s.getScopesMap().entrySet()) {
      if (!e.getValue().getValuesMap().isEmpty()) {
        scopes.put(e.getKey(), new TreeMap<>(e.getValue().getValuesMap()));
      }
    }
    ring.clear();
    ringBytes = 0;
    loaded = true;
    version = s.getVersion();
    chainStart = version;
    return true;
  }

  /**
   * The effects from version {@code since} to the current one, in order (empty: nothing new), or
   * null when {@code since} is not on the chain this replica can answer from (answer with all).
   */
  List<ContextOp> since(long since) {
    if (!loaded || since <= 0 || since > version || since < chainStart) {
      return null;
    }
    List<ContextOp> out = new ArrayList<>();
    if (since == version) {
      return out;
    }
    boolean on = false;
    for (Change c : ring) {
      if (!on && c.from() == since) {
        on = true;
      }
      if (on) {
        out.addAll(c.effects());
      }
    }
    return on ? out : null;
  }

  /** The value of scope/key, or null when absent. */
  ByteString value(String scope, String key) {
    Map<String, ByteString> s = scopes.get(scope);
    return s == null ? null : s.get(key);
  }

  /** A copy of the whole context (scope -> key -> JSON), in key order. */
  Map<String, Map<String, ByteString>> copy() {
    Map<String, Map<String, ByteString>> out = new TreeMap<>();
    scopes.forEach((k, v) -> out.put(k, new TreeMap<>(v)));
    return out;
  }
}
