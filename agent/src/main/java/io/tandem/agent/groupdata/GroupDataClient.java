package io.tandem.agent.groupdata;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.DeployRequest;
import io.tandem.proto.agent.DeployResponse;
import io.tandem.proto.agent.GetGroupDataRequest;
import io.tandem.proto.agent.GroupDataResponse;
import io.tandem.proto.agent.PutEditorDataRequest;
import io.tandem.proto.agent.PutEditorDataResponse;
import io.tandem.proto.agent.GetContextRequest;
import io.tandem.proto.agent.WriteContextRequest;
import io.tandem.proto.agent.WriteContextResponse;
import io.tandem.proto.state.ContextSnapshot;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The group-data calls of AgentService (Deploy, GetGroupData, PutEditorData, WriteContext,
 * GetContext), following the Raft
 * leader through the agent's {@link CoordinatorEndpoints}. A call is retried on UNAVAILABLE and
 * DEADLINE_EXCEEDED until {@code budget} has passed (a deploy keeps its request id, so a retry
 * returns the first result); any other status is the answer.
 */
public final class GroupDataClient {
  private final CoordinatorEndpoints endpoints;
  private final Duration rpcTimeout;
  private final Duration budget;

  /**
   * @param rpcTimeout one attempt's deadline (a deploy of a large document needs more than a
   *     heartbeat: its entry must reach a majority and be applied before the answer)
   * @param budget     all attempts of one call together
   */
  public GroupDataClient(CoordinatorEndpoints endpoints, Duration rpcTimeout, Duration budget) {
    this.endpoints = endpoints;
    this.rpcTimeout = rpcTimeout;
    this.budget = budget;
  }

  DeployResponse deploy(DeployRequest request) {
    return call(ch -> stub(ch).deploy(request));
  }

  GroupDataResponse groupData(GetGroupDataRequest request) {
    return call(ch -> stub(ch).getGroupData(request));
  }

  PutEditorDataResponse putEditorData(PutEditorDataRequest request) {
    return call(ch -> stub(ch).putEditorData(request));
  }

  /** A batch of context writes; FAILED_PRECONDITION when the token is stale (nothing applied). */
  public WriteContextResponse writeContext(WriteContextRequest request) {
    return call(ch -> stub(ch).writeContext(request));
  }

  /** The group's committed context (read under confirmed leadership). */
  public ContextSnapshot getContext(GetContextRequest request) {
    return call(ch -> stub(ch).getContext(request));
  }

  /** All-active: give up a held lock; FAILED_PRECONDITION when not held under that token. */
  public io.tandem.proto.agent.ReleaseLockResponse releaseLock(
      io.tandem.proto.agent.ReleaseLockRequest request) {
    return call(ch -> stub(ch).releaseLock(request));
  }

  private final ThreadLocal<Long> budgetEnd = new ThreadLocal<>();

  /**
   * One attempt's deadline: the client's attempt timeout, but never past the call's budget, so
   * that the last attempt does not outlive the answer the caller (the editor's HTTP request) waits for.
   */
  private AgentServiceGrpc.AgentServiceBlockingStub stub(ManagedChannel ch) {
    long left = budgetEnd.get() == null ? rpcTimeout.toNanos() : budgetEnd.get() - System.nanoTime();
    long nanos = Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(rpcTimeout.toNanos(), left));
    return AgentServiceGrpc.newBlockingStub(ch).withDeadlineAfter(nanos, TimeUnit.NANOSECONDS);
  }

  private <T> T call(Function<ManagedChannel, T> call) {
    long deadline = System.nanoTime() + budget.toNanos();
    budgetEnd.set(deadline);
    for (int attempt = 1; ; attempt++) {
      String address = endpoints.target();
      try {
        return call.apply(endpoints.channel(address));
      } catch (StatusRuntimeException e) {
        if (!endpoints.onFailure(address, e) || System.nanoTime() - deadline > 0) {
          throw e;
        }
        if (CoordinatorEndpoints.leaderHint(e).isEmpty()
            && e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED
            && attempt % endpoints.addresses().size() == 0) {
          sleep(Math.min(300, 20L * attempt));
        }
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    }
  }
}
