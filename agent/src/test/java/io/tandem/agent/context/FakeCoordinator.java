package io.tandem.agent.context;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.WriteContextResponse;
import io.tandem.proto.state.ContextChange;
import io.tandem.proto.state.ContextOp;
import io.tandem.proto.state.ContextOpResult;
import io.tandem.proto.state.ContextScope;
import io.tandem.proto.state.ContextSnapshot;
import io.tandem.proto.state.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The coordinators' side of the contract in memory, for the agent's unit tests: ContextWrite
 * applied under the current token (refused whole otherwise), values over 10 bytes refused alone,
 * INCREMENT, and every applied write pushed as a ContextChange.
 */
final class FakeCoordinator {
  final Map<String, Map<String, ByteString>> context = new TreeMap<>();
  final List<List<ContextOp>> batches = new ArrayList<>();
  volatile long token = 7;
  long version = 3;
  volatile Consumer<GroupUpdate> push = u -> { };

  synchronized ContextSnapshot snapshot() {
    ContextSnapshot.Builder b = ContextSnapshot.newBuilder().setVersion(version)
        .setMaxValueBytes(10).setMaxGroupBytes(1000);
    context.forEach((s, kv) -> b.putScopes(s, ContextScope.newBuilder().putAllValues(kv).build()));
    return b.build();
  }

  WriteContextResponse write(long t, List<ContextOp> ops, String requestId) {
    GroupUpdate update;
    WriteContextResponse r;
    synchronized (this) {
      if (t != token) {
        throw Status.FAILED_PRECONDITION.withDescription("token " + t + " is stale; the active holds "
            + token).asRuntimeException();
      }
      batches.add(List.copyOf(ops));
      long from = version;
      version += 2;
      ContextChange.Builder change = ContextChange.newBuilder().setFromVersion(from).setVersion(version);
      WriteContextResponse.Builder rb = WriteContextResponse.newBuilder().setVersion(version);
      for (ContextOp op : ops) {
        Map<String, ByteString> scope = context.computeIfAbsent(op.getScope(), k -> new TreeMap<>());
        switch (op.getKind()) {
          case SET -> {
            if (op.getValue().size() > 10) {
              rb.addResults(ContextOpResult.newBuilder().setOutcome(Outcome.INVALID)
                  .setMessage("context value " + op.getScope() + "/" + op.getKey() + " is over the limit"));
              continue;
            }
            scope.put(op.getKey(), op.getValue());
            change.addEffects(op);
            rb.addResults(ContextOpResult.newBuilder().setOutcome(Outcome.OK));
          }
          case INCREMENT -> {
            ByteString cur = scope.get(op.getKey());
            double n = (cur == null ? 0 : Double.parseDouble(cur.toStringUtf8())) + op.getDelta();
            ByteString v = ByteString.copyFromUtf8(n == Math.rint(n) ? String.valueOf((long) n) : String.valueOf(n));
            scope.put(op.getKey(), v);
            change.addEffects(op.toBuilder().setKind(ContextOp.Kind.SET).setValue(v));
            rb.addResults(ContextOpResult.newBuilder().setOutcome(Outcome.OK).setValue(v));
          }
          default -> throw new UnsupportedOperationException(op.getKind().name());
        }
      }
      r = rb.build();
      update = GroupUpdate.newBuilder().setContextChange(change).build();
    }
    push.accept(update);
    return r;
  }

  synchronized int batchCount() {
    return batches.size();
  }

  synchronized ByteString value(String scope, String key) {
    Map<String, ByteString> s = context.get(scope);
    return s == null ? null : s.get(key);
  }
}
