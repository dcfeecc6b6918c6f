package io.tandem.coordinator.state;

import com.google.protobuf.ByteString;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.ContextOp;
import io.tandem.proto.state.ContextOpResult;
import io.tandem.proto.state.ContextScope;
import io.tandem.proto.state.ContextWrite;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupData;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.RememberedRequest;
import io.tandem.proto.state.TandemState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * ContextWrite: a batch of the active's Node-RED context writes (DESIGN.md, "The group's
 * data"). Refused whole (STALE_TOKEN, no op results, nothing changed) unless {@code instance} is
 * the group's active and {@code token} its current token: a standby or a stale active never
 * writes. Otherwise the ops are applied in order, each with its result; an op that is malformed,
 * over a limit, an INCREMENT of a value that is not a number, or a lost COMPARE_AND_SET fails
 * alone and changes nothing. The group's {@code context_version} becomes the entry's index (also
 * when every op failed: the write was not refused) and the result carries the version before.
 *
 * <p>Limits are the ones the leader stamped into the write (its config), so every replica
 * decides alike: {@code max_value_bytes} bounds key + value bytes of one entry, {@code
 * max_group_bytes} the group's {@code context_bytes}. A write whose {@code request_id} the group
 * remembers (the last {@link #REMEMBERED_REQUESTS} applied ones) returns its first result and
 * applies nothing. An op that shrinks the group is allowed
 * even while the group is over a lowered bound. A scope left without keys is removed.
 */
final class ContextCommands {
  /**
   * Request ids of applied writes remembered per group. An agent has one batch in flight and
   * retries only that one; a few more cover a retry that overtakes a later batch.
   */
  static final int REMEMBERED_REQUESTS = 16;

  private ContextCommands() {}

  static Change write(TandemState state, ContextWrite w, long index) {
    String name = w.getGroup();
    Optional<Change> refused = GroupCommands.findRefusal(state, name, index);
    if (refused.isPresent()) {
      return refused.get();
    }
    Group g = state.getGroupsMap().get(name);
    GroupData data = state.getGroupDataMap().getOrDefault(name, GroupData.getDefaultInstance());
    Optional<CommandResult> retried = ContextOps.remembered(data, w.getRequestId());
    if (retried.isPresent()) {
      // applied before (its answer was lost): the first result, nothing applied again
      return new Change(name, g, false, retried.get(), List.of());
    }
    long before = g.getContextVersion();
    Optional<Change> fenced = w.getInstance().isEmpty()
        ? Optional.of(Change.refuse(index, Outcome.STALE_TOKEN, name, g,
            "context write refused: it names no instance (the active is \"" + g.getActive() + "\")"))
        : FlowsCommands.fenceRefusal(g, w.getInstance(), w.getToken(), index, "context write");
    if (fenced.isPresent()) {
      Change c = fenced.get();
      return c.withResult(c.result().toBuilder().setPreviousContextVersion(before).build());
    }
    Limits limits = new Limits(name,
        w.getMaxValueBytes() > 0 ? w.getMaxValueBytes() : ContextOps.DEFAULT_MAX_VALUE_BYTES,
        w.getMaxGroupBytes() > 0 ? w.getMaxGroupBytes() : ContextOps.DEFAULT_MAX_GROUP_BYTES);
    Working work = new Working(data.getContextMap(), data.getContextBytes());
    List<ContextOpResult> results = new ArrayList<>(w.getOpsCount());
    int applied = 0;
    for (ContextOp op : w.getOpsList()) {
      ContextOpResult r = apply(work, op, limits);
      if (r.getOutcome() == Outcome.OK) {
        applied++;
      }
      results.add(r);
    }
    Group next = g.toBuilder().setContextVersion(index).build();
    CommandResult result = CommandResult.newBuilder()
        .setOutcome(Outcome.OK)
        .setMessage("context version " + index + ": " + applied + " of " + w.getOpsCount() + " ops applied")
        .setGroup(name)
        .setActive(g.getActive())
        .setToken(g.getToken())
        .setIndex(index)
        .addAllContextResults(results)
        .setPreviousContextVersion(before)
        .build();
    GroupData.Builder after = data.toBuilder().clearContext().putAllContext(work.scopes()).setContextBytes(work.bytes);
    remember(after, w.getRequestId(), result);
    return new Change(name, next, true, result, List.of(), after.build());
  }

  private static void remember(GroupData.Builder data, String requestId, CommandResult result) {
    if (requestId.isEmpty()) {
      return;
    }
    List<RememberedRequest> recent = data.getRecentContextRequestsList();
    if (recent.size() >= REMEMBERED_REQUESTS) {
      List<RememberedRequest> kept = List.copyOf(recent.subList(recent.size() - REMEMBERED_REQUESTS + 1, recent.size()));
      data.clearRecentContextRequests().addAllRecentContextRequests(kept);
    }
    data.addRecentContextRequests(RememberedRequest.newBuilder().setRequestId(requestId).setResult(result));
  }

  private record Limits(String group, long maxValue, long maxGroup) {}

  private static ContextOpResult apply(Working w, ContextOp op, Limits limits) {
    Optional<String> bad = ContextOps.problem(op);
    if (bad.isPresent()) {
      return failed(Outcome.INVALID, bad.get(), ByteString.EMPTY);
    }
    String scope = op.getScope();
    String key = op.getKey();
    switch (op.getKind()) {
      case SET:
        return store(w, op, op.getValue(), limits, false);
      case DELETE:
        w.remove(scope, key);
        return ok(ByteString.EMPTY);
      case DELETE_SCOPE:
        w.removeScope(scope);
        return ok(ByteString.EMPTY);
      case INCREMENT: {
        ByteString current = w.get(scope, key);
        double base = 0;
        if (current != null) {
          OptionalDouble n = ContextNumbers.parse(current);
          if (n.isEmpty()) {
            return failed(Outcome.INVALID, "context value " + ContextOps.where(op) + " is "
                + ContextNumbers.kind(current) + ", not a number: increment refused", current);
          }
          base = n.getAsDouble();
        }
        double sum = base + op.getDelta();
        if (!Double.isFinite(sum)) {
          return failed(Outcome.INVALID, "incrementing context value " + ContextOps.where(op)
              + " would leave the range of numbers: increment refused", current == null ? ByteString.EMPTY : current);
        }
        return store(w, op, ContextNumbers.format(sum), limits, true);
      }
      case COMPARE_AND_SET: {
        ByteString current = w.get(scope, key);
        boolean matches = op.getHasExpected() ? current != null && current.equals(op.getExpected()) : current == null;
        if (!matches) {
          String why = current == null ? "the key is absent"
              : op.getHasExpected() ? "the current value is different" : "the key already has a value";
          return failed(Outcome.FAILED_PRECONDITION,
              "compare-and-set of " + ContextOps.where(op) + " lost: " + why, current == null ? ByteString.EMPTY : current);
        }
        return store(w, op, op.getValue(), limits, true);
      }
      default:
        return failed(Outcome.INVALID, "op kind " + op.getKind() + " is unknown", ByteString.EMPTY);
    }
  }

  /** Puts {@code value} at the op's scope/key unless that breaks a limit. */
  private static ContextOpResult store(Working w, ContextOp op, ByteString value, Limits limits, boolean withValue) {
    String scope = op.getScope();
    String key = op.getKey();
    ByteString current = w.get(scope, key);
    long entry = ContextOps.entryBytes(key, value);
    ByteString unchanged = current == null ? ByteString.EMPTY : current;
    if (entry > limits.maxValue()) {
      return failed(Outcome.INVALID, "context value " + ContextOps.where(op) + " is " + sizes(entry, limits.maxValue())
          + " (context.maxValueBytes)",
          withValue ? unchanged : ByteString.EMPTY);
    }
    long old = current == null ? 0 : ContextOps.entryBytes(key, current);
    long next = w.bytes - old + entry;
    if (next > limits.maxGroup() && next > w.bytes) {
      return failed(Outcome.INVALID, "context value " + ContextOps.where(op) + " (" + ContextOps.size(entry)
          + ") would bring the context of group \"" + limits.group() + "\" to " + sizes(next, limits.maxGroup())
          + " (context.maxGroupBytes)",
          withValue ? unchanged : ByteString.EMPTY);
    }
    w.put(scope, key, value, next);
    return ok(withValue ? value : ByteString.EMPTY);
  }

  /** "2.1 MB, over the limit of 1 MB"; with exact bytes when both round alike. */
  private static String sizes(long size, long limit) {
    String a = ContextOps.size(size);
    String b = ContextOps.size(limit);
    if (a.equals(b)) {
      a += " (" + size + " bytes)";
      b += " (" + limit + " bytes)";
    }
    return a + ", over the limit of " + b;
  }

  private static ContextOpResult ok(ByteString value) {
    return ContextOpResult.newBuilder().setOutcome(Outcome.OK).setValue(value).build();
  }

  private static ContextOpResult failed(Outcome outcome, String message, ByteString value) {
    return ContextOpResult.newBuilder().setOutcome(outcome).setMessage(message).setValue(value).build();
  }

  /**
   * The group's context while a write is applied: scopes the write touches are copied once into
   * mutable maps, the others stay the committed messages.
   */
  private static final class Working {
    private final Map<String, ContextScope> base;
    private final Map<String, Map<String, ByteString>> touched = new HashMap<>();
    long bytes;

    Working(Map<String, ContextScope> base, long bytes) {
      this.base = base;
      this.bytes = bytes;
    }

    ByteString get(String scope, String key) {
      Map<String, ByteString> t = touched.get(scope);
      if (t != null) {
        return t.get(key);
      }
      ContextScope s = base.get(scope);
      return s == null ? null : s.getValuesMap().get(key);
    }

    private Map<String, ByteString> mutable(String scope) {
      return touched.computeIfAbsent(scope, s -> {
        ContextScope committed = base.get(s);
        return committed == null ? new HashMap<>() : new HashMap<>(committed.getValuesMap());
      });
    }

    void put(String scope, String key, ByteString value, long bytesAfter) {
      mutable(scope).put(key, value);
      bytes = bytesAfter;
    }

    void remove(String scope, String key) {
      if (get(scope, key) == null) {
        return;
      }
      ByteString old = mutable(scope).remove(key);
      bytes -= ContextOps.entryBytes(key, old);
    }

    void removeScope(String scope) {
      Map<String, ByteString> m = mutable(scope);
      for (Map.Entry<String, ByteString> e : m.entrySet()) {
        bytes -= ContextOps.entryBytes(e.getKey(), e.getValue());
      }
      m.clear();
    }

    /**
     * The scopes after the write; a scope without keys is dropped. Sorted, so that every replica
     * builds the maps in the same order and writes the same snapshot bytes.
     */
    Map<String, ContextScope> scopes() {
      Map<String, ContextScope> out = new TreeMap<>(base);
      for (Map.Entry<String, Map<String, ByteString>> e : touched.entrySet()) {
        if (e.getValue().isEmpty()) {
          out.remove(e.getKey());
        } else {
          out.put(e.getKey(), ContextScope.newBuilder().putAllValues(new TreeMap<>(e.getValue())).build());
        }
      }
      return out;
    }
  }
}
