package io.tandem.coordinator.state;

import com.google.protobuf.ByteString;
import io.tandem.common.context.ContextScopes;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.ContextOp;
import io.tandem.proto.state.ContextOpResult;
import io.tandem.proto.state.ContextWrite;
import io.tandem.proto.state.GroupData;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.RememberedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The shape of context ops (DESIGN.md, "The group's data"), shared by the state machine and the
 * gRPC layer, which refuses a malformed op before it reaches the log. Scopes are {@code global},
 * {@code flow:FLOW_ID} or {@code node:NODE_SCOPE}; keys are top-level keys, required except for
 * DELETE_SCOPE, which takes none.
 */
public final class ContextOps {
  /** Longest scope name (Node-RED's ids are 16 hex digits; a node scope is "node:NODE:FLOW"). */
  public static final int MAX_SCOPE_CHARS = ContextScopes.MAX_SCOPE_CHARS;
  /** Default of config {@code context.maxValueBytes}: key + value bytes of one entry. */
  public static final long DEFAULT_MAX_VALUE_BYTES = 1024L * 1024;
  /** Default of config {@code context.maxGroupBytes}: the sum over a group's entries. */
  public static final long DEFAULT_MAX_GROUP_BYTES = 32L * 1024 * 1024;

  private ContextOps() {}

  /** Empty if {@code scope} is global, flow:ID or node:ID, else what is wrong with it. */
  public static Optional<String> scopeProblem(String scope) {
    return ContextScopes.scopeProblem(scope);
  }

  /** Empty if {@code op} is well formed (kind, scope, key), else a sentence saying what is wrong. */
  public static Optional<String> problem(ContextOp op) {
    ContextOp.Kind kind = op.getKind();
    if (kind == ContextOp.Kind.KIND_UNSPECIFIED || kind == ContextOp.Kind.UNRECOGNIZED) {
      return Optional.of("op kind is missing or unknown (SET, DELETE, INCREMENT, COMPARE_AND_SET or DELETE_SCOPE)");
    }
    Optional<String> scope = scopeProblem(op.getScope());
    if (scope.isPresent()) {
      return scope;
    }
    if (kind == ContextOp.Kind.DELETE_SCOPE) {
      return op.getKey().isEmpty() ? Optional.empty()
          : Optional.of("DELETE_SCOPE of " + op.getScope() + " takes no key (got \"" + op.getKey() + "\")");
    }
    if (op.getKey().isEmpty()) {
      return Optional.of(kind + " in scope " + op.getScope() + " has an empty key");
    }
    if ((kind == ContextOp.Kind.SET || kind == ContextOp.Kind.COMPARE_AND_SET) && op.getValue().isEmpty()) {
      return Optional.of(kind + " of " + where(op) + " has no value (JSON, e.g. null)");
    }
    if (kind == ContextOp.Kind.COMPARE_AND_SET && op.getHasExpected() && op.getExpected().isEmpty()) {
      return Optional.of("COMPARE_AND_SET of " + where(op) + " has has_expected but no expected value");
    }
    if (kind == ContextOp.Kind.INCREMENT && !Double.isFinite(op.getDelta())) {
      return Optional.of("INCREMENT of " + where(op) + " has a delta that is not a finite number");
    }
    return Optional.empty();
  }

  /** The result of the applied context write with this request id, if the group still remembers it. */
  public static Optional<CommandResult> remembered(GroupData data, String requestId) {
    if (requestId.isEmpty()) {
      return Optional.empty();
    }
    List<RememberedRequest> recent = data.getRecentContextRequestsList();
    for (int i = recent.size() - 1; i >= 0; i--) {
      if (recent.get(i).getRequestId().equals(requestId)) {
        return Optional.of(recent.get(i).getResult());
      }
    }
    return Optional.empty();
  }

  /** "scope/key", as messages name an entry. */
  public static String where(ContextOp op) {
    return op.getScope() + "/" + op.getKey();
  }

  /** What an entry counts against the limits: key bytes (UTF-8) + value bytes. */
  public static long entryBytes(String key, ByteString value) {
    return ByteString.copyFromUtf8(key).size() + (long) value.size();
  }

  /**
   * What a committed write did, for the group's watchers: its applied ops in order, as SET (with
   * the resulting value), DELETE or DELETE_SCOPE. Failed ops are left out.
   */
  public static List<ContextOp> effects(ContextWrite write, List<ContextOpResult> results) {
    List<ContextOp> out = new ArrayList<>();
    int n = Math.min(write.getOpsCount(), results.size());
    for (int i = 0; i < n; i++) {
      ContextOp op = write.getOps(i);
      if (results.get(i).getOutcome() != Outcome.OK) {
        continue;
      }
      ContextOp.Builder e = ContextOp.newBuilder().setScope(op.getScope()).setKey(op.getKey());
      switch (op.getKind()) {
        case SET -> e.setKind(ContextOp.Kind.SET).setValue(op.getValue());
        case INCREMENT, COMPARE_AND_SET -> e.setKind(ContextOp.Kind.SET).setValue(results.get(i).getValue());
        case DELETE -> e.setKind(ContextOp.Kind.DELETE);
        case DELETE_SCOPE -> e.setKind(ContextOp.Kind.DELETE_SCOPE).clearKey();
        default -> {
          continue;
        }
      }
      out.add(e.build());
    }
    return out;
  }

  /** A size for people: "100 bytes", "512 KB", "2.1 MB" (1 KB = 1024 bytes). */
  public static String size(long bytes) {
    return ContextScopes.size(bytes);
  }
}
